"""People pages: invitations, passwords, the owner's members page, the workspace switcher
and a team member's own milestones. Who may reach each one is decided by `access.gate`."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from werkzeug.wrappers import Response

from ..access import client_or_404, invitation_or_404, member_in, milestone_or_404
from ..extensions import db
from ..i18n import digits
from ..rollout.forms import STATUS_LABELS
from ..rollout.operations import current_date, set_notes
from ..tables import User
from ..web import lang
from . import people as ops
from .forms import (
    AcceptExistingForm,
    AcceptForm,
    ForgotForm,
    InviteForm,
    NotesForm,
    PasswordForm,
    ResetForm,
    RoleForm,
    choices,
)
from .operations import AccountError

bp = Blueprint("people", __name__)


def _role_names() -> dict[str, str]:
    return {"owner": _("Owner"), "consultant": _("Consultant"),
            "viewer": _("Client viewer"), "team": _("Team member")}


def _link_page(link: str, email: str, kind: str) -> str:
    """Where no mail server is configured: the link, to copy and send."""
    return render_template("people/link.html", link=link, email=email, kind=kind)


# --- invitations ------------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> Any:
    invitation = ops.open_invitation(token)
    if invitation is None:
        return render_template("people/expired.html"), 404
    existing = ops.existing_account(invitation)
    form = AcceptExistingForm() if existing else AcceptForm(name=invitation.name)
    if form.validate_on_submit():
        try:
            ops.accept(invitation, form.password.data or "",
                       getattr(getattr(form, "name", None), "data", "") or "")
        except AccountError:
            db.session.rollback()
            form.password.errors = [_("That is not the password of this account.")]
        else:
            db.session.commit()
            if current_user.is_authenticated:  # someone signed in keeps their session
                return redirect(url_for("clients.dashboard"))
            flash(_("Welcome. Sign in with your e-mail and password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("people/accept.html", invitation=invitation, form=form,
                           existing=existing, roles=_role_names())


def _invite(form: InviteForm, role: str, **where: Any) -> str | None:
    """Make the invitation and mail it, or show its link; None after a refusal."""
    try:
        invitation, secret = ops.invite(current_user.workspace, form.email.data or "", role,
                                        current_user, name=form.name.data or "", **where)
    except AccountError:
        db.session.rollback()
        form.email.errors = [_("Enter an e-mail address.")]
        return None
    db.session.commit()
    link = url_for("people.accept", token=secret, _external=True)
    subject = _("An invitation to %(workspace)s", workspace=current_user.workspace.name)
    body = _("%(name)s invites you to %(workspace)s in CRM maturity. Open this link "
             "within %(days)s days to accept and set your password:",
             name=current_user.name or current_user.email,
             workspace=current_user.workspace.name,
             days=digits(str(current_app.config["INVITATION_DAYS"]), lang())) + "\n\n" + link
    if ops.send_mail(invitation.email, subject, body):
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
        return ""
    return _link_page(link, invitation.email, "invitation")


@bp.route("/clients/<int:client_id>/invite", methods=["GET", "POST"])
@login_required
def invite_client(client_id: int) -> Any:
    client = client_or_404(client_id)
    form = InviteForm()
    form.role.choices = choices([("team", _("Team member")), ("viewer", _("Client viewer"))])
    form.member.choices = choices([("", _("A new team member"))] + [
        (str(person.id), person.name) for person in client.team])
    if form.validate_on_submit():
        person = None
        if form.member.data:
            person = member_in(current_user.workspace_id, int(form.member.data)) \
                if form.member.data.isdigit() else None
            if person is None or person.client_id != client.id:
                abort(404)
        page = _invite(form, form.role.data or "", client=client,
                       team_member=person if form.role.data == "team" else None)
        if page == "":
            return redirect(url_for("people.invite_client", client_id=client.id))
        if page is not None:
            return page
    people = [(user, grants) for user, _member, grants in ops.people_of(current_user.workspace)
              if any(found.client_id == client.id for found in grants)]
    pending = [i for i in ops.pending_invitations(current_user.workspace)
               if i.client_id == client.id]
    return render_template("people/invite_client.html", client=client, form=form,
                           people=people, pending=pending, roles=_role_names())


# --- the owner's members page -----------------------------------------------------------


@bp.get("/members")
@login_required
def members() -> str:
    workspace = current_user.workspace
    return render_template("people/members.html", people=ops.people_of(workspace),
                           pending=ops.pending_invitations(workspace), form=InviteForm(),
                           role_form=RoleForm(), roles=_role_names(),
                           mail=ops.mail_configured())


@bp.post("/members/invite")
@login_required
def invite_consultant() -> Any:
    form = InviteForm()
    form.role.choices = choices([("consultant", _("Consultant"))])
    form.role.data = "consultant"
    if form.validate_on_submit():
        page = _invite(form, "consultant")
        if page:
            return page
    elif form.errors:
        flash(_("Enter an e-mail address."), "danger")
    return redirect(url_for("people.members"))


def _person(user_id: int) -> User:
    """A person with a role in the owner's workspace or on one of its clients."""
    for user, _member, _grants in ops.people_of(current_user.workspace):
        if user.id == user_id:
            return user
    abort(404)


