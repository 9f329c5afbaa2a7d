"""Rollout tracking: a roadmap proposed from a deployment model, and its milestones.

Operations validate and flush; views commit. Bad input raises FieldError naming the
form field, before anything changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from .. import audit
from ..catalog import Catalog
from ..errors import FieldError
from ..extensions import db
from ..results import agreed_values_of, questionnaire_of, responses_of, score_assessment
from ..schema import Localized, Question
from ..scoring import AssessmentScore, GateResult, score
from ..tables import (
    CUSTOM_MODEL,
    MILESTONE_STATUSES,
    Assessment,
    Client,
    ClientGrant,
    Evidence,
    Milestone,
    Roadmap,
    TeamMember,
    User,
    utcnow,
)

#: days each stage of a proposed roadmap gets, one after the other
STAGE_DAYS = 30
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
MAX_TITLE = 500
MAX_NOTES = 5000
#: file types accepted as evidence, told apart by their first bytes, not their name
_EVIDENCE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),  # refined to Office types by extension below
)
_OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
_TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}
EVIDENCE_EXTENSIONS = ("pdf", "png", "jpg", "jpeg", *_OFFICE_TYPES, *_TEXT_TYPES)


@dataclass(frozen=True)
class RoadmapStage:
    """A stage of the roadmap, in the model's order, with the gates it must pass."""

    id: str
    name: Localized
    description: Localized | None
    gates: tuple[GateResult, ...]


@dataclass(frozen=True)
class StageProgress:
    stage: str
    milestones: int
    done: int
    blocked: int
    overdue: int
    #: mean progress percent of its milestones, 0-100 (None when it has none)
    percent: float | None
    starts_on: date | None
    due_on: date | None


def current_date() -> date:
    """Today, or the app's TODAY setting (a date) so a test can live months ahead."""
    from flask import current_app, has_app_context

    if has_app_context():
        fixed = current_app.config["TODAY"]
        if isinstance(fixed, date):
            return fixed
    return date.today()


# --- the roadmap ------------------------------------------------------------------


def model_choices(catalog: Catalog) -> list[str]:
    return [*catalog.models, CUSTOM_MODEL]


def roadmap_stages(catalog: Catalog, roadmap: Roadmap,
                   result: AssessmentScore | None = None,
                   scored: Assessment | None = None) -> list[RoadmapStage]:
    """The stages milestones can sit in: the model's, or the six canonical ones, with the
    gates judged on `result` (the score of `scored`, by default the roadmap's assessment)."""
    if roadmap.model_id == CUSTOM_MODEL or roadmap.model_id not in catalog.models:
        return [RoadmapStage(s.id, s.name, s.description, ()) for s in catalog.stages]
    model = catalog.models[roadmap.model_id]
    gates: dict[str, list[GateResult]] = {}
    for gate in (result.gates if result is not None else ()):
        if gate.model == model.id:
            gates.setdefault(gate.model_stage, []).append(gate)
    if result is not None and not any(g.model == model.id for g in result.gates):
        # The assessment was not scored against this model: score its gates now.
        assessment = scored or roadmap.assessment
        again = score(catalog, questionnaire_of(catalog, assessment),
                      responses_of(catalog, assessment), targets=assessment.targets or None,
                      agreed=agreed_values_of(catalog, assessment),
                      models=[model.id])
        for gate in again.gates:
            gates.setdefault(gate.model_stage, []).append(gate)
    return [RoadmapStage(s.id, s.name, s.description, tuple(gates.get(s.id, ())))
            for s in model.stages]


def _gap_stage(catalog: Catalog, model_id: str, question: Question) -> str:
    """The roadmap stage a priority gap belongs to: the model stage its question informs."""
    if model_id == CUSTOM_MODEL:
        return str(question.stage)
    for ref in question.informs:
        informed_model, _, informed_stage = ref.partition(".")
        if informed_model == model_id:
            return informed_stage
    # Not informing this model directly: the model stage drawing most on its canonical stage.
    return stage_for(catalog, model_id, str(question.stage))


