"""Who may do what, and workspace scoping: every lookup of a workspace's row by id goes
through here.

Roles: a membership makes an account the owner or a consultant of a workspace (every
client); a client grant makes it a viewer or a team member of one client. `gate` runs
before every request and refuses an endpoint the signed-in account's roles do not allow
(`CLIENT_ENDPOINTS`, `OWNER_ENDPOINTS`); the web's `KIND_or_404` lookups then narrow an
account that only holds grants to the clients whose grant allows the endpoint, and a team
member's changes to the milestones they own.

One function a kind, `KIND_in(workspace_id, ...)`, answers the row when it belongs to that
workspace and None otherwise. The web passes the signed-in consultant's workspace, the API
its token's. The web's `KIND_or_404` wrappers scope to `current_user` and answer 404, never
403: a row of another workspace looks the same as no row at all.

Rows reached by a secret instead (an executive's share link, a workshop's code, a
participant's token) belong to whoever holds the secret, whatever their workspace; those
lookups stay with their features.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from flask import abort, g, has_request_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, select

from .extensions import db
from .tables import (
    Assessment,
    Client,
    ClientGrant,
    DataProfile,
    Evidence,
    Invitation,
    Membership,
    Milestone,
    Respondent,
    Roadmap,
    TeamMember,
    User,
    Workshop,
    Workspace,
)

T = TypeVar("T")

#: the largest id the database can hold (a signed 64-bit integer): a larger one names no row
MAX_ID = 2**63 - 1


#: endpoints anyone may reach, signed in or not, whatever their roles: the gate lets them
#: through without loading the account (a workshop's saves stay as cheap as they were)
PUBLIC_BLUEPRINTS = frozenset({"pages", "share", "api"})
PUBLIC_ENDPOINTS = frozenset({
    "static", "accounts.login", "accounts.set_language", "people.accept",
    "people.forgot", "people.reset", "workshop.enter_code", "workshop.join",
    "workshop.save", "workshop.complete", "workshop.done", "workshop.review",
    "workshop.resume", "workshop.stage", "workshop.stage_post", "workshop.resume_link",
})
#: what every signed-in account may reach: its own account and its own work
ACCOUNT_ENDPOINTS = frozenset({
    "accounts.logout", "accounts.account", "accounts.sign_out_everywhere",
    "people.password", "people.switch", "rollout.mine",
    "rollout.my_milestones",
})
#: what only a workspace's owner may do
OWNER_ENDPOINTS = frozenset({
    "people.members", "people.invite_consultant", "people.set_role", "people.deactivate",
    "people.reactivate", "people.reset_link", "people.revoke_invitation",
    "people.resend_invitation",
    "activity.workspace", "activity.workspace_csv", "activity.assessment",
    "activity.assessment_csv", "activity.roadmap", "activity.roadmap_csv",
})
#: what a client's own people may reach on their client, by the role of their grant
_READ_ROADMAP = frozenset({"rollout.roadmap", "rollout.evidence_download",
                           "clients.client_logo", "status.status_pdf"})
#: the roles a person holds, as pages, mails and the activity name them
ROLE_NAMES = {"owner": _l("Workspace owner"), "consultant": _l("Consultant"),
              "viewer": _l("Client viewer"), "team": _l("Team member")}
CLIENT_ENDPOINTS: dict[str, frozenset[str]] = {
    "viewer": _READ_ROADMAP | {"walk.results", "walk.report", "walk.report_docx",
                               "trend.client_trend", "rollout.my_client",
                               "profiling.result"},
    "team": _READ_ROADMAP | {"rollout.milestone_status",
                             "rollout.evidence_link", "rollout.evidence_file",
                             "rollout.evidence_delete", "rollout.my_update",
                             "rollout.my_evidence"},
}
#: of those, what changes a milestone: a team member only on the milestones they own
OWN_MILESTONE_ENDPOINTS = frozenset({
    "rollout.milestone_status", "rollout.evidence_link",
    "rollout.evidence_file", "rollout.evidence_delete", "rollout.my_update",
    "rollout.my_evidence",
})


def _in(workspace_id: int, query: Select[Any], *ids: int) -> Any:
    """The row `query` finds, if it is the workspace's (else None). `query` must join its
    way to Client; SQLAlchemy warns of a cartesian product when it does not. On the web,
    an account that only holds client grants is narrowed further (`_narrowed`)."""
    if not all(0 < i <= MAX_ID for i in ids):
        return None
    return db.session.scalar(_narrowed(query.where(Client.workspace_id == workspace_id)))


# --- roles ------------------------------------------------------------------------------


def workspace_role(user: User, workspace_id: int) -> str | None:
    """'owner' or 'consultant' when the account is a member of the workspace, else None."""
    return db.session.scalar(select(Membership.role).where(
        Membership.user_id == user.id, Membership.workspace_id == workspace_id))


def grants_in(user: User, workspace_id: int) -> list[ClientGrant]:
    """The account's grants on the workspace's clients."""
    return list(db.session.scalars(select(ClientGrant).join(Client).where(
        ClientGrant.user_id == user.id, Client.workspace_id == workspace_id)
        .order_by(Client.name, ClientGrant.id)))


def role() -> str | None:
    """The signed-in account's role in its current workspace (None: grants only), once a
    request."""
    if "workspace_role" not in g:
        g.workspace_role = workspace_role(current_user, int(current_user.workspace_id))
    return g.workspace_role


def is_owner() -> bool:
    return role() == "owner"


def allowed_grants(endpoint: str | None) -> list[ClientGrant]:
    """The signed-in account's grants in its current workspace whose role allows
    `endpoint`."""
    return [grant for grant in grants_in(current_user, int(current_user.workspace_id))
            if endpoint in CLIENT_ENDPOINTS[grant.role]]


def may(endpoint: str) -> bool:
    """Whether the signed-in account may reach `endpoint` at all (rows aside); for pages
    that offer a button only to those whose click would be accepted."""
    if endpoint in PUBLIC_ENDPOINTS or endpoint in ACCOUNT_ENDPOINTS:
        return True
    if not current_user.is_authenticated:
        return False
    if role() is not None:
        return endpoint not in OWNER_ENDPOINTS or is_owner()
    return bool(allowed_grants(endpoint))


def gate() -> Any:
    """Before every request: refuse (403) what the signed-in account's roles do not allow.
    Someone signed out passes; the view's own `login_required` sends them to sign in."""
    endpoint = request.endpoint or ""
    if (endpoint in PUBLIC_ENDPOINTS or endpoint.partition(".")[0] in PUBLIC_BLUEPRINTS
            or not current_user.is_authenticated or may(endpoint)):
        return None
    if role() is None and endpoint == "clients.dashboard":
        return redirect(url_for("rollout.mine"))
    abort(403)


