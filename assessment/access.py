"""Workspace scoping: every lookup of a workspace's row by id goes through here.

One function a kind, `KIND_in(workspace_id, ...)`, answers the row when it belongs to that
workspace and None otherwise. The web passes the signed-in consultant's workspace, the API
its token's. The web's `KIND_or_404` wrappers scope to `current_user` and answer 404, never
403: a row of another workspace looks the same as no row at all.

Rows reached by a secret instead (an executive's share link, a workshop's code, a
participant's token) belong to whoever holds the secret, whatever their workspace; those
lookups stay with their features.
"""

from __future__ import annotations

from typing import Any, TypeVar

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from .extensions import db
from .tables import (
    Assessment,
    Client,
    Evidence,
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


def _in(workspace_id: int, query: Select[Any], *ids: int) -> Any:
    """The row `query` finds, if it is the workspace's (else None). `query` must join its
    way to Client; SQLAlchemy warns of a cartesian product when it does not."""
    if not all(0 < i <= MAX_ID for i in ids):
        return None
    return db.session.scalar(query.where(Client.workspace_id == workspace_id))


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


# --- who may change a workspace's own settings -----------------------------------------


def may_change_workspace(user: User, workspace: Workspace) -> bool:
    """Whether `user` may change `workspace`'s settings (its name and brand): for now every
    consultant of the workspace may. Roles (owner, consultant, viewer) narrow it here."""
    return bool(user.workspace_id == workspace.id)


def workspace_to_change() -> Workspace:
    """The signed-in consultant's workspace, when they may change its settings; 403 else."""
    workspace: Workspace = current_user.workspace
    if not may_change_workspace(current_user, workspace):
        abort(403)
    return workspace


# --- the audit trail ----------------------------------------------------------------


def can_read_audit(user: Any, workspace_id: int) -> bool:
    """Whether `user` may read the workspace's activity (who changed what).

    For now every signed-in account of the workspace; the access model narrows this to
    the workspace's owner, here and nowhere else.
    """
    return bool(getattr(user, "is_authenticated", False)) and user.workspace_id == workspace_id


def audit_or_404() -> int:
    """The signed-in user's workspace, if they may read its activity (404 otherwise)."""
    if not can_read_audit(current_user, _own()):
        abort(404)
    return _own()