def stage_for(catalog: Catalog, model_id: str, canonical: str) -> str:
    """The roadmap stage for work of a canonical stage: itself on a custom roadmap, else
    the model stage drawing most on it."""
    if model_id == CUSTOM_MODEL or model_id not in catalog.models:
        return canonical
    model = catalog.models[model_id]
    best = max(model.stages, key=lambda s: next(
        (weight for stage, weight in s.maps_to.items() if stage == canonical), 0.0))
    return best.id


def propose_roadmap(catalog: Catalog, assessment: Assessment, model_id: str, *,
                    starts_on: date, title: str = "", stage_days: int = STAGE_DAYS,
                    gaps: int = 10) -> Roadmap:
    """A roadmap following one model: its stages in order, each stage's checklist items as
    milestones, and the assessment's top priority gaps attached to the stages they concern.

    Each stage gets `stage_days`, one after the other from `starts_on`; the team edits
    dates, owners and items before accepting it.
    """
    if assessment.roadmap is not None:
        raise FieldError("model", _l("This assessment already has a roadmap."))
    if model_id not in model_choices(catalog):
        raise FieldError("model", _l("Choose one of the deployment models, or a custom roadmap."))
    if not 1 <= stage_days <= 365:
        raise FieldError("stage_days", _l("A stage lasts between 1 and 365 days."))
    title = title.strip()
    if model_id == CUSTOM_MODEL and not title:
        raise FieldError("title", _l("Give the custom roadmap a name."))
    if len(title) > 200:
        raise FieldError("title", _l("The name is longer than 200 characters."))
    roadmap = Roadmap(assessment=assessment, model_id=model_id, title=title,
                      starts_on=starts_on)
    db.session.add(roadmap)
    stages = roadmap_stages(catalog, roadmap)
    window = {stage.id: (starts_on + timedelta(days=stage_days * index),
                         starts_on + timedelta(days=stage_days * (index + 1) - 1))
              for index, stage in enumerate(stages)}
    position = 0
    by_stage: dict[str, list[Milestone]] = {stage.id: [] for stage in stages}
    if model_id != CUSTOM_MODEL:
        for model_stage in catalog.models[model_id].stages:
            start, due = window[model_stage.id]
            for item in model_stage.checklist:
                by_stage[model_stage.id].append(Milestone(
                    stage=model_stage.id, origin="checklist", origin_ref=item.id,
                    title_en=item.text.en, title_fa=item.text.fa, start_on=start, due_on=due,
                    notes=""))
    result = score_assessment(catalog, assessment)
    questionnaire = questionnaire_of(catalog, assessment)
    for priority in result.priorities[:gaps]:
        question = questionnaire.question(priority.question_id)
        rec = question.recommendation_for(int(priority.value))
        if rec is None:
            continue
        gap_stage = _gap_stage(catalog, model_id, question)
        start, due = window[gap_stage]
        by_stage[gap_stage].append(Milestone(
            stage=gap_stage, origin="gap", origin_ref=question.id,
            title_en=rec.text.en, title_fa=rec.text.fa, start_on=start, due_on=due))
    for stage in stages:
        for milestone in by_stage[stage.id]:
            milestone.position = position
            position += 1
            roadmap.milestones.append(milestone)
    db.session.flush()
    return roadmap


def accept_roadmap(roadmap: Roadmap) -> None:
    roadmap.accepted_at = roadmap.accepted_at or utcnow()
    db.session.flush()


def discard_roadmap(roadmap: Roadmap) -> None:
    db.session.delete(roadmap)
    db.session.flush()


# --- the team ---------------------------------------------------------------------


def save_member(client: Client, values: Mapping[str, str],
                member: TeamMember | None = None) -> TeamMember:
    name = (values.get("name") or "").strip()
    email = (values.get("email") or "").strip().lower()
    role = (values.get("role") or "").strip()
    if not name:
        raise FieldError("name", _l("Give the person's name."))
    if len(name) > 120:
        raise FieldError("name", _l("The name is longer than 120 characters."))
    if email and ("@" not in email or len(email) > 254 or " " in email):
        raise FieldError("email", _l("That is not an e-mail address."))
    if len(role) > 120:
        raise FieldError("role", _l("The role is longer than 120 characters."))
    if member is None:
        member = TeamMember(client=client)
        db.session.add(member)
    member.name, member.email, member.role = name, email, role
    db.session.flush()
    return member