def _narrowed(query: Select[Any]) -> Select[Any]:
    """On the web, for an account without a membership of its workspace: only the clients
    whose grant allows this request's endpoint, and for a change to a milestone, only the
    milestones the team member owns."""
    if not has_request_context() or request.blueprint in PUBLIC_BLUEPRINTS \
            or not current_user.is_authenticated or role() is not None:
        return query
    grants = allowed_grants(request.endpoint)
    query = query.where(Client.id.in_([grant.client_id for grant in grants]))
    if request.endpoint in OWN_MILESTONE_ENDPOINTS:
        query = query.where(Milestone.owner_id.in_(_owned(grants)))
    return query


def _owned(grants: Iterable[ClientGrant]) -> list[int]:
    return [grant.team_member_id for grant in grants if grant.team_member_id is not None]


def client_in(workspace_id: int, client_id: int) -> Client | None:
    return _in(workspace_id, select(Client).where(Client.id == client_id), client_id)


def assessment_in(workspace_id: int, assessment_id: int) -> Assessment | None:
    return _in(workspace_id, select(Assessment).join(Client).where(
        Assessment.id == assessment_id), assessment_id)


def roadmap_in(workspace_id: int, assessment_id: int) -> Roadmap | None:
    """The roadmap of an assessment (routes name a roadmap by its assessment)."""
    return _in(workspace_id, select(Roadmap).join(Assessment).join(Client).where(
        Roadmap.assessment_id == assessment_id), assessment_id)


def workshop_in(workspace_id: int, assessment_id: int) -> Workshop | None:
    """The live workshop of an assessment."""
    return _in(workspace_id, select(Workshop).join(Assessment).join(Client).where(
        Workshop.assessment_id == assessment_id), assessment_id)


