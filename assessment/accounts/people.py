"""People in a workspace: memberships, client grants, invitations, password resets, the
workspace switcher. Operations flush, the caller
commits.

Invitation and reset links carry a secret of which only a SHA-256 hash is stored; each
works once and until it expires. The views mail the links (`mail.py`) when a mail server
is configured, and otherwise show them to copy.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from limits import RateLimitItem, RateLimitItemPerSecond
from sqlalchemy import func, select

from .. import audit
from ..extensions import db
from ..tables import (
    CLIENT_ROLES,
    INVITATION_ROLES,
    WORKSPACE_ROLES,
    Client,
    ClientGrant,
    Invitation,
    Membership,
    PasswordReset,
    TeamMember,
    User,
    Workspace,
    utcnow,
)
from .operations import (
    AccountError,
    authenticate,
    count_in,
    counters_wait,
    create_user,
    end_sign_ins,
    normalise_email,
    set_password,
)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _secret() -> str:
    return secrets.token_urlsafe(32)


# --- memberships and grants -------------------------------------------------------------


def membership(user: User, workspace: Workspace) -> Membership | None:
    return db.session.scalar(select(Membership).where(
        Membership.user_id == user.id, Membership.workspace_id == workspace.id))


def owners(workspace: Workspace) -> int:
    return db.session.scalar(select(func.count()).select_from(Membership).join(User).where(
        Membership.workspace_id == workspace.id, Membership.role == "owner",
        User.deactivated_at.is_(None))) or 0


def set_role(workspace: Workspace, user: User, role: str) -> Membership:
    """Make a member the owner or a consultant; a workspace always keeps an owner."""
    if role not in WORKSPACE_ROLES:
        raise AccountError(f"the role must be one of {', '.join(WORKSPACE_ROLES)}")
    found = membership(user, workspace)
    if found is None:
        raise AccountError(f"{user.email} is not a member of this workspace")
    if found.role == "owner" and role != "owner" and owners(workspace) <= 1:
        raise AccountError("a workspace keeps at least one owner")
    audit.record("membership.role", workspace_id=workspace.id, subject=user.email,
                 subject_label=user.email, old={"role": found.role}, new={"role": role})
    found.role = role
    db.session.flush()
    return found


def set_active(workspace: Workspace, user: User, active: bool) -> None:
    """Deactivate an account (it no longer signs in; its sign-ins end; its history stays),
    or bring it back. The workspace's last owner is never deactivated."""
    if not active:
        found = membership(user, workspace)
        if found is not None and found.role == "owner" and owners(workspace) <= 1:
            raise AccountError("a workspace keeps at least one owner")
        was = user.deactivated_at is None
        user.deactivated_at = user.deactivated_at or utcnow()
        end_sign_ins(user)
    else:
        was = user.deactivated_at is None
        user.deactivated_at = None
    audit.record("membership.active", workspace_id=workspace.id, subject=user.email,
                 subject_label=user.email, old={"active": was}, new={"active": active})
    db.session.flush()


def grant(user: User, client: Client, role: str,
          team_member: TeamMember | None = None) -> ClientGrant:
    """Give an account a role on a client (replacing the role it had there)."""
    if role not in CLIENT_ROLES:
        raise AccountError(f"the role must be one of {', '.join(CLIENT_ROLES)}")
    found = db.session.scalar(select(ClientGrant).where(
        ClientGrant.user_id == user.id, ClientGrant.client_id == client.id))
    audit.record("grant.set", client=client, subject=user.email, subject_label=user.email,
                 old={"role": found.role if found is not None else None}, new={"role": role})
    if found is None:
        found = ClientGrant(user=user, client=client, role=role)
        db.session.add(found)
    found.role = role
    found.team_member = team_member if role == "team" else None
    db.session.flush()
    return found


def people_of(workspace: Workspace) -> list[tuple[User, Membership | None, list[ClientGrant]]]:
    """Everyone with a role in the workspace or on one of its clients, by name."""
    members = {m.user_id: m for m in db.session.scalars(
        select(Membership).where(Membership.workspace_id == workspace.id))}
    grants: dict[int, list[ClientGrant]] = {}
    for found in db.session.scalars(select(ClientGrant).join(Client).where(
            Client.workspace_id == workspace.id).order_by(Client.name)):
        grants.setdefault(found.user_id, []).append(found)
    ids = members.keys() | grants.keys()
    users = db.session.scalars(select(User).where(User.id.in_(ids))
                               .order_by(func.lower(User.name), User.email))
    return [(user, members.get(user.id), grants.get(user.id, [])) for user in users]


