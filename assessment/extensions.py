"""Flask extensions, created unbound and attached in `create_app` with `init_app`."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
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


class SignInManager(LoginManager):  # type: ignore[misc]
    """Flask-Login, with the remember-me cookie Secure whenever the request came over HTTPS
    (directly or through a trusted proxy), as the session cookie is
    (`app.CookieSessions.get_cookie_secure`)."""

    def _set_cookie(self, response: Any) -> None:
        super()._set_cookie(response)
        if not request.is_secure:
            return
        name = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME) + "="
        cookies = response.headers.getlist("Set-Cookie")
        response.headers.setlist("Set-Cookie", [
            f"{cookie}; Secure" if cookie.startswith(name) and "; Secure" not in cookie
            else cookie for cookie in cookies])


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = SignInManager()
csrf = CSRFProtect()
babel = Babel()


#: Limits are set per route, keyed so that a whole workshop room behind one venue IP
#: is never taken for one abuser (see assessment/api and assessment/workshop). Their
#: counters live where every worker sees them (`ratelimits`, chosen in `create_app`).
limiter = Limiter(key_func=get_remote_address, headers_enabled=True)
