"""People pages: invitations, passwords, the owner's members page, the workspace switcher.
Who may reach each one is decided by `access.gate`."""

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
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from ..access import ROLE_NAMES, client_or_404, invitation_or_404, member_in
from ..extensions import db
from ..tables import Client, Invitation, TeamMember, User
from . import mail
from . import people as ops
from .forms import (
    AcceptExistingForm,
    AcceptForm,
    ForgotForm,
    InviteForm,
    PasswordForm,
    ResetForm,
    RoleForm,
    choices,
)
from .operations import AccountError
from .signing import sign_in, sign_out, wait_words

bp = Blueprint("people", __name__)


def _link_page(link: str, email: str, kind: str, sent: bool = False) -> str:
    """The link, to copy and send: where no mail server is configured, where it refused,
    and always for a reset link the owner issues (`sent`: it was mailed too)."""
    return render_template("people/link.html", link=link, email=email, kind=kind, sent=sent)


def _mailed(to: str, template: str, **context: Any) -> bool:
    """Mail `to` when a server is configured; False (with the reason shown) when none is
    or it refused, so the page shows the link to copy instead."""
    try:
        return mail.send(mail.compose(to, template, **context))
    except mail.MailError as exc:
        current_app.logger.warning("mail to %s not sent: %s", to, exc)
        flash(_("The mail server did not take the e-mail (%(reason)s). Send the link "
                "yourself.", reason=str(exc)), "danger")
        return False


def _gone(status: int) -> tuple[str, int]:
    """An invitation or reset link that opens nothing: unknown (404), or used, withdrawn
    or expired (410)."""
    return render_template("people/expired.html"), status


# --- invitations ------------------------------------------------------------------------


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> Any:
    invitation = ops.invitation_by_link(token)
    if invitation is None or not ops.is_open(invitation):
        return _gone(404 if invitation is None else 410)
    existing = ops.existing_account(invitation)
    refused = _not_here(invitation, existing)
    if refused is not None:
        return refused
    form = AcceptExistingForm() if existing else AcceptForm(name=invitation.name)
    if form.validate_on_submit():
        done = _join(invitation, existing, form)
        if done is not None:
            return done
    return _accept_page(invitation, form, existing)


def _accept_page(invitation: Invitation, form: Any, existing: User | None,
                 other: User | None = None) -> str:
    return render_template("people/accept.html", invitation=invitation, form=form,
                           existing=existing, roles=ROLE_NAMES, other=other)


def _not_here(invitation: Invitation, existing: User | None) -> Any:
    """Why this browser cannot accept now: signed in as someone else (accepting would sign
    it in as another person, or add the role to the wrong account), or the e-mail has an
    account that must sign in first. None when it can."""
    signed_in = current_user if current_user.is_authenticated else None
    if signed_in is not None and signed_in.email != invitation.email:
        return _accept_page(invitation, None, existing, other=signed_in), 403
    if existing is not None and signed_in is None:
        flash(_("You have an account already: sign in as %(email)s to accept the invitation.",
                email=invitation.email), "info")
        return redirect(url_for("accounts.login", next=request.path))
    return None


def _join(invitation: Invitation, existing: User | None, form: Any) -> Response | None:
    """Accept with the form's password (a new account is made and signed in); None when
    the password of an existing account is wrong (said on the form)."""
    try:
        if existing is not None:
            ops.accept(invitation, existing, form.password.data or "")
            db.session.commit()
        else:
            sign_in(ops.accept_new(invitation, form.name.data or "", form.password.data or ""),
                    remember=False)  # commits
    except AccountError:
        db.session.rollback()
        if existing is None:  # the account was made meanwhile, from another tab
            return redirect(request.path)
        form.password.errors = [_("That is not the password of this account.")]
        return None
    flash(_("Welcome to %(workspace)s.", workspace=invitation.workspace.name), "success")
    return redirect(url_for("clients.dashboard"))


def _invite(form: InviteForm, role: str, **where: Any) -> str | None:
    """Make the invitation and mail it (answers ""), or answer the page with its link to
    copy; None after a refusal (shown on the form)."""
    try:
        invitation, secret = ops.invite(current_user.workspace, form.email.data or "", role,
                                        current_user, name=form.name.data or "", **where)
    except AccountError:
        db.session.rollback()
        form.email.errors = [_("Enter an e-mail address.")]
        return None
    db.session.commit()
    return _send_invitation(invitation, secret)


def _send_invitation(invitation: Invitation, secret: str) -> str:
    link = url_for("people.accept", token=secret, _external=True)
    if _mailed(invitation.email, "invitation", invitation=invitation, link=link,
               inviter=current_user, role=str(ROLE_NAMES[invitation.role]),
               days=int(current_app.config["INVITATION_DAYS"])):
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
        return ""
    return _link_page(link, invitation.email, "invitation")


