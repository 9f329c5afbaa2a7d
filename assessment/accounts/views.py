from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..extensions import db, login_manager
from ..i18n import LANG_COOKIE, LANGUAGES
from ..tables import User
from ..web import is_safe_next, wants_json
from .forms import LoginForm
from .operations import authenticate

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def _unauthorized() -> Any:
    """Autosave calls get a 401 they can act on; pages go to the sign-in form."""
    if wants_json():
        return jsonify(error="login", message=_("You are signed out. Sign in again; "
                                                "answers kept on your device will be saved.")), 401
    flash(_("Please sign in to see this page."), "warning")
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("clients.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is None:
            flash(_("That e-mail and password do not match an account."), "danger")
        else:
            login_user(user, remember=form.remember.data)
            # Without "keep me signed in", closing the browser signs the consultant out.
            session.permanent = bool(form.remember.data)
            if request.cookies.get(LANG_COOKIE) in LANGUAGES:
                user.lang = request.cookies[LANG_COOKIE]
                db.session.commit()
            target = form.next.data or ""
            return redirect(target if is_safe_next(target) else url_for("clients.dashboard"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Switch language and go back where the user was (remembered in a cookie)."""
    target = request.args.get("next") or ""
    response = redirect(target if is_safe_next(target) else url_for("pages.home"))
    if code in LANGUAGES:
        session["lang"] = code
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
