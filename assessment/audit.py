"""The audit trail: one row per change, written in the same transaction as the change.

Operations call `record` (or, on the answer save path, `record_answer`) after they have
changed something, never before and never when nothing changed; the row is added to the
session (or the connection) the change is made on, so it is committed, or rolled back,
with it. Who made the change comes from the request (`current_actor`): the signed-in
account or the API token's account; outside a request, the command line or an import
(`system`). A respondent who answers (a workshop participant, someone using an executive
share link, a consultant in the walk) is the actor of their own answers
(`respondent_actor`).

Action codes are `<thing>.<what happened>`; the access model adds `membership.*`,
`grant.*` and `invitation.*` the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import JSON, Connection, DateTime, String, bindparam, case, func, select
from sqlalchemy import insert as sql_insert

from .extensions import db
from .tables import (
    Assessment,
    AuditEntry,
    Client,
    Respondent,
    Roadmap,
    User,
    utcnow,
)

#: every action the trail knows, in the order the activity page offers them
ACTIONS = (
    "answer.set", "answer.cleared",
    "agreed.set", "agreed.cleared",
    "assessment.completed", "assessment.reopened",
    "workshop.opened", "workshop.closed", "workshop.stage_locked", "workshop.stage_unlocked",
    "participant.removed",
    "share.issued", "share.revoked",
    "milestone.created", "milestone.changed", "milestone.deleted", "milestone.status",
    "membership.role", "membership.active", "grant.set",
    "invitation.created", "invitation.accepted", "invitation.revoked", "invitation.renewed",
    "data.profiled",
)
#: a respondent's kind -> the kind of actor they are when they answer
RESPONDENT_ACTORS = {"consultant": "account", "executive": "link", "participant": "participant"}
MAX_LABEL = 254


@dataclass(frozen=True)
class Actor:
    """Who made a change, as stored: kind, account or respondent id, and a readable label."""

    kind: str
    user_id: int | None = None
    respondent_id: int | None = None
    label: str = ""


SYSTEM = Actor("system")


def account_actor(user: User) -> Actor:
    return Actor("account", user_id=user.id, label=(user.name or user.email)[:MAX_LABEL])


def respondent_actor(respondent: Respondent) -> Actor:
    """A respondent acting for themselves: their own answers, finishing their walk."""
    kind = RESPONDENT_ACTORS.get(respondent.kind, "system")
    return Actor(kind, user_id=respondent.user_id, respondent_id=respondent.id,
                 label=(respondent.name or "")[:MAX_LABEL])


def current_actor() -> Actor:
    """Who is making the request's changes: the API token's account, else the signed-in
    account; outside a request (the command line, an import, the demo), the system."""
    if has_request_context():
        api_user = g.get("api_user")
        if api_user is not None:
            return account_actor(api_user)
        if current_user.is_authenticated:
            return account_actor(current_user)
    return SYSTEM


def changed(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[dict[str, Any],
                                                                     dict[str, Any]]:
    """Only the keys whose values differ, before and after."""
    keys = [key for key in {**old, **new} if old.get(key) != new.get(key)]
    return {k: old.get(k) for k in keys if k in old}, {k: new.get(k) for k in keys if k in new}


def record(action: str, *, assessment: Assessment | None = None, roadmap: Roadmap | None = None,
           client: Client | None = None, workspace_id: int | None = None,
           subject: str = "", subject_label: str = "",
           old: Mapping[str, Any] | None = None, new: Mapping[str, Any] | None = None,
           actor: Actor | None = None) -> AuditEntry | None:
    """Add one entry to the session (committed with the change it describes).

    The entry names the most precise thing given (a roadmap names its assessment, which
    names its client and workspace). Nothing is recorded when old and new are given and
    equal: only a change is a change.
    """
    if old is not None and new is not None and dict(old) == dict(new):
        return None
    if any(row is not None and row.id is None for row in (roadmap, assessment, client)):
        db.session.flush()  # new rows get their ids
    if roadmap is not None and assessment is None:
        assessment = roadmap.assessment
    if assessment is not None and client is None:
        client = assessment.client
    if client is not None:
        workspace_id = client.workspace_id
    if workspace_id is None:
        raise ValueError("an audit entry needs a workspace")
    who = actor or current_actor()
    entry = AuditEntry(
        workspace_id=workspace_id, client_id=client.id if client else None,
        assessment_id=assessment.id if assessment else None,
        roadmap_id=roadmap.id if roadmap else None, at=utcnow(),
        actor_kind=who.kind, user_id=who.user_id, respondent_id=who.respondent_id,
        actor_label=who.label, action=action, subject=subject[:120],
        subject_label=subject_label, old=dict(old) if old is not None else None,
        new=dict(new) if new is not None else None)
    db.session.add(entry)
    return entry


# --- the answer save path: one statement, on the save's own connection ----------------


@functools.cache
def _answer_entry() -> Any:
    """INSERT ... SELECT: the workspace, client, account and label come from the
    respondent's own rows in the same statement, so a save reads nothing more."""
    entries = AuditEntry.__table__
    respondents, assessments, clients, users = (Respondent.__table__, Assessment.__table__,
                                                Client.__table__, User.__table__)
    label = case((users.c.id.is_not(None),
                  func.coalesce(func.nullif(users.c.name, ""), users.c.email)),
                 else_=respondents.c.name)
    source = (
        select(clients.c.workspace_id, clients.c.id, assessments.c.id,
               bindparam("at", type_=DateTime), bindparam("actor_kind", type_=String),
               respondents.c.user_id, respondents.c.id, label,
               bindparam("action", type_=String), bindparam("subject", type_=String),
               bindparam("subject_label", type_=String),
               bindparam("old", type_=JSON), bindparam("new", type_=JSON))
        .select_from(respondents.join(assessments, assessments.c.id
                                      == respondents.c.assessment_id)
                     .join(clients, clients.c.id == assessments.c.client_id)
                     .outerjoin(users, users.c.id == respondents.c.user_id))
        .where(respondents.c.id == bindparam("respondent_id")))
    return sql_insert(entries).from_select(
        ["workspace_id", "client_id", "assessment_id", "at", "actor_kind", "user_id",
         "respondent_id", "actor_label", "action", "subject", "subject_label", "old", "new"],
        source)


def record_answer(connection: Connection, respondent_id: int, respondent_kind: str,
                  question_id: str, old: Mapping[str, Any] | None, new: Mapping[str, Any],
                  at: datetime | None = None) -> None:
    """An answer's change, by the respondent who answered (see `walk.operations.save_answer`).

    `old` is None for a first answer; a value that goes back to none is 'answer.cleared'.
    """
    cleared = "value" in new and new["value"] is None and old is not None \
        and old.get("value") is not None
    connection.execute(_answer_entry(), {
        "respondent_id": respondent_id, "at": at or utcnow(),
        "actor_kind": RESPONDENT_ACTORS.get(respondent_kind, "system"),
        "action": "answer.cleared" if cleared else "answer.set", "subject": question_id,
        "subject_label": "", "old": dict(old) if old is not None else None, "new": dict(new)})
