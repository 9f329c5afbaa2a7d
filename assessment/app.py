"""The Flask application factory."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from flask import Flask, abort, render_template, request

from .catalog import Catalog, data_dir, load_catalog
from .i18n import digits, direction

LANG_COOKIE = "lang"


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. A catalogue with any problem stops start-up with the full list."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(data_dir("templates")),
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("CRM")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    catalog = load_catalog()  # raises CatalogError: the app refuses to start
    app.extensions["catalog"] = catalog

    @app.context_processor
    def _globals() -> dict[str, Any]:
        lang = current_lang()
        return {"lang": lang, "dir": direction(lang), "digits": lambda v: digits(v, lang),
                "catalog": catalog}

    @app.get("/")
    def home() -> str:
        return render_template("catalog/index.html")

    @app.get("/models/<model_id>")
    def model_detail(model_id: str) -> str:
        model = catalog.models.get(model_id) or abort(404)
        return render_template("catalog/model.html", model=model)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"status": "ok", "models": len(catalog.models)}

    @app.after_request
    def _remember_lang(response: Any) -> Any:
        chosen = request.args.get("lang")
        if chosen in ("en", "fa"):
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    return app


def _instance_secret(instance: Path) -> str:
    """A random secret kept in the instance folder, made on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def current_lang() -> str:
    chosen = request.args.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in ("en", "fa"):
        return chosen
    best = request.accept_languages.best_match(["en", "fa"])
    return best or "en"


def get_catalog(app: Flask) -> Catalog:
    catalog: Catalog = app.extensions["catalog"]
    return catalog