@bp.route("/clients/<int:client_id>/invite", methods=["GET", "POST"])
@login_required
def invite_client(client_id: int) -> Any:
    client = client_or_404(client_id)
    form = _client_invite_form(client)
    if form.validate_on_submit():
        person = _team_member(client, form)
        page = _invite(form, form.role.data or "", client=client,
                       team_member=person if form.role.data == "team" else None)
        if page == "":
            return redirect(url_for("people.invite_client", client_id=client.id))
        if page is not None:
            return page
    people, pending = ops.client_people(client)
    return render_template("people/invite_client.html", client=client, form=form,
                           people=people, pending=pending, roles=ROLE_NAMES)


def _client_invite_form(client: Client) -> InviteForm:
    """The form, filled with a team member's name and e-mail when the team page's link
    names one."""
    form = InviteForm(member=request.args.get("member", ""))
    form.role.choices = choices([(role, str(ROLE_NAMES[role])) for role in ("team", "viewer")])
    form.member.choices = choices([("", _("A new team member"))] + [
        (str(person.id), person.name) for person in client.team])
    chosen = next((p for p in client.team if str(p.id) == form.member.data), None)
    if request.method == "GET" and chosen is not None:
        form.email.data, form.name.data = chosen.email, chosen.name
    return form


def _team_member(client: Client, form: InviteForm) -> TeamMember | None:
    """The person of the client's team the form names (404 for another's); the invitation
    goes to their e-mail unless another is typed."""
    if not form.member.data:
        return None
    person = member_in(current_user.workspace_id, int(form.member.data)) \
        if form.member.data.isdigit() else None
    if person is None or person.client_id != client.id:
        abort(404)
    form.email.data = form.email.data or person.email
    form.name.data = form.name.data or person.name
    return person


# --- the owner's members page -----------------------------------------------------------


@bp.get("/members")
@login_required
def members() -> str:
    workspace = current_user.workspace
    return render_template("people/members.html", people=ops.people_of(workspace),
                           pending=ops.pending_invitations(workspace), form=InviteForm(),
                           role_form=RoleForm(), roles=ROLE_NAMES,
                           mail=mail.configured())


@bp.post("/members/invite")
@login_required
def invite_consultant() -> Any:
    form = InviteForm()
    form.role.choices = choices([("consultant", _("Consultant"))])
    form.role.data = "consultant"
    page = _invite(form, "consultant") if form.validate_on_submit() else None
    if page:
        return page
    if page is None:
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
    link = url_for("people.reset", token=secret, _external=True)
    sent = _mailed(person.email, "reset", link=link, user=person, by=current_user,
                   hours=int(current_app.config["PASSWORD_RESET_HOURS"]))
    return _link_page(link, person.email, "reset", sent=sent)


@bp.post("/members/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(invitation_id: int) -> Response:
    ops.revoke_invitation(invitation_or_404(invitation_id))
    db.session.commit()
    flash(_("Invitation withdrawn."), "success")
    return redirect(url_for("people.members"))


@bp.post("/members/invitations/<int:invitation_id>/resend")
@login_required
def resend_invitation(invitation_id: int) -> Any:
    """A new link for a pending invitation (the old one stops working), mailed or shown."""
    invitation = invitation_or_404(invitation_id)
    try:
        secret = ops.renew_invitation(invitation)
    except AccountError:
        abort(409)
    db.session.commit()
    return _send_invitation(invitation, secret) or redirect(url_for("people.members"))


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
    if form.validate_on_submit():
        email, address = form.email.data or "", get_remote_address()
        wait = ops.reset_request_wait(email, address)
        if wait:
            flash(_("Too many requests for a new password. Wait %(wait)s, then try again.",
                    wait=wait_words(wait)), "danger")
            return render_template("people/forgot.html", form=form), 429, \
                {"Retry-After": str(wait)}
        ops.count_reset_request(email, address)
        user = ops.account_by_email(email)
        if user is not None and mail.configured():
            secret = ops.issue_reset(user)
            db.session.commit()
            link = url_for("people.reset", token=secret, _external=True)
            try:
                mail.send(mail.compose(user.email, "reset", link=link, user=user, by=None,
                                       hours=int(current_app.config["PASSWORD_RESET_HOURS"])))
            except mail.MailError as exc:  # told to nobody here: the answer stays the same
                current_app.logger.warning("reset link to %s not sent: %s", user.email, exc)
        # The same answer for every address, mail server or not: it tells nobody which
        # addresses have an account.
        flash(_("If that address has an account, a link to set a new password is on its "
                "way. If none arrives, ask your workspace's owner for one."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("people/forgot.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    found = ops.reset_by_link(token)
    if found is None or not ops.reset_is_open(found):
        return _gone(404 if found is None else 410)
    form = ResetForm()
    if form.validate_on_submit():
        ops.use_reset(found, form.password.data or "")
        db.session.commit()
        if current_user.is_authenticated:
            sign_out()  # its sign-in has just ended with every other
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
