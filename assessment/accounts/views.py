from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..access import workspace_to_change
from ..brand import DEFAULT_BRAND, print_colour, read_upload
from ..extensions import login_manager
from ..i18n import LANG_COOKIE, LANGUAGES
from ..printing.render import data_url
from ..tables import User
from ..web import is_safe_next, submit, wants_json
from . import operations as ops
from .forms import LoginForm, WorkspaceForm
from .signing import sign_in as _sign_in
from .signing import sign_out as _sign_out
from .signing import wait_words

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(cookie_id: str) -> User | None:
    return ops.signed_in_user(cookie_id)


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
        email, address = form.email.data or "", get_remote_address()
        wait = ops.sign_in_wait(email, address)
        if wait:
            flash(_wait_message(wait), "danger")
            return render_template("accounts/login.html", form=form), 429, \
                {"Retry-After": str(wait)}
        user = ops.authenticate(email, form.password.data or "")
        if user is None:
            ops.count_failed_sign_in(email, address)
            flash(_("That e-mail and password do not match an account."), "danger")
        else:
            _sign_in(user, remember=bool(form.remember.data))
            target = form.next.data or ""
            return redirect(target if is_safe_next(target) else url_for("clients.dashboard"))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout() -> Response:
    ops.end_sign_in(_current_sign_in())
    _sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/account")
@login_required
def account() -> str:
    return render_template("accounts/account.html",
                           sign_ins=ops.active_sign_ins(current_user),
                           current_sign_in=_current_sign_in())


@bp.route("/workspace", methods=["GET", "POST"])
@login_required
def workspace_settings() -> Any:
    """The consultancy's name and the brand on its reports."""
    workspace = workspace_to_change()
    form = WorkspaceForm(obj=workspace)

    def save() -> tuple[str, str]:
        ops.save_workspace(workspace, name=form.name.data or "",
                           brand_colour=form.brand_colour.data or "",
                           confidentiality=form.confidentiality.data or "",
                           logo=read_upload(form.logo.data),
                           remove_logo=bool(form.remove_logo.data))
        return url_for("accounts.workspace_settings"), _("Changes saved.")

    return submit(form, save) or (
        render_template("accounts/workspace.html", form=form, workspace=workspace,
                        colour=print_colour(workspace.brand_colour),
                        default_colour=DEFAULT_BRAND,
                        logo=data_url(workspace.logo, workspace.logo_type or "image/png")
                        if workspace.logo else None),
        400 if form.errors or form.form_errors else 200)


@bp.post("/account/sign-out-everywhere")
@login_required
def sign_out_everywhere() -> Response:
    ops.end_sign_ins(current_user)
    _sign_out()
    flash(_("You are signed out on every device and browser."), "info")
    return redirect(url_for("accounts.login"))


def _wait_message(seconds: int) -> str:
    return _("Too many failed sign-ins. Wait %(wait)s, then try again.",
             wait=wait_words(seconds))


def _current_sign_in() -> str:
    return str(current_user.get_id()).partition(":")[2]


@bp.get("/language/<code>")
def set_language(code: str) -> Response:
    """Switch language and go back where the user was (remembered in a cookie)."""
    target = request.args.get("next") or ""
    response = redirect(target if is_safe_next(target) else url_for("pages.home"))
    if code in LANGUAGES:
        session["lang"] = code
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax")
    return response
