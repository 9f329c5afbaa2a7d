"""Database set-up: SQLite tuned for a web app, or any SQLAlchemy URL.

For SQLite every connection gets WAL, a busy timeout, foreign keys and
synchronous=NORMAL; transactions of requests that write (POST, PUT, PATCH, DELETE)
and of command-line work begin with BEGIN IMMEDIATE, so a read-then-write
transaction waits for the lock instead of failing with "database is locked".
Reads (GET) begin a deferred transaction and never block writers under WAL.
"""

from __future__ import annotations

from contextvars import ContextVar
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 10_000
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Set to True/False to force the kind of transaction outside the request rule.
write_intent: ContextVar[bool | None] = ContextVar("write_intent", default=None)


def default_url(app: Flask) -> str:
    path = Path(app.instance_path) / "crm.sqlite3"
    return f"sqlite:///{path}"


def engine_options(url: str) -> dict[str, Any]:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def _wants_write() -> bool:
    forced = write_intent.get()
    if forced is not None:
        return forced
    if has_request_context():
        return request.method not in _READ_METHODS
    return True


def configure_sqlite(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        in_memory = engine.url.database in (None, "", ":memory:")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")
