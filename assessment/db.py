"""Database set-up: SQLite tuned for a web app, or any SQLAlchemy URL.

For SQLite every connection gets WAL, a busy timeout, foreign keys and
synchronous=NORMAL; transactions of requests that write (POST, PUT, PATCH, DELETE)
and of command-line work begin with BEGIN IMMEDIATE, so a read-then-write
transaction waits for the lock instead of failing with "database is locked".
Reads (GET) begin a deferred transaction and never block writers under WAL.
"""

from __future__ import annotations

import fcntl
import os
import threading
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
    in_memory = engine.url.database in (None, "", ":memory:")
    lock_path = None if in_memory else f"{engine.url.database}.write-lock"

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, record: Any) -> None:
        # Let SQLAlchemy's "begin" event below emit BEGIN itself.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
        if lock_path is not None:
            record.info["write_lock"] = WriteLock(lock_path)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if _wants_write():
            lock = connection.connection._connection_record.info.get("write_lock")
            if lock is not None:
                lock.acquire()
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.exec_driver_sql("BEGIN")

    # The transaction has ended (committed or rolled back) once the connection is back in
    # the pool; a closed or invalidated connection lets go too.
    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and "write_lock" in record.info:
            record.info["write_lock"].release()

    @event.listens_for(engine, "close")
    def _on_close(_dbapi_connection: Any, record: Any) -> None:
        if record is not None and "write_lock" in record.info:
            record.info.pop("write_lock").close()

    @event.listens_for(engine, "invalidate")
    def _on_invalidate(_dbapi_connection: Any, record: Any, _exc: Any) -> None:
        if record is not None and "write_lock" in record.info:
            record.info["write_lock"].release()


_this_thread = threading.local()


class WriteLock:
    """An exclusive lock on a file beside the database, held for a writing transaction.

    SQLite makes a writer that finds the database locked sleep and retry (1, 2, 5 ... up
    to 100 ms at a time), so under many concurrent saves the processors sit idle while
    the lock is free. Writers of this app (all server workers, all threads) queue on
    this lock instead: the kernel wakes the next one the moment it is free, and SQLite's
    own lock is then always free for it. The kernel also drops the lock of a process that
    dies, even by SIGKILL.
    """

    def __init__(self, path: str):
        self.path = path
        self.fd: int | None = None
        self.held = False

    def acquire(self) -> None:
        # A thread that already writes through another connection must not wait for
        # itself: it is left to SQLite's busy timeout, as without this lock.
        if self.held or getattr(_this_thread, "writing", False):
            return
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        self.held = True
        _this_thread.writing = True

    def release(self) -> None:
        if self.held and self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            _this_thread.writing = False
        self.held = False

    def close(self) -> None:
        self.release()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
