"""Where rate-limit counters live, so every worker and every server counts the same requests.

- With `REDIS_URL` set (`CRM_REDIS_URL`): Redis, shared by every server that uses it.
- Otherwise a small SQLite file in the instance folder (`ratelimits.sqlite3`), shared by
  every worker of this installation. Flask-Limiter's in-memory storage counts per process:
  under two workers a limit was effectively doubled, and a restart forgot it.

The SQLite storage is a `limits` storage backend registered under the `crm-sqlite` scheme,
which Flask-Limiter takes as its `RATELIMIT_STORAGE_URI` like any other. Counters are
fixed windows (Flask-Limiter's default strategy): one row a key, with its count and the
moment its window ends. They are not worth a disk flush: the file runs without one, and a
crash of the whole machine at worst forgets the last counts.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from limits.storage import Storage

FILE_NAME = "ratelimits.sqlite3"
#: about one counter write in this many also sweeps out windows that have ended
SWEEP_EVERY = 2000

_SCHEMA = """
CREATE TABLE IF NOT EXISTS counters (
    key TEXT PRIMARY KEY,
    value INTEGER NOT NULL,
    expires REAL NOT NULL
) WITHOUT ROWID
"""
# A window that has ended starts again from this hit; a live one counts on.
_INCR = """
INSERT INTO counters (key, value, expires) VALUES (:key, :amount, :now + :expiry)
ON CONFLICT (key) DO UPDATE SET
    value = CASE WHEN counters.expires <= :now THEN :amount ELSE counters.value + :amount END,
    expires = CASE WHEN counters.expires <= :now THEN :now + :expiry ELSE counters.expires END
RETURNING value
"""


def storage_uri(config: dict[str, Any], instance_path: str) -> str:
    """The storage for this app's limits: Redis when configured, else the instance's file."""
    redis = config["REDIS_URL"]
    if redis:
        return str(redis)
    return f"crm-sqlite:///{Path(instance_path, FILE_NAME)}"


class SQLiteStorage(Storage):
    """Fixed-window counters in one SQLite file, shared by the processes that open it."""

    STORAGE_SCHEME = ["crm-sqlite"]  # noqa: RUF012 - as the base class declares it

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False,
                 **options: Any) -> None:
        self.path = (uri or "").split("://", 1)[-1]
        if not self.path:
            raise ValueError("crm-sqlite:// needs a file path, as in crm-sqlite:///path/file")
        self._local = threading.local()
        self._writes = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        """One connection per thread and process (a forked worker opens its own)."""
        held = getattr(self._local, "held", None)
        if held is not None and held[0] == os.getpid():
            connection: sqlite3.Connection = held[1]
            return connection
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=10, isolation_level=None,
                                     check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute(_SCHEMA)
        self._local.held = (os.getpid(), connection)
        return connection

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        connection = self._connection()
        value = connection.execute(_INCR, {"key": key, "amount": amount, "now": now,
                                           "expiry": expiry}).fetchone()[0]
        self._writes += 1
        if self._writes % SWEEP_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(value)

    def get(self, key: str) -> int:
        row = self._connection().execute(
            "SELECT value FROM counters WHERE key = ? AND expires > ?", (key, time.time())
        ).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._connection().execute(
            "SELECT expires FROM counters WHERE key = ? AND expires > ?", (key, now)
        ).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return int(self._connection().execute("DELETE FROM counters").rowcount)

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
