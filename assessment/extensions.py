"""Flask extensions, created unbound and attached in `create_app` with `init_app`."""

from __future__ import annotations

import threading

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints so migrations can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()


class ThreadSafeMemoryStorage(MemoryStorage):
    """`limits`' in-process storage, with its expiry timer started under a lock and less often.

    Two threads saving at the same moment could both start the one timer ("threads can
    only be started once"), which turned a participant's save into a server error under
    load (limits 5.8). The timer only sweeps out expired counters (each read checks its
    own expiry), yet the original starts a new thread 10 ms after the last: a thread for
    every few saves in a busy workshop. Once a second is plenty.
    """

    SWEEP_EVERY_S = 1.0

    STORAGE_SCHEME = ["memory-threadsafe"]  # noqa: RUF012 - as the base class declares it

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the private original
        with self._timer_lock:
            if not self.timer.is_alive():
                expire = self._MemoryStorage__expire_events  # type: ignore[attr-defined]
                self.timer = threading.Timer(self.SWEEP_EVERY_S, expire)
                self.timer.daemon = True
                self.timer.start()


#: Limits are set per route, keyed so that a whole workshop room behind one venue IP
#: is never taken for one abuser (see assessment/api and assessment/workshop).
limiter = Limiter(key_func=get_remote_address, storage_uri="memory-threadsafe://",
                  headers_enabled=True)