# --- milestones -------------------------------------------------------------------


def would_cycle(milestone: Milestone | None, depends_on: Iterable[Milestone]) -> bool:
    """True when `milestone` depending on `depends_on` closes a loop."""
    if milestone is None or milestone.id is None:
        return False
    seen: set[int] = set()
    stack = list(depends_on)
    while stack:
        current = stack.pop()
        if current.id == milestone.id:
            return True
        if current.id in seen:
            continue
        seen.add(current.id)
        stack.extend(current.depends_on)
    return False


def _status_progress(status: str, progress: int | None, old: Milestone | None) -> int:
    reopened = old is not None and old.status == "done" and status != "done"
    if progress is None or (reopened and progress == 100):
        # Reopened work is not 100% done any more: back to 0 until the team says how far
        # along it is, rather than a guess that would inflate the stage's progress.
        progress = 0 if reopened or old is None else old.progress
    if not 0 <= progress <= 100:
        raise FieldError("progress", _l("Progress is a percentage from 0 to 100."))
    if status == "done":
        return 100
    if status == "not_started" and progress == 100:
        raise FieldError("progress",
                         _l("Progress 100 means the milestone is done: set its status to done."))
    return progress


def save_milestone(catalog: Catalog, roadmap: Roadmap, values: Mapping[str, Any],
                   milestone: Milestone | None = None, *, today: date | None = None,
                   origin: str = "team", origin_ref: str = "") -> Milestone:
    """Create or change a milestone from form values (already parsed into Python types).

    values: title_en, title_fa, stage, owner_id (int | None), start_on, due_on
    (date | None), status, progress (int | None), notes, depends_on (list of ids).
    `origin` and `origin_ref` say where a new milestone comes from (the team's own, or
    'data': proposed by a customer-data profile).
    """
    today = today or current_date()
    title_en = (values.get("title_en") or "").strip()
    title_fa = (values.get("title_fa") or "").strip()
    if not title_en and not title_fa:
        raise FieldError("title_en", _l("Give the milestone a title in at least one language."))
    for field, text in (("title_en", title_en), ("title_fa", title_fa)):
        if len(text) > MAX_TITLE:
            raise FieldError(field, _l("The title is longer than %(n)s characters.", n=MAX_TITLE))
    stage = values.get("stage") or ""
    if stage not in {s.id for s in roadmap_stages(catalog, roadmap)}:
        raise FieldError("stage", _l("Choose one of the roadmap's stages."))
    owner_id = values.get("owner_id")
    owner = None
    if owner_id is not None:
        owner = db.session.get(TeamMember, owner_id)
        if owner is None or owner.client_id != roadmap.assessment.client_id:
            raise FieldError("owner_id", _l("Choose a person from this client's team."))
    start_on, due_on = values.get("start_on"), values.get("due_on")
    if start_on is not None and due_on is not None and due_on < start_on:
        raise FieldError("due_on", _l("The due date is before the start date."))
    status = values.get("status") or "not_started"
    if status not in MILESTONE_STATUSES:
        raise FieldError("status", _l("Choose a status from the list."))
    progress = _status_progress(status, values.get("progress"), milestone)
    notes = (values.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        raise FieldError("notes", _l("The notes are longer than %(n)s characters.", n=MAX_NOTES))
    wanted = [int(i) for i in values.get("depends_on") or []]
    depends_on: list[Milestone] = []
    for dep_id in dict.fromkeys(wanted):
        dep = db.session.get(Milestone, dep_id)
        if dep is None or dep.roadmap_id != roadmap.id:
            raise FieldError("depends_on", _l("A milestone can only depend on milestones of "
                                              "the same roadmap."))
        if milestone is not None and dep.id == milestone.id:
            raise FieldError("depends_on", _l("A milestone cannot depend on itself."))
        depends_on.append(dep)
    if would_cycle(milestone, depends_on):
        raise FieldError("depends_on", _l("That dependency would make a loop: a milestone would "
                                          "end up waiting for itself."))
    before = None if milestone is None else audited(milestone)
    if milestone is None:
        milestone = Milestone(roadmap=roadmap, origin=origin, origin_ref=origin_ref,
                              position=max((m.position for m in roadmap.milestones),
                                           default=-1) + 1)
        db.session.add(milestone)
    milestone.title_en, milestone.title_fa = title_en, title_fa
    milestone.stage, milestone.owner = stage, owner
    milestone.start_on, milestone.due_on = start_on, due_on
    _set_status(milestone, status, progress, today)
    milestone.notes = notes
    milestone.depends_on = depends_on
    db.session.flush()
    after = audited(milestone)
    if before is None:
        _record(milestone, "milestone.created", None, after)
    else:
        _record(milestone, "milestone.changed", *audit.changed(before, after))
    return milestone


def audited(milestone: Milestone) -> dict[str, Any]:
    """What the audit trail keeps of a milestone: what people see and change."""
    return {
        "title_en": milestone.title_en, "title_fa": milestone.title_fa,
        "stage": milestone.stage,
        "owner": milestone.owner.name if milestone.owner is not None else None,
        "start_on": milestone.start_on.isoformat() if milestone.start_on else None,
        "due_on": milestone.due_on.isoformat() if milestone.due_on else None,
        "status": milestone.status, "progress": milestone.progress, "notes": milestone.notes,
    }


def _record(milestone: Milestone, action: str, old: dict[str, Any] | None,
            new: dict[str, Any] | None) -> None:
    if old == new:  # nothing changed (both empty, or both None)
        return
    audit.record(action, roadmap=milestone.roadmap, subject=str(milestone.id),
                 subject_label=milestone.title_en or milestone.title_fa, old=old, new=new)


def _set_status(milestone: Milestone, status: str, progress: int, today: date) -> None:
    if status == "done" and milestone.status != "done":
        milestone.done_on = today
    elif status != "done":
        milestone.done_on = None
    milestone.status, milestone.progress = status, progress


def set_status(milestone: Milestone, status: str, progress: int | None = None, *,
               today: date | None = None) -> None:
    """Move a milestone on the board: a status, and optionally its progress."""
    if status not in MILESTONE_STATUSES:
        raise FieldError("status", _l("Choose a status from the list."))
    before = {"status": milestone.status, "progress": milestone.progress}
    _set_status(milestone, status, _status_progress(status, progress, milestone),
                today or current_date())
    _record(milestone, "milestone.status",
            *audit.changed(before, {"status": milestone.status,
                                    "progress": milestone.progress}))
    db.session.flush()


def set_notes(milestone: Milestone, notes: str) -> None:
    """What the milestone's owner says of it (a team member may change only this, the
    status, the progress and the evidence)."""
    milestone.notes = notes.strip()
    db.session.flush()


def delete_milestone(milestone: Milestone) -> None:
    _record(milestone, "milestone.deleted", audited(milestone), None)
    db.session.delete(milestone)
    db.session.flush()


def waiting_on(milestone: Milestone) -> list[Milestone]:
    """The milestones it depends on that are not done yet."""
    return [dep for dep in milestone.depends_on if dep.status != "done"]


# --- evidence ---------------------------------------------------------------------


def add_link(milestone: Milestone, url: str, label: str = "") -> Evidence:
    url, label = url.strip(), label.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 2000:
        raise FieldError("url", _l("Give a web address starting with https:// or http://."))
    if len(label) > 200:
        raise FieldError("label", _l("The label is longer than 200 characters."))
    evidence = Evidence(milestone=milestone, kind="link", url=url, label=label)
    db.session.add(evidence)
    db.session.flush()
    return evidence


def evidence_type(filename: str, data: bytes) -> str:
    """The file's media type, judged by its content (and, for Office files, its name)."""
    if len(data) > EVIDENCE_MAX_BYTES:
        raise FieldError("file", _l("The file is larger than %(n)s MiB.",
                                    n=EVIDENCE_MAX_BYTES // (1024 * 1024)))
    if not data:
        raise FieldError("file", _l("The file is empty."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for signature, mime in _EVIDENCE_SIGNATURES:
        if data.startswith(signature):
            if mime == "application/zip":
                if extension in _OFFICE_TYPES and b"[Content_Types].xml" in data[:4096]:
                    return _OFFICE_TYPES[extension]
                break
            if mime == "image/jpeg" and extension not in ("jpg", "jpeg"):
                break
            if mime != "image/jpeg" and extension != mime.rsplit("/", 1)[-1]:
                break
            return mime
    else:
        if extension in _TEXT_TYPES and b"\x00" not in data:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return _TEXT_TYPES[extension]
    raise FieldError("file", _l("Evidence files must be PDF, PNG, JPEG, Word, Excel, "
                                "PowerPoint, or plain text, CSV or Markdown, and their "
                                "content must match their name."))


def add_file(milestone: Milestone, filename: str, data: bytes, label: str = "") -> Evidence:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()[:255]
    if not name:
        raise FieldError("file", _l("Choose a file."))
    mime = evidence_type(name, data)
    if len(label.strip()) > 200:
        raise FieldError("label", _l("The label is longer than 200 characters."))
    evidence = Evidence(milestone=milestone, kind="file", filename=name, content_type=mime,
                        size=len(data), sha256=hashlib.sha256(data).hexdigest(), data=data,
                        label=label.strip())
    db.session.add(evidence)
    db.session.flush()
    return evidence


def delete_evidence(evidence: Evidence) -> None:
    db.session.delete(evidence)
    db.session.flush()


# --- views of progress ------------------------------------------------------------


def stage_progress(stages: Iterable[RoadmapStage], milestones: Iterable[Milestone],
                   today: date) -> list[StageProgress]:
    grouped: dict[str, list[Milestone]] = {}
    for milestone in milestones:
        grouped.setdefault(milestone.stage, []).append(milestone)
    out = []
    for stage in stages:
        items = grouped.get(stage.id, [])
        starts = [m.start_on for m in items if m.start_on]
        dues = [m.due_on for m in items if m.due_on]
        out.append(StageProgress(
            stage=stage.id, milestones=len(items),
            done=sum(m.status == "done" for m in items),
            blocked=sum(m.status == "blocked" for m in items),
            overdue=sum(m.overdue(today) for m in items),
            percent=(sum(m.progress for m in items) / len(items)) if items else None,
            starts_on=min(starts) if starts else None, due_on=max(dues) if dues else None))
    return out


def overall_percent(milestones: Iterable[Milestone]) -> float | None:
    items = list(milestones)
    return sum(m.progress for m in items) / len(items) if items else None


# --- the client's own people ---------------------------------------------------------


def team_member_ids(user: User, workspace_id: int) -> set[int]:
    """The team members (people on a client's project team) this account is, through its
    team grants on the workspace's clients: the owners whose milestones it updates."""
    return set(db.session.scalars(
        select(ClientGrant.team_member_id).join(Client, ClientGrant.client_id == Client.id)
        .where(ClientGrant.user_id == user.id, ClientGrant.role == "team",
               ClientGrant.team_member_id.is_not(None), Client.workspace_id == workspace_id)))


def my_milestones(user: User, workspace_id: int, today: date) -> list[Milestone]:
    """The milestones the account owns on every roadmap of the workspace: overdue first
    (the longest overdue first), then by due date, then those without one; done ones last."""
    owners = team_member_ids(user, workspace_id)
    found = db.session.scalars(
        select(Milestone).where(Milestone.owner_id.in_(owners))
        .options(joinedload(Milestone.roadmap).joinedload(Roadmap.assessment)
                 .joinedload(Assessment.client), selectinload(Milestone.evidence)))
    return sorted(found, key=lambda m: (m.status == "done", not m.overdue(today),
                                        m.due_on or date.max, m.roadmap_id, m.position, m.id))


def viewer_clients(user: User, workspace_id: int) -> list[Client]:
    """The workspace's clients the account reads as a client viewer, by name."""
    return list(db.session.scalars(
        select(Client).join(ClientGrant, ClientGrant.client_id == Client.id)
        .where(ClientGrant.user_id == user.id, ClientGrant.role == "viewer",
               Client.workspace_id == workspace_id).order_by(Client.name, Client.id)))
