"""The Flask application factory."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import generate_csrf
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from . import access, config, headers, i18n, ratelimits, web
from .catalog import data_dir, load_catalog
from .db import configure_sqlite, default_url, engine_options
from .extensions import babel, csrf, db, limiter, login_manager, migrate

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then CRM_* environment variables,
    then `test_config` (see config.py and docs/configuration.md).

    A catalogue with any problem stops start-up with the full list (CatalogError).
    """
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get(config.INSTANCE_PATH_ENV) or None,
                template_folder=str(data_dir("templates")))
    app.request_class = web.StreamingRequest
    config.load(app, test_config)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    url = app.config["SQLALCHEMY_DATABASE_URI"] or _env_database_url() or default_url(app)
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**engine_options(url),
                                               **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.session_interface = CookieSessions()
    # Screen templates, plus the print designs under the "reports/" prefix.
    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(data_dir("templates")),
        PrefixLoader({"reports": FileSystemLoader(data_dir("reports"))}),
    ])

    catalog = load_catalog()  # raises CatalogError: the app refuses to start
    app.extensions["catalog"] = catalog

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "warning"
    babel.init_app(app, locale_selector=web.select_lang)
    app.config.setdefault("RATELIMIT_STORAGE_URI",
                          ratelimits.storage_uri(app.config, app.instance_path))
    limiter.init_app(app)
    _limit_all_but_saves(app)

    from .accounts.people_views import bp as people_bp
    from .accounts.views import bp as accounts_bp
    from .activity.views import bp as activity_bp
    from .api import bp as api_bp
    from .clients.views import bp as clients_bp
    from .pages import bp as pages_bp
    from .printing.views import bp as status_bp
    from .profiling.views import bp as profiling_bp
    from .rollout.export_views import bp as exports_bp
    from .rollout.views import bp as rollout_bp
    from .transfer.views import bp as transfer_bp
    from .trend.views import bp as trend_bp
    from .walk.views import bp as walk_bp
    from .walk.views import public_bp
    from .workshop.views import bp as workshop_bp

    for blueprint in (accounts_bp, clients_bp, pages_bp, walk_bp, public_bp, workshop_bp, api_bp,
                      rollout_bp, trend_bp, status_bp, exports_bp, transfer_bp, activity_bp,
                      people_bp, profiling_bp):
        app.register_blueprint(blueprint)
    app.before_request(access.gate)

    web.register_template_helpers(app)
    from .accounts.people import workspaces_of

    app.jinja_env.globals.update(may=access.may, my_workspaces=workspaces_of)
    headers.init_app(app)
    proxies = int(app.config["TRUSTED_PROXIES"])
    if proxies:
        # Behind a TLS proxy: trust this many hops of X-Forwarded-* headers, so the app
        # sees https (secure cookies, HSTS) and rate limits see the real client address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies,  # type: ignore[method-assign]
                                x_host=proxies, x_prefix=proxies)

    @app.after_request
    def _remember_lang(response: Any) -> Any:
        chosen = request.args.get("lang")
        # A page asked for in a language switches the interface; a download (a Persian PDF
        # fetched from an English page) does not.
        if chosen in i18n.LANGUAGES and response.mimetype == "text/html":
            response.set_cookie(i18n.LANG_COOKIE, chosen, max_age=365 * 24 * 3600,
                                samesite="Lax")
        return response

    @app.context_processor
    def _csrf() -> dict[str, Any]:
        return {"csrf_token": generate_csrf}

    return app


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with the signing serializer built once per key.

    Flask builds it again on every request, which was about a twentieth of the time of
    a saved answer.
    """

    def __init__(self) -> None:
        self._built: tuple[tuple[Any, ...], Any] | None = None

    def get_cookie_secure(self, app: Flask) -> bool:
        """Secure whenever the request came over HTTPS (directly or through a trusted proxy)."""
        return bool(request.is_secure or super().get_cookie_secure(app))

    def get_signing_serializer(self, app: Flask) -> Any:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built = self._built
        if built is None or built[0] != keys:
            built = self._built = (keys, super().get_signing_serializer(app))
        return built[1]


#: The route that saves an answer checks its own per-participant limit
#: (`api.views._check_save_limit`).
SAVE_ENDPOINT = "api.put_answer"


def _limit_all_but_saves(app: Flask) -> None:
    """Run Flask-Limiter's check before every request but a saved answer.

    The check walks every configured limit (about a sixteenth of a save's time); neither
    exempting the route nor a request filter avoids that walk, because Flask-Limiter
    consults both only inside it.
    """
    checks = app.before_request_funcs.setdefault(None, [])
    check = limiter._check_request_limit
    index = checks.index(check)

    def check_unless_saving() -> None:
        if request.endpoint != SAVE_ENDPOINT:
            check()

    checks[index] = check_unless_saving


def _env_database_url() -> str | None:
    return os.environ.get(config.DATABASE_URL_ENV) or None


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, made on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