# --- the workspace switcher -------------------------------------------------------------


def workspaces_of(user: User) -> list[Workspace]:
    """The workspaces where the account has a membership or a grant, by name."""
    member = select(Membership.workspace_id).where(Membership.user_id == user.id)
    granted = select(Client.workspace_id).join(ClientGrant).where(ClientGrant.user_id == user.id)
    return list(db.session.scalars(select(Workspace).where(
        Workspace.id.in_(member.union(granted))).order_by(Workspace.name, Workspace.id)))


def switch(user: User, workspace_id: int) -> bool:
    """Work in another of the account's workspaces; False if it has none by that id."""
    if workspace_id not in {workspace.id for workspace in workspaces_of(user)}:
        return False
    user.workspace_id = workspace_id
    db.session.flush()
    return True


# --- invitations ------------------------------------------------------------------------


def invite(workspace: Workspace, email: str, role: str, by: User, *, name: str = "",
           client: Client | None = None,
           team_member: TeamMember | None = None) -> tuple[Invitation, str]:
    """A one-time link for `email` to join as a consultant, or with a role on `client`;
    answers the row and the link's secret (kept nowhere)."""
    email = normalise_email(email)
    if role not in INVITATION_ROLES or (role == "consultant") != (client is None):
        raise AccountError("a consultant is invited to the workspace, anyone else to a client")
    if team_member is not None and (role != "team" or team_member.client_id != getattr(
            client, "id", None)):
        raise AccountError("a team member is linked only on their own client's team")
    secret, now = _secret(), utcnow()
    invitation = Invitation(
        workspace=workspace, email=email, name=name.strip()[:120], role=role, client=client,
        team_member=team_member, token_hash=_hash(secret), invited_by=by.id, created_at=now,
        expires_at=now + timedelta(days=int(current_app.config["INVITATION_DAYS"])))
    db.session.add(invitation)
    audit.record("invitation.created", client=client, workspace_id=workspace.id,
                 subject=invitation.email, subject_label=invitation.email,
                 new={"role": role, "email": invitation.email})
    db.session.flush()
    return invitation, secret


def invitation_by_link(secret: str) -> Invitation | None:
    """The invitation a link names, whatever its state (None: no such link)."""
    return db.session.scalar(select(Invitation).where(Invitation.token_hash == _hash(secret)))


def is_open(invitation: Invitation) -> bool:
    """Whether the invitation can still be accepted: not used, withdrawn or expired."""
    return (invitation.accepted_at is None and invitation.revoked_at is None
            and invitation.expires_at > utcnow())


def open_invitation(secret: str) -> Invitation | None:
    """The invitation a link names while it can still be accepted (else None)."""
    found = invitation_by_link(secret)
    return found if found is not None and is_open(found) else None


def existing_account(invitation: Invitation) -> User | None:
    return db.session.scalar(select(User).where(User.email == invitation.email))


def accept_new(invitation: Invitation, name: str, password: str) -> User:
    """Accept an invitation for an e-mail without an account: the account is made with
    this name and password, and given the invitation's role. The link is used up."""
    if not is_open(invitation) or existing_account(invitation) is not None:
        raise AccountError("this invitation cannot make a new account")
    user = create_user(invitation.email, password, name=name.strip() or invitation.name,
                       workspace=invitation.workspace, role="none")
    _join(invitation, user)
    return user


def accept(invitation: Invitation, user: User, password: str) -> None:
    """Accept an invitation as the signed-in account it was sent to, confirmed with the
    account's password: the membership or grant is added. The link is used up."""
    if not is_open(invitation) or user.email != invitation.email:
        raise AccountError(f"this invitation is not for {user.email}")
    if authenticate(user.email, password) is None:
        raise AccountError("that is not the password of this account")
    _join(invitation, user)


def _join(invitation: Invitation, user: User) -> None:
    if invitation.client is None:
        if membership(user, invitation.workspace) is None:
            db.session.add(Membership(user=user, workspace=invitation.workspace,
                                      role=invitation.role))
    else:
        person = invitation.team_member
        if invitation.role == "team" and person is None:
            person = TeamMember(client=invitation.client, name=user.name or user.email,
                                email=user.email)
            db.session.add(person)
        grant(user, invitation.client, invitation.role, person)
    user.workspace_id = invitation.workspace_id
    invitation.accepted_at = utcnow()
    invitation.accepted_by = user.id
    audit.record("invitation.accepted", client=invitation.client,
                 workspace_id=invitation.workspace_id, subject=invitation.email,
                 subject_label=invitation.email, new={"role": invitation.role},
                 actor=audit.account_actor(user))
    db.session.flush()


