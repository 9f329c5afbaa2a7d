"""Pages anyone can read: the landing page, the model catalogue, how scores are computed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from .web import get_catalog

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("clients.dashboard"))
    return render_template("pages/home.html")


@bp.get("/models")
def models() -> str:
    return render_template("pages/models.html")


@bp.get("/models/<model_id>")
def model_detail(model_id: str) -> str:
    model = get_catalog().models.get(model_id) or abort(404)
    return render_template("pages/model.html", model=model)


@bp.get("/how-scores-work")
def scoring_rules() -> str:
    return render_template("pages/scoring.html")


@bp.get("/healthz")
def healthz() -> dict[str, Any]:
    return {"status": "ok", "models": len(get_catalog().models)}