def _refused(exc: AccountError) -> Response:
    db.session.rollback()
    flash(_("A workspace keeps at least one owner."), "danger")
    return redirect(url_for("people.members"))


@bp.post("/members/<int:user_id>/role")
@login_required
def set_role(user_id: int) -> Response:
    person, form = _person(user_id), RoleForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ops.set_role(current_user.workspace, person, form.role.data or "")
    except AccountError as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("Role changed."), "success")
    return redirect(url_for("people.members"))


@bp.post("/members/<int:user_id>/deactivate")
@login_required
def deactivate(user_id: int) -> Response:
    return _activate(user_id, False)


@bp.post("/members/<int:user_id>/reactivate")
@login_required
def reactivate(user_id: int) -> Response:
    return _activate(user_id, True)


def _activate(user_id: int, active: bool) -> Response:
    person = _person(user_id)
    if person.id == current_user.id:
        abort(400)
    try:
        ops.set_active(current_user.workspace, person, active)
    except AccountError as exc:
        return _refused(exc)
    db.session.commit()
    flash(_("%(email)s can sign in again.", email=person.email) if active else
          _("%(email)s can no longer sign in; their history stays.", email=person.email),
          "success")
    return redirect(url_for("people.members"))


@bp.post("/members/<int:user_id>/reset-link")
@login_required
def reset_link(user_id: int) -> Any:
    person = _person(user_id)
    secret = ops.issue_reset(person, by=current_user)
    db.session.commit()
    return _link_page(url_for("people.reset", token=secret, _external=True), person.email,
                      "reset")


@bp.post("/members/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int) -> Response:
    ops.revoke_invitation(invitation_or_404(invitation_id))
    db.session.commit()
    flash(_("Invitation withdrawn."), "success")
    return redirect(url_for("people.members"))


# --- passwords --------------------------------------------------------------------------


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Any:
    form = PasswordForm()
    if form.validate_on_submit():
        sign_in = str(current_user.get_id()).partition(":")[2]
        try:
            ops.change_password(current_user, form.current.data or "",
                                form.password.data or "", sign_in)
        except AccountError:
            db.session.rollback()
            form.current.errors = [_("That is not your current password.")]
        else:
            db.session.commit()
            flash(_("Password changed. Your other sessions have ended."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("people/password.html", form=form)


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot() -> Any:
    form = ForgotForm()
    if not ops.mail_configured():
        return render_template("people/forgot.html", form=None)
    if form.validate_on_submit():
        user = ops.account_by_email(form.email.data or "")
        if user is not None:
            secret = ops.issue_reset(user)
            db.session.commit()
            link = url_for("people.reset", token=secret, _external=True)
            ops.send_mail(user.email, _("Set a new password"), _(
                "Open this link to set a new password for CRM maturity. It works once. "
                "If you did not ask for it, ignore this e-mail.") + "\n\n" + link)
        # The same answer for every address: it does not tell which have an account.
        flash(_("If that address has an account, a link to set a new password is on its "
                "way."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("people/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    found = ops.open_reset(token)
    if found is None:
        return render_template("people/expired.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        ops.use_reset(found, form.password.data or "")
        db.session.commit()
        logout_user()
        flash(_("Password set. Sign in with it."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("people/reset.html", form=form, email=found.user.email)


# --- the switcher and a team member's own work ------------------------------------------


@bp.post("/workspace/switch")
@login_required
def switch() -> Response:
    chosen = request.form.get("workspace", "")
    if not chosen.isdigit() or not ops.switch(current_user, int(chosen)):
        abort(404)
    db.session.commit()
    return redirect(url_for("clients.dashboard"))


@bp.get("/my-work")
@login_required
def my_work() -> str:
    today = current_date()
    return render_template("people/my_work.html",
                           milestones=ops.my_milestones(current_user, today), today=today,
                           grants=current_user.grants, roles=_role_names(),
                           status_labels=STATUS_LABELS)


@bp.post("/milestones/<int:milestone_id>/notes")
@login_required
def milestone_notes(milestone_id: int) -> Response:
    milestone, form = milestone_or_404(milestone_id), NotesForm()
    if not form.validate_on_submit():
        abort(400)
    set_notes(milestone, form.notes.data or "")
    db.session.commit()
    flash(_("Changes saved."), "success")
    return redirect(url_for("rollout.roadmap", assessment_id=milestone.roadmap.assessment_id,
                            _anchor=f"m{milestone.id}"))