def revoke_invitation(invitation: Invitation) -> None:
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()
        audit.record("invitation.revoked", client=invitation.client,
                     workspace_id=invitation.workspace_id, subject=invitation.email,
                     subject_label=invitation.email, old={"role": invitation.role})
    db.session.flush()


def renew_invitation(invitation: Invitation) -> str:
    """Send an invitation again: a new link (the old one stops working) for another
    `INVITATION_DAYS`; answers the new secret. Only one not accepted or withdrawn."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise AccountError("only an invitation still pending is sent again")
    secret = _secret()
    invitation.token_hash = _hash(secret)
    invitation.expires_at = utcnow() + timedelta(
        days=int(current_app.config["INVITATION_DAYS"]))
    audit.record("invitation.renewed", client=invitation.client,
                 workspace_id=invitation.workspace_id, subject=invitation.email,
                 subject_label=invitation.email, new={"role": invitation.role})
    db.session.flush()
    return secret


def pending_invitations(workspace: Workspace) -> list[Invitation]:
    return list(db.session.scalars(select(Invitation).where(
        Invitation.workspace_id == workspace.id, Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc())))


def client_people(client: Client) -> tuple[list[tuple[User, list[ClientGrant]]],
                                          list[Invitation]]:
    """Who holds a role on the client (with their grants there), and its pending
    invitations."""
    people = [(user, [g for g in grants if g.client_id == client.id])
              for user, _member, grants in people_of(client.workspace)
              if any(g.client_id == client.id for g in grants)]
    pending = [i for i in pending_invitations(client.workspace) if i.client_id == client.id]
    return people, pending


# --- passwords --------------------------------------------------------------------------


def change_password(user: User, current: str, new: str, keep_sign_in: str) -> int:
    """Change one's own password; every other sign-in of the account ends (answers how
    many)."""
    if authenticate(user.email, current) is None:
        raise AccountError("that is not your current password")
    set_password(user, new)
    return end_sign_ins(user, except_id=keep_sign_in)


def issue_reset(user: User, by: User | None = None) -> str:
    """A one-time link to set a new password; answers its secret (kept nowhere)."""
    secret = _secret()
    hours = int(current_app.config["PASSWORD_RESET_HOURS"])
    db.session.add(PasswordReset(user_id=user.id, token_hash=_hash(secret),
                                 issued_by=by.id if by else None,
                                 expires_at=utcnow() + timedelta(hours=hours)))
    db.session.flush()
    return secret


def reset_by_link(secret: str) -> PasswordReset | None:
    """The reset a link names, whatever its state (None: no such link)."""
    return db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == _hash(secret)))


def reset_is_open(reset: PasswordReset) -> bool:
    """Whether the link still sets a password: not used, not expired, account active."""
    return (reset.used_at is None and reset.expires_at > utcnow()
            and reset.user.deactivated_at is None)


def open_reset(secret: str) -> PasswordReset | None:
    found = reset_by_link(secret)
    return found if found is not None and reset_is_open(found) else None


def use_reset(reset: PasswordReset, password: str) -> User:
    """Set the new password; the link is used up and every sign-in of the account ends."""
    if not reset_is_open(reset):
        raise AccountError("this link no longer sets a password")
    set_password(reset.user, password)
    reset.used_at = utcnow()
    end_sign_ins(reset.user)
    db.session.flush()
    return reset.user


def account_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(
        func.lower(User.email) == email.strip().lower(), User.deactivated_at.is_(None)))


def _reset_request_counters(email: str, address: str) -> list[tuple[RateLimitItem, str, str]]:
    """(limit, scope, key) of the two counts of "forgot password" requests: per e-mail typed
    (whether or not it has an account, so a refusal tells nothing), per address."""
    config = current_app.config
    window = int(config["LOGIN_FAILURE_WINDOW"])
    return [(RateLimitItemPerSecond(int(config["RESET_REQUESTS_PER_ACCOUNT"]), window),
             "reset-account", email.strip().lower()),
            (RateLimitItemPerSecond(int(config["RESET_REQUESTS_PER_ADDRESS"]), window),
             "reset-address", address)]


def reset_request_wait(email: str, address: str) -> int:
    """Seconds until a reset link may be asked for this e-mail from this address; 0: now.
    Every request counts (`count_reset_request`), answered or not: each may send a mail."""
    return counters_wait(_reset_request_counters(email, address))


def count_reset_request(email: str, address: str) -> None:
    count_in(_reset_request_counters(email, address))