def milestone_in(workspace_id: int, milestone_id: int) -> Milestone | None:
    return _in(workspace_id, select(Milestone).join(Roadmap).join(Assessment).join(Client)
               .where(Milestone.id == milestone_id), milestone_id)


def evidence_in(workspace_id: int, evidence_id: int) -> Evidence | None:
    return _in(workspace_id, select(Evidence).join(Milestone).join(Roadmap).join(Assessment)
               .join(Client).where(Evidence.id == evidence_id), evidence_id)


def member_in(workspace_id: int, member_id: int) -> TeamMember | None:
    """A person on one of the workspace's client teams."""
    return _in(workspace_id, select(TeamMember).join(Client).where(TeamMember.id == member_id),
               member_id)


def participant_in(workspace_id: int, assessment_id: int, respondent_id: int) -> Respondent | None:
    """A workshop participant of this assessment (not a consultant or an executive)."""
    return _in(workspace_id, select(Respondent).join(Assessment).join(Client).where(
        Respondent.id == respondent_id, Respondent.assessment_id == assessment_id,
        Respondent.kind == "participant"), assessment_id, respondent_id)


def data_profile_in(workspace_id: int, client_id: int, profile_id: int) -> DataProfile | None:
    """A measurement of this client's customer data."""
    return _in(workspace_id, select(DataProfile).join(Client).where(
        DataProfile.id == profile_id, DataProfile.client_id == client_id), client_id,
        profile_id)


def invitation_in(workspace_id: int, invitation_id: int) -> Invitation | None:
    """An invitation the workspace sent (to a consultant or to a client's people)."""
    if not 0 < invitation_id <= MAX_ID:
        return None
    return db.session.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.workspace_id == workspace_id))


# --- the web: the signed-in consultant's workspace, 404 for anything else -------------


def _found(row: T | None) -> T:
    if row is None:
        abort(404)
    return row


def _own() -> int:
    return int(current_user.workspace_id)


def client_or_404(client_id: int) -> Client:
    return _found(client_in(_own(), client_id))


def assessment_or_404(assessment_id: int) -> Assessment:
    return _found(assessment_in(_own(), assessment_id))


def roadmap_or_404(assessment_id: int) -> Roadmap:
    return _found(roadmap_in(_own(), assessment_id))


def workshop_or_404(assessment_id: int) -> Workshop:
    return _found(workshop_in(_own(), assessment_id))


def milestone_or_404(milestone_id: int) -> Milestone:
    return _found(milestone_in(_own(), milestone_id))


def evidence_or_404(evidence_id: int) -> Evidence:
    return _found(evidence_in(_own(), evidence_id))


def member_or_404(member_id: int) -> TeamMember:
    return _found(member_in(_own(), member_id))


def participant_or_404(assessment_id: int, respondent_id: int) -> Respondent:
    return _found(participant_in(_own(), assessment_id, respondent_id))


def data_profile_or_404(client_id: int, profile_id: int) -> DataProfile:
    return _found(data_profile_in(_own(), client_id, profile_id))


# --- who may change a workspace's own settings -----------------------------------------


def may_change_workspace(user: User, workspace: Workspace) -> bool:
    """Whether `user` may change `workspace`'s settings (its name and brand): its owner
    and its consultants, not a client's own people."""
    return workspace_role(user, workspace.id) is not None


def workspace_to_change() -> Workspace:
    """The signed-in consultant's workspace, when they may change its settings; 403 else."""
    workspace: Workspace = current_user.workspace
    if not may_change_workspace(current_user, workspace):
        abort(403)
    return workspace


# --- the audit trail ----------------------------------------------------------------


def can_read_audit(user: Any, workspace_id: int) -> bool:
    """Whether `user` may read the workspace's activity (who changed what).

    Its owner only (the activity pages are also in OWNER_ENDPOINTS, for the gate).
    """
    return (bool(getattr(user, "is_authenticated", False))
            and workspace_role(user, workspace_id) == "owner")


def audit_or_404() -> int:
    """The signed-in user's workspace, if they may read its activity (404 otherwise)."""
    if not can_read_audit(current_user, _own()):
        abort(404)
    return _own()


def invitation_or_404(invitation_id: int) -> Invitation:
    return _found(invitation_in(_own(), invitation_id))
