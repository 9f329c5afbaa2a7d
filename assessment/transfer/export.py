"""A client to the file's JSON, the same bytes every time for the same data."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from ..brand import logo_type
from ..extensions import db
from ..tables import (
    AgreedAnswer,
    Answer,
    Assessment,
    AuditEntry,
    Client,
    Respondent,
    Roadmap,
    User,
)
from .schema import FORMAT, VERSION


def _when(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def export_client(client: Client) -> dict[str, Any]:
    """Everything stored about a client, as plain JSON values (see docs/transfer.md)."""
    members = sorted(client.team, key=lambda m: (m.name, m.id))
    team_keys = {member.id: f"t{index}" for index, member in enumerate(members, start=1)}
    user_ids: set[int] = set()
    for assessment in client.assessments:
        user_ids.update(r.user_id for r in assessment.respondents if r.user_id is not None)
    emails: dict[int, str] = {}
    decided: dict[int, list[AgreedAnswer]] = {}
    for assessment in client.assessments:
        decided[assessment.id] = list(db.session.scalars(
            select(AgreedAnswer).where(AgreedAnswer.assessment_id == assessment.id)
            .order_by(AgreedAnswer.question_id)))
        user_ids.update(a.decided_by for a in decided[assessment.id] if a.decided_by is not None)
    if user_ids:
        emails = dict(db.session.execute(
            select(User.id, User.email).where(User.id.in_(user_ids))).all())
    logo = None
    if client.logo:
        logo = {"content_type": client.logo_type or logo_type(client.logo),
                "data": _b64(client.logo)}
    out = {
        "format": FORMAT,
        "version": VERSION,
        "client": {
            "name": client.name, "sector": client.sector, "size": client.size,
            "country": client.country, "contact": client.contact, "notes": client.notes,
            "logo": logo, "created_at": _when(client.created_at),
        },
        "team": [{"key": team_keys[m.id], "name": m.name, "email": m.email, "role": m.role,
                  "created_at": _when(m.created_at)} for m in members],
        "assessments": [_export_assessment(a, team_keys, emails, decided[a.id])
                        for a in client.assessments],
    }
    if client.data_profiles:
        # Only when there are some: a file without them reads in older versions too.
        out["data_profiles"] = [{
            "created_at": _when(p.created_at), "as_of": _when(p.as_of),
            "window_months": p.window_months, "rows": p.rows, "customers": p.customers,
            "score": p.score, "unit": p.unit, "result": p.result,
        } for p in client.data_profiles]
    audit = _export_audit(client)
    if audit:
        # Only when there are entries: a file without them reads in older versions too.
        out["audit"] = audit
    return out


def _export_audit(client: Client) -> list[dict[str, Any]]:
    """The client's audit trail, oldest first. Rows are named by their place in the file
    (ids change on import); a participant of an anonymous workshop stays unnamed."""
    entries = list(db.session.scalars(select(AuditEntry).where(
        AuditEntry.client_id == client.id).order_by(AuditEntry.at, AuditEntry.id)))
    if not entries:
        return []
    assessments = {a.id: index for index, a in enumerate(client.assessments)}
    respondents: dict[int, tuple[int, int]] = {}
    anonymous: set[int] = set()
    milestones: dict[int, str] = {}
    for a_index, assessment in enumerate(client.assessments):
        named = assessment.workshop is not None and assessment.workshop.named
        for r_index, respondent in enumerate(assessment.respondents):
            respondents[respondent.id] = (a_index, r_index)
            if respondent.kind == "participant" and not named:
                anonymous.add(respondent.id)
        if assessment.roadmap is not None:
            milestones.update({m.id: f"m{index}" for index, m
                               in enumerate(assessment.roadmap.milestones, start=1)})
    user_ids = {e.user_id for e in entries if e.user_id is not None}
    emails = dict(db.session.execute(
        select(User.id, User.email).where(User.id.in_(user_ids))).all()) if user_ids else {}
    out = []
    for e in entries:
        hidden = e.respondent_id in anonymous or (e.actor_kind == "participant"
                                                  and e.respondent_id is None)
        row: dict[str, Any] = {
            "at": _when(e.at), "action": e.action,
            "actor": {"kind": e.actor_kind, "label": "" if hidden else e.actor_label,
                      "email": emails.get(e.user_id) if e.user_id is not None else None,
                      "respondent": list(respondents[e.respondent_id])
                      if e.respondent_id in respondents else None},
            "assessment": assessments.get(e.assessment_id) if e.assessment_id else None,
            "roadmap": e.roadmap_id is not None and e.assessment_id in assessments,
            "subject": e.subject, "subject_label": e.subject_label, "old": e.old, "new": e.new,
        }
        if e.action.startswith("milestone."):
            # Its id means nothing in another installation: its key, if it is still there.
            row["subject"] = ""
            row["milestone"] = milestones.get(int(e.subject)) if e.subject.isdigit() else None
        elif e.action == "participant.removed" and e.subject.isdigit():
            person = respondents.get(int(e.subject))
            row["subject"] = "" if person is None else f"{person[0]}:{person[1]}"
            if int(e.subject) in anonymous:
                row["subject_label"] = ""
        elif e.action == "data.profiled":
            row["subject"] = ""  # a profile's id names nothing in another installation
        out.append(row)
    return out


def _export_assessment(assessment: Assessment, team_keys: dict[int, str],
                       emails: dict[int, str], agreed: list[AgreedAnswer]) -> dict[str, Any]:
    answers: dict[int, list[Answer]] = {}
    for answer in db.session.scalars(
            select(Answer).join(Respondent).where(Respondent.assessment_id == assessment.id)
            .order_by(Answer.respondent_id, Answer.question_id)):
        answers.setdefault(answer.respondent_id, []).append(answer)
    workshop = assessment.workshop
    named = workshop is not None and workshop.named
    return {
        "title": assessment.title,
        "questionnaire": assessment.questionnaire_id,
        "models": list(assessment.model_ids or []),
        "targets": dict(assessment.targets or {}),
        "status": assessment.status,
        "self_assessment_link": assessment.share_token is not None,
        "created_at": _when(assessment.created_at),
        "due_on": _when(assessment.due_on),
        "completed_at": _when(assessment.completed_at),
        "respondents": [_export_respondent(r, emails, named, answers.get(r.id, []))
                        for r in assessment.respondents],
        "agreed_answers": [{
            "question": a.question_id, "value": a.value, "note": a.note,
            "decided_by": emails.get(a.decided_by) if a.decided_by is not None else None,
            "updated_at": _when(a.updated_at),
        } for a in agreed],
        "workshop": None if workshop is None else {
            "code": workshop.code, "named": workshop.named, "status": workshop.status,
            "locked_stages": list(workshop.locked_stages or []),
            "created_at": _when(workshop.created_at), "closed_at": _when(workshop.closed_at),
        },
        "roadmap": _export_roadmap(assessment.roadmap, team_keys),
    }


def _export_respondent(respondent: Respondent, emails: dict[int, str], named: bool,
                       answers: list[Answer]) -> dict[str, Any]:
    """One respondent. A participant of a workshop that is not named goes without their
    name: an anonymous workshop stays anonymous in the file too."""
    r = respondent
    out: dict[str, Any] = {
        "kind": r.kind,
        "consultant": emails.get(r.user_id) if r.user_id is not None else None,
        "name": r.name if named or r.kind != "participant" else "", "role": r.role,
        "last_stage": r.last_stage, "last_question": r.last_question,
        "created_at": _when(r.created_at), "finished_at": _when(r.finished_at),
        "answers": [{"question": a.question_id, "value": a.value, "comment": a.comment,
                     "flagged": a.flagged, "revision": a.revision,
                     "updated_at": _when(a.updated_at)} for a in answers],
    }
    if r.removed_at is not None:
        # Written only when set, so a file without removals reads in older versions too;
        # a version that predates it refuses the field rather than count the person again.
        out["removed_at"] = _when(r.removed_at)
    return out


def _export_roadmap(roadmap: Roadmap | None, team_keys: dict[int, str]) -> dict[str, Any] | None:
    if roadmap is None:
        return None
    keys = {m.id: f"m{index}" for index, m in enumerate(roadmap.milestones, start=1)}
    order = {m.id: index for index, m in enumerate(roadmap.milestones)}
    return {
        "model": roadmap.model_id, "title": roadmap.title,
        "starts_on": _when(roadmap.starts_on), "accepted_at": _when(roadmap.accepted_at),
        "created_at": _when(roadmap.created_at),
        "milestones": [{
            "key": keys[m.id], "stage": m.stage, "position": m.position, "origin": m.origin,
            "origin_ref": m.origin_ref, "title_en": m.title_en, "title_fa": m.title_fa,
            "owner": team_keys.get(m.owner_id) if m.owner_id is not None else None,
            "start_on": _when(m.start_on), "due_on": _when(m.due_on), "status": m.status,
            "progress": m.progress, "notes": m.notes, "done_on": _when(m.done_on),
            "depends_on": [keys[d.id] for d in sorted(m.depends_on, key=lambda d: order[d.id])],
            "evidence": [{
                "kind": e.kind, "label": e.label, "url": e.url, "filename": e.filename,
                "content_type": e.content_type, "size": e.size, "sha256": e.sha256,
                "data": _b64(e.data) if e.data is not None else None,
                "created_at": _when(e.created_at),
            } for e in m.evidence],
            "created_at": _when(m.created_at), "updated_at": _when(m.updated_at),
        } for m in roadmap.milestones],
    }


def dumps(data: dict[str, Any]) -> bytes:
    """The file's bytes: sorted keys, indented, UTF-8 (Persian as it is, not \\u escapes)."""
    return (json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
