"""A whole client as one JSON file: export it, and import it into another installation.

The format is described in docs/transfer.md. Rows refer to each other by keys local to
the file ("t1" for a team member, "m1" for a milestone), never by database ids, and the
file carries no wall-clock time of its own, so exporting, importing into an empty
database and exporting again gives the same bytes. Secrets are not exported: the
self-assessment link, respondents' resume links and API tokens are made anew on import.

Import checks everything before it writes anything: the bytes (size, UTF-8, NUL,
nesting, duplicate keys), the shape (pydantic, unknown fields refused, lengths and
counts capped), then every reference against the catalogue and within the file. Each
problem names its place, e.g. `assessments[0].respondents[2].answers[5].value: '7' is
not an answer (0-5, na, unknown)`. Rows are then added in one transaction that the
caller commits; on any error nothing is added.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import hashlib
import json
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .catalog import Catalog
from .clients.operations import LOGO_MAX_BYTES, InputError, logo_type
from .extensions import db
from .rollout.operations import (
    EVIDENCE_MAX_BYTES,
    MAX_NOTES,
    MAX_TITLE,
    evidence_type,
    model_choices,
    roadmap_stages,
)
from .schema import CanonicalStageId
from .tables import (
    ANSWER_VALUES,
    AgreedAnswer,
    Answer,
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
    new_token,
)
from .walk.operations import MAX_COMMENT
from .workshop.operations import CODE_ALPHABET, CODE_LENGTH
from .workshop.operations import MAX_NOTE as MAX_AGREED_NOTE

FORMAT = "crm-maturity/client"
VERSION = 1
#: files larger than this are refused before they are read as JSON
MAX_FILE_BYTES = 200 * 1024 * 1024
#: the format nests eight levels deep (file, assessments, roadmap, milestones, evidence)
MAX_DEPTH = 10
#: problems listed before giving up on a file
MAX_PROBLEMS = 20
MAX_TEAM = 1000
MAX_ASSESSMENTS = 500
MAX_RESPONDENTS = 10_000
MAX_ANSWERS = 2000
MAX_MILESTONES = 5000
MAX_EVIDENCE = 200
MAX_DEPENDENCIES = 500
MAX_LINK = 2000


class TransferError(ValueError):
    """A file that cannot be imported; `problems` lists what is wrong and where."""

    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        more = len(problems) - len(self.problems)
        text = "\n".join(self.problems) + (f"\n... and {more} more problem(s)" if more else "")
        super().__init__(text)


# --- the file's shape ---------------------------------------------------------------


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _stamp(value: object) -> datetime:
    """An ISO date and time; one with an offset is turned into UTC, as stored."""
    if isinstance(value, str) and len(value) <= 40:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return parsed
    raise PydanticCustomError("datetime", "{value} is not a date and time like "
                              "2025-01-31T09:30:00", {"value": _show(value)})


def _day(value: object) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "{value} is not a date like 2025-01-31",
                              {"value": _show(value)})


def _optional(check: Callable[[object], Any]) -> Callable[[object], Any]:
    def optional(value: object) -> Any:
        return None if value is None else check(value)

    return optional


def _answer(value: object) -> str:
    if isinstance(value, str) and value in ANSWER_VALUES:
        return value
    raise PydanticCustomError("answer_value", "{value} is not an answer (0-5, na, unknown)",
                              {"value": _show(value)})


def _b64_length(size: int) -> int:
    return 4 * ((size + 2) // 3)


Stamp = Annotated[datetime, BeforeValidator(_stamp)]
OptionalStamp = Annotated[datetime | None, BeforeValidator(_optional(_stamp))]
Day = Annotated[date, BeforeValidator(_day)]
OptionalDay = Annotated[date | None, BeforeValidator(_optional(_day))]
AnswerValue = Annotated[str, BeforeValidator(_answer)]
OptionalAnswerValue = Annotated[str | None, BeforeValidator(_optional(_answer))]
Key = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.-]{1,40}$")]
Email = Annotated[str, StringConstraints(max_length=254)]
Level = Annotated[int, Field(ge=0, le=5)]


Text40 = Annotated[str, StringConstraints(max_length=40)]
Text60 = Annotated[str, StringConstraints(max_length=60)]
Text80 = Annotated[str, StringConstraints(max_length=80)]
Text100 = Annotated[str, StringConstraints(max_length=100)]
Text120 = Annotated[str, StringConstraints(max_length=120)]
Text200 = Annotated[str, StringConstraints(max_length=200)]
Text255 = Annotated[str, StringConstraints(max_length=255)]
Id60 = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Name120 = Annotated[str, StringConstraints(min_length=1, max_length=120)]
Name200 = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Comment = Annotated[str, StringConstraints(max_length=MAX_COMMENT)]
AgreedNote = Annotated[str, StringConstraints(max_length=MAX_AGREED_NOTE)]
ClientNotes = Annotated[str, StringConstraints(max_length=20_000)]
Title = Annotated[str, StringConstraints(max_length=MAX_TITLE)]
MilestoneNotes = Annotated[str, StringConstraints(max_length=MAX_NOTES)]
Link = Annotated[str, StringConstraints(max_length=MAX_LINK)]


def _base64_at_most(size: int, what: str) -> Callable[[object], Any]:
    """Base64 text of at most `size` bytes (its length tells, before decoding)."""

    def check(value: object) -> Any:
        if isinstance(value, str) and len(value) > _b64_length(size):
            unit = f"{size // 2**20} MiB" if size >= 2**20 else f"{size // 1024} KiB"
            raise PydanticCustomError("too_large", "{what} is larger than {unit}",
                                      {"what": what, "unit": unit})
        return value

    return check


LogoData = Annotated[str, BeforeValidator(_base64_at_most(LOGO_MAX_BYTES, "the logo")),
                     StringConstraints(min_length=1)]
FileData = Annotated[str, BeforeValidator(_base64_at_most(EVIDENCE_MAX_BYTES, "the file"))]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class LogoIn(_Model):
    content_type: Literal["image/png", "image/jpeg"]
    #: base64
    data: LogoData


class ClientIn(_Model):
    name: Name200
    sector: Text120 = ""
    size: Text40 = ""
    country: Text80 = ""
    contact: Text200 = ""
    notes: ClientNotes = ""
    logo: LogoIn | None = None
    created_at: OptionalStamp = None


class TeamMemberIn(_Model):
    key: Key
    name: Name120
    email: Email = ""
    role: Text120 = ""
    created_at: OptionalStamp = None


class AnswerIn(_Model):
    question: Id60
    value: OptionalAnswerValue = None
    comment: Comment = ""
    flagged: bool = False
    revision: Annotated[int, Field(ge=1, le=1_000_000_000)] = 1
    updated_at: OptionalStamp = None


class RespondentIn(_Model):
    kind: Literal["consultant", "executive", "participant"]
    #: the consultant's e-mail (kind 'consultant'), to link them to their account
    consultant: Email | None = None
    name: Text120 = ""
    role: Text40 = ""
    last_stage: CanonicalStageId | None = None
    last_question: Text60 | None = None
    created_at: OptionalStamp = None
    finished_at: OptionalStamp = None
    answers: Annotated[list[AnswerIn], Field(max_length=MAX_ANSWERS)] = []


class AgreedAnswerIn(_Model):
    question: Id60
    value: AnswerValue
    note: AgreedNote = ""
    decided_by: Email | None = None
    updated_at: OptionalStamp = None


class WorkshopIn(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{4,12}$")]
    named: bool = False
    status: Literal["open", "closed"] = "open"
    locked_stages: Annotated[list[CanonicalStageId], Field(max_length=6)] = []
    created_at: OptionalStamp = None
    closed_at: OptionalStamp = None


class EvidenceIn(_Model):
    kind: Literal["link", "file"]
    label: Text200 = ""
    url: Link = ""
    filename: Text255 = ""
    content_type: Text100 = ""
    size: Annotated[int, Field(ge=0, le=EVIDENCE_MAX_BYTES)] = 0
    sha256: Annotated[str, StringConstraints(pattern=r"^([0-9a-f]{64})?$")] = ""
    #: the file, base64
    data: FileData | None = None
    created_at: OptionalStamp = None


class MilestoneIn(_Model):
    key: Key
    stage: Id60
    position: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    origin: Literal["checklist", "gap", "team"] = "team"
    origin_ref: Text120 = ""
    title_en: Title = ""
    title_fa: Title = ""
    owner: Key | None = None
    start_on: OptionalDay = None
    due_on: OptionalDay = None
    status: Literal["not_started", "in_progress", "blocked", "done"] = "not_started"
    progress: Annotated[int, Field(ge=0, le=100)] = 0
    notes: MilestoneNotes = ""
    done_on: OptionalDay = None
    depends_on: Annotated[list[Key], Field(max_length=MAX_DEPENDENCIES)] = []
    evidence: Annotated[list[EvidenceIn], Field(max_length=MAX_EVIDENCE)] = []
    created_at: OptionalStamp = None
    updated_at: OptionalStamp = None


class RoadmapIn(_Model):
    model: Id60
    title: Text200 = ""
    starts_on: Day
    accepted_at: OptionalStamp = None
    created_at: OptionalStamp = None
    milestones: Annotated[list[MilestoneIn], Field(max_length=MAX_MILESTONES)] = []


class AssessmentIn(_Model):
    title: Name200
    questionnaire: Id60
    models: Annotated[list[Id60], Field(max_length=50)] = []
    targets: dict[CanonicalStageId, Level] = {}
    status: Literal["draft", "in_progress", "complete"] = "draft"
    #: whether it had an executive self-assessment link (a new secret is made on import)
    self_assessment_link: bool = False
    created_at: OptionalStamp = None
    due_on: OptionalDay = None
    completed_at: OptionalStamp = None
    respondents: Annotated[list[RespondentIn], Field(max_length=MAX_RESPONDENTS)] = []
    agreed_answers: Annotated[list[AgreedAnswerIn], Field(max_length=MAX_ANSWERS)] = []
    workshop: WorkshopIn | None = None
    roadmap: RoadmapIn | None = None


class ClientFile(_Model):
    format: Literal["crm-maturity/client"]
    version: Literal[1]
    client: ClientIn
    team: Annotated[list[TeamMemberIn], Field(max_length=MAX_TEAM)] = []
    assessments: Annotated[list[AssessmentIn], Field(max_length=MAX_ASSESSMENTS)] = []


# --- export -------------------------------------------------------------------------


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
    return {
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


def _export_assessment(assessment: Assessment, team_keys: dict[int, str],
                       emails: dict[int, str], agreed: list[AgreedAnswer]) -> dict[str, Any]:
    answers: dict[int, list[Answer]] = {}
    for answer in db.session.scalars(
            select(Answer).join(Respondent).where(Respondent.assessment_id == assessment.id)
            .order_by(Answer.respondent_id, Answer.question_id)):
        answers.setdefault(answer.respondent_id, []).append(answer)
    workshop = assessment.workshop
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
        "respondents": [{
            "kind": r.kind,
            "consultant": emails.get(r.user_id) if r.user_id is not None else None,
            "name": r.name, "role": r.role,
            "last_stage": r.last_stage, "last_question": r.last_question,
            "created_at": _when(r.created_at), "finished_at": _when(r.finished_at),
            "answers": [{"question": a.question_id, "value": a.value, "comment": a.comment,
                         "flagged": a.flagged, "revision": a.revision,
                         "updated_at": _when(a.updated_at)} for a in answers.get(r.id, [])],
        } for r in assessment.respondents],
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


# --- reading a file -----------------------------------------------------------------


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the key {_show(key)} appears twice in one object")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _where(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":  # pydantic's mark for a dictionary key that is wrong
            out += " (key)"
        else:
            out += f".{part}" if out else part
    return out or "the file"


def parse(raw: bytes) -> Any:
    """Bytes to JSON values, refusing what is too big, not UTF-8, or not plain JSON."""
    if len(raw) > MAX_FILE_BYTES:
        raise TransferError([f"the file is {len(raw) / 2**20:.1f} MiB; at most "
                             f"{MAX_FILE_BYTES / 2**20:g} MiB can be imported"])
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8):]
    if not raw or raw.isspace():
        raise TransferError(["the file is empty"])
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise TransferError([f"the file contains a NUL byte (at byte {nul}): it is not a "
                             "JSON text file"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TransferError([f"the file is not UTF-8 text (invalid byte at position "
                             f"{exc.start})"]) from None
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except RecursionError:
        raise TransferError([f"the file nests deeper than the format ({MAX_DEPTH} levels)"]
                            ) from None
    except json.JSONDecodeError as exc:
        raise TransferError([f"not valid JSON: {exc.msg} (line {exc.lineno}, column "
                             f"{exc.colno})"]) from None
    except ValueError as exc:
        raise TransferError([f"not valid JSON: {exc}"]) from None


def _check_values(data: Any) -> list[str]:
    """Nesting depth, and text that cannot be stored: NUL characters, lone surrogates."""
    problems: list[str] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path = stack.pop()
        if len(path) > MAX_DEPTH:
            problems.append(f"{_where(path)}: nested deeper than the format allows")
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                problems.extend(f"{_where(path)}: a key {p}" for p in _bad_text(key))
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))
        elif isinstance(value, str):
            problems.extend(f"{_where(path)}: {p}" for p in _bad_text(value))
    return problems


def _bad_text(text: str) -> list[str]:
    if "\x00" in text:
        return ["contains a NUL character"]
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return ["contains a lone surrogate (not a character)"]
    return []


def _shape(data: Any) -> ClientFile:
    if not isinstance(data, dict):
        raise TransferError([f"the file holds a JSON {type(data).__name__}, not an object: "
                             "it is not a crm-maturity client file"])
    if data.get("format") != FORMAT:
        raise TransferError([f"format: {_show(data.get('format'))} is not '{FORMAT}': this is "
                             "not a crm-maturity client file"])
    version = data.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > VERSION:
        raise TransferError([f"version: {version} comes from a newer crm-maturity; this one "
                             f"reads version {VERSION}"])
    problems = _check_values(data)
    if problems:
        raise TransferError(problems)
    try:
        return ClientFile.model_validate(data)
    except PydanticValidationError as exc:
        raise TransferError([_pydantic_problem(e) for e in exc.errors()]) from None


def _pydantic_problem(error: Any) -> str:
    where = _where(error["loc"])
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: unknown field (not part of the format)"
    if kind == "missing":
        return f"{where}: missing"
    message = str(error["msg"])
    if kind in ("literal_error", "string_pattern_mismatch", "string_type", "int_type",
                "bool_type", "list_type", "dict_type", "model_type"):
        message += f", not {_show(error.get('input'))}"
    return f"{where}: {message}"


# --- checking references ------------------------------------------------------------


@dataclass
class CheckedFile:
    """What the checks decoded on the way, for creating the rows."""

    parsed: ClientFile
    logo: bytes | None = None
    #: evidence file bytes by (assessment, milestone, evidence) index
    files: dict[tuple[int, int, int], bytes] = field(default_factory=dict)


def _decode(text: str, where: str, problems: list[str]) -> bytes | None:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        problems.append(f"{where}: not valid base64")
        return None


def _check(catalog: Catalog, parsed: ClientFile) -> tuple[list[str], CheckedFile]:
    problems: list[str] = []
    checked = CheckedFile(parsed)
    logo = parsed.client.logo
    if logo is not None:
        data = _decode(logo.data, "client.logo.data", problems)
        if data is not None:
            try:
                found = logo_type(data)
            except InputError as exc:
                problems.append(f"client.logo.data: {exc}")
            else:
                if found != logo.content_type:
                    problems.append(f"client.logo.content_type: the image is {found}, not "
                                    f"{logo.content_type}")
                checked.logo = data
    if not parsed.client.name.strip():
        problems.append("client.name: the organisation needs a name")
    team_keys: set[str] = set()
    for index, member in enumerate(parsed.team):
        where = f"team[{index}]"
        if member.key in team_keys:
            problems.append(f"{where}.key: {member.key!r} is used twice")
        team_keys.add(member.key)
        if member.email and ("@" not in member.email or " " in member.email):
            problems.append(f"{where}.email: {_show(member.email)} is not an e-mail address")
    for a_index, assessment in enumerate(parsed.assessments):
        _check_assessment(catalog, assessment, f"assessments[{a_index}]", a_index, team_keys,
                          problems, checked)
    return problems, checked


def _check_assessment(catalog: Catalog, assessment: AssessmentIn, where: str, a_index: int,
                      team_keys: set[str], problems: list[str], checked: CheckedFile) -> None:
    questionnaire = catalog.questionnaires.get(assessment.questionnaire)
    if questionnaire is None:
        problems.append(f"{where}.questionnaire: {assessment.questionnaire!r} is not a "
                        "questionnaire of this installation's catalogue ("
                        + ", ".join(catalog.questionnaires) + ")")
    questions = {q.id for q in questionnaire.questions} if questionnaire is not None else None
    for index, model_id in enumerate(assessment.models):
        if model_id not in catalog.models:
            problems.append(f"{where}.models[{index}]: {model_id!r} is not a deployment model "
                            "of this installation's catalogue (" + ", ".join(catalog.models)
                            + ")")
    if len(set(assessment.models)) != len(assessment.models):
        problems.append(f"{where}.models: a model is listed twice")

    def question_ok(question_id: str | None, place: str) -> None:
        if questions is not None and question_id is not None and question_id not in questions:
            problems.append(f"{place}: {question_id!r} is not a question of the "
                            f"questionnaire {assessment.questionnaire!r}")

    consultants: set[str] = set()
    for r_index, respondent in enumerate(assessment.respondents):
        place = f"{where}.respondents[{r_index}]"
        if respondent.consultant is not None:
            if respondent.kind != "consultant":
                problems.append(f"{place}.consultant: only a consultant respondent has one")
            elif respondent.consultant.lower() in consultants:
                problems.append(f"{place}.consultant: {respondent.consultant!r} answers this "
                                "assessment twice")
            consultants.add(respondent.consultant.lower())
        question_ok(respondent.last_question, f"{place}.last_question")
        seen: set[str] = set()
        for q_index, answer in enumerate(respondent.answers):
            question_ok(answer.question, f"{place}.answers[{q_index}].question")
            if answer.question in seen:
                problems.append(f"{place}.answers[{q_index}].question: {answer.question!r} is "
                                "answered twice by this respondent")
            seen.add(answer.question)
    seen = set()
    for q_index, agreed in enumerate(assessment.agreed_answers):
        question_ok(agreed.question, f"{where}.agreed_answers[{q_index}].question")
        if agreed.question in seen:
            problems.append(f"{where}.agreed_answers[{q_index}].question: {agreed.question!r} "
                            "has two agreed answers")
        seen.add(agreed.question)
    workshop = assessment.workshop
    if workshop is not None and len(set(workshop.locked_stages)) != len(workshop.locked_stages):
        problems.append(f"{where}.workshop.locked_stages: a stage is listed twice")
    if assessment.roadmap is not None:
        _check_roadmap(catalog, assessment.roadmap, f"{where}.roadmap", a_index, team_keys,
                       problems, checked)


def _check_roadmap(catalog: Catalog, roadmap: RoadmapIn, where: str, a_index: int,
                   team_keys: set[str], problems: list[str], checked: CheckedFile) -> None:
    if roadmap.model not in model_choices(catalog):
        problems.append(f"{where}.model: {roadmap.model!r} is not a deployment model of this "
                        "installation's catalogue (" + ", ".join(model_choices(catalog)) + ")")
        return
    stages = {s.id for s in roadmap_stages(catalog, Roadmap(model_id=roadmap.model))}
    keys: dict[str, int] = {}
    for index, milestone in enumerate(roadmap.milestones):
        if milestone.key in keys:
            problems.append(f"{where}.milestones[{index}].key: {milestone.key!r} is used twice")
        keys.setdefault(milestone.key, index)
    for index, milestone in enumerate(roadmap.milestones):
        place = f"{where}.milestones[{index}]"
        if milestone.stage not in stages:
            problems.append(f"{place}.stage: {milestone.stage!r} is not a stage of the "
                            f"roadmap's model {roadmap.model!r} (" + ", ".join(sorted(stages))
                            + ")")
        if not milestone.title_en.strip() and not milestone.title_fa.strip():
            problems.append(f"{place}: a milestone needs a title in at least one language")
        if milestone.owner is not None and milestone.owner not in team_keys:
            problems.append(f"{place}.owner: {milestone.owner!r} is not the key of anyone in "
                            "team")
        if (milestone.start_on is not None and milestone.due_on is not None
                and milestone.due_on < milestone.start_on):
            problems.append(f"{place}.due_on: {milestone.due_on} is before the start date "
                            f"{milestone.start_on}")
        if milestone.status == "done" and milestone.progress != 100:
            problems.append(f"{place}.progress: a done milestone is at 100%, not "
                            f"{milestone.progress}%")
        if milestone.status == "not_started" and milestone.progress == 100:
            problems.append(f"{place}.progress: a milestone at 100% is done, not not_started")
        if milestone.done_on is not None and milestone.status != "done":
            problems.append(f"{place}.done_on: only a done milestone has a done date")
        for d_index, dep in enumerate(milestone.depends_on):
            if dep not in keys:
                problems.append(f"{place}.depends_on[{d_index}]: {dep!r} is not the key of a "
                                "milestone of this roadmap")
            elif dep == milestone.key:
                problems.append(f"{place}.depends_on[{d_index}]: a milestone cannot depend on "
                                "itself")
        if len(set(milestone.depends_on)) != len(milestone.depends_on):
            problems.append(f"{place}.depends_on: a milestone is listed twice")
        for e_index, evidence in enumerate(milestone.evidence):
            data = _check_evidence(evidence, f"{place}.evidence[{e_index}]", problems)
            if data is not None:
                checked.files[(a_index, index, e_index)] = data
    loop = _find_cycle({m.key: [d for d in m.depends_on if d in keys and d != m.key]
                        for m in roadmap.milestones})
    if loop:
        problems.append(f"{where}.milestones: the dependencies make a loop ("
                        + " -> ".join(loop) + "): a milestone would end up waiting for itself")


def _find_cycle(graph: dict[str, list[str]]) -> list[str]:
    """A loop in the dependency graph, as keys from start back to start, or []."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in graph:
        if state.get(start):
            continue
        path: list[str] = [start]
        state[start] = 1
        iterators = [iter(graph[start])]
        while iterators:
            step = next(iterators[-1], None)
            if step is None:
                state[path.pop()] = 2
                iterators.pop()
            elif state.get(step) == 1:
                return [*path[path.index(step):], step]
            elif not state.get(step):
                state[step] = 1
                path.append(step)
                iterators.append(iter(graph.get(step, [])))
    return []


def _check_evidence(evidence: EvidenceIn, where: str, problems: list[str]) -> bytes | None:
    if evidence.kind == "link":
        parts = urlsplit(evidence.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.append(f"{where}.url: {_show(evidence.url)} is not a web address starting "
                            "with https:// or http://")
        if evidence.data is not None or evidence.filename:
            problems.append(f"{where}: a link has no file")
        return None
    if evidence.data is None:
        problems.append(f"{where}.data: missing (the file's bytes, base64)")
        return None
    name = evidence.filename
    if not name.strip() or "/" in name or "\\" in name:
        problems.append(f"{where}.filename: {_show(name)} is not a plain file name")
        return None
    data = _decode(evidence.data, f"{where}.data", problems)
    if data is None:
        return None
    try:
        mime = evidence_type(name, data)
    except InputError as exc:
        problems.append(f"{where}.data: {exc}")
        return None
    if mime != evidence.content_type:
        problems.append(f"{where}.content_type: the file is {mime}, not "
                        f"{_show(evidence.content_type)}")
    if evidence.size != len(data):
        problems.append(f"{where}.size: the file has {len(data)} bytes, not {evidence.size}")
    if evidence.sha256 != hashlib.sha256(data).hexdigest():
        problems.append(f"{where}.sha256: does not match the file")
    return data


# --- import -------------------------------------------------------------------------


def read(catalog: Catalog, data: bytes | dict[str, Any]) -> CheckedFile:
    """Check a file completely (it needs the catalogue, not the database).

    Raises TransferError listing the problems.
    """
    values = parse(data) if isinstance(data, bytes | bytearray) else data
    problems, checked = _check(catalog, _shape(values))
    if problems:
        raise TransferError(problems)
    return checked


def import_client(catalog: Catalog, data: bytes | dict[str, Any], workspace: Workspace) -> Client:
    """Add the client in the file to `workspace`; the caller commits.

    Raises TransferError, having added nothing, when anything in the file is wrong.
    """
    return store(read(catalog, data), workspace)


def store(checked: CheckedFile, workspace: Workspace) -> Client:
    """Add a file that `read` has checked; in a savepoint, so a refusal leaves nothing."""
    try:
        with db.session.begin_nested():
            return _create(checked.parsed, checked, workspace)
    except SQLAlchemyError as exc:  # a constraint the checks missed: nothing is kept
        raise TransferError([f"the database refused the file: {exc.__class__.__name__}: "
                             f"{str(exc).splitlines()[0][:200]}"]) from exc


def _consultant_emails(parsed: ClientFile) -> set[str]:
    return {e.lower() for a in parsed.assessments for e in
            [*(r.consultant for r in a.respondents), *(g.decided_by for g in a.agreed_answers)]
            if e}


def _accounts(parsed: ClientFile, workspace: Workspace) -> dict[str, int]:
    """E-mail -> user id of the file's consultants who have an account in `workspace`."""
    emails = _consultant_emails(parsed)
    if not emails:
        return {}
    return {email: user_id for user_id, email in db.session.execute(
        select(User.id, User.email).where(User.workspace_id == workspace.id,
                                          User.email.in_(emails)))}


def unlinked_consultants(checked: CheckedFile, workspace: Workspace) -> list[str]:
    """The file's consultants with no account in `workspace`: their answers and agreed
    answers keep the name but not the link to an account, so the import can say so."""
    found = _accounts(checked.parsed, workspace)
    return sorted(_consultant_emails(checked.parsed) - set(found))


def _set(row: Any, **values: Any) -> Any:
    """Column values, leaving out None for columns whose default should apply."""
    for name, value in values.items():
        if value is not None:
            setattr(row, name, value)
    return row


def _create(parsed: ClientFile, checked: CheckedFile, workspace: Workspace) -> Client:
    add = db.session.add
    source = parsed.client
    client: Client = _set(Client(workspace=workspace, name=source.name, sector=source.sector,
                         size=source.size, country=source.country, contact=source.contact,
                         notes=source.notes), created_at=source.created_at)
    if source.logo is not None and checked.logo is not None:
        client.logo, client.logo_type = checked.logo, source.logo.content_type
    add(client)
    team: dict[str, TeamMember] = {}
    for member in parsed.team:
        row = _set(TeamMember(client=client, name=member.name, email=member.email.lower(),
                              role=member.role), created_at=member.created_at)
        add(row)
        team[member.key] = row
    users = _accounts(parsed, workspace)
    codes_taken = set(db.session.scalars(select(Workshop.code)))
    for a_index, source_assessment in enumerate(parsed.assessments):
        _create_assessment(client, source_assessment, a_index, team, users, codes_taken,
                           checked)
    db.session.flush()
    return client


def _create_assessment(client: Client, source: AssessmentIn, a_index: int,
                       team: dict[str, TeamMember], users: dict[str, int],
                       codes_taken: set[str], checked: CheckedFile) -> None:
    add = db.session.add
    assessment = _set(Assessment(
        client=client, title=source.title, questionnaire_id=source.questionnaire,
        model_ids=list(source.models), targets=dict(source.targets), status=source.status,
        share_token=new_token() if source.self_assessment_link else None,
        due_on=source.due_on, completed_at=source.completed_at,
    ), created_at=source.created_at)
    add(assessment)
    db.session.flush()  # agreed answers refer to it by id
    for person in source.respondents:
        respondent = _set(Respondent(
            assessment=assessment, kind=person.kind, name=person.name, role=person.role,
            user_id=users.get((person.consultant or "").lower()),
            last_stage=person.last_stage, last_question=person.last_question,
            finished_at=person.finished_at,
        ), created_at=person.created_at)
        add(respondent)
        for answer in person.answers:
            add(_set(Answer(respondent=respondent, question_id=answer.question,
                            value=answer.value, comment=answer.comment, flagged=answer.flagged,
                            revision=answer.revision), updated_at=answer.updated_at))
    for agreed in source.agreed_answers:
        add(_set(AgreedAnswer(assessment_id=assessment.id, question_id=agreed.question,
                              value=agreed.value, note=agreed.note,
                              decided_by=users.get((agreed.decided_by or "").lower())),
                 updated_at=agreed.updated_at))
    if source.workshop is not None:
        code = source.workshop.code
        while code in codes_taken:
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        codes_taken.add(code)
        add(_set(Workshop(assessment=assessment, code=code, named=source.workshop.named,
                          status=source.workshop.status,
                          locked_stages=list(source.workshop.locked_stages),
                          closed_at=source.workshop.closed_at),
                 created_at=source.workshop.created_at))
    if source.roadmap is not None:
        _create_roadmap(assessment, source.roadmap, a_index, team, checked)


def _create_roadmap(assessment: Assessment, source: RoadmapIn, a_index: int,
                    team: dict[str, TeamMember], checked: CheckedFile) -> None:
    add = db.session.add
    roadmap = _set(Roadmap(assessment=assessment, model_id=source.model, title=source.title,
                           starts_on=source.starts_on, accepted_at=source.accepted_at),
                   created_at=source.created_at)
    add(roadmap)
    milestones: dict[str, Milestone] = {}
    for m_index, item in enumerate(source.milestones):
        milestone = _set(Milestone(
            roadmap=roadmap, stage=item.stage, position=item.position, origin=item.origin,
            origin_ref=item.origin_ref, title_en=item.title_en, title_fa=item.title_fa,
            owner=team[item.owner] if item.owner is not None else None,
            start_on=item.start_on, due_on=item.due_on, status=item.status,
            progress=item.progress, notes=item.notes, done_on=item.done_on,
        ), created_at=item.created_at, updated_at=item.updated_at)
        add(milestone)
        milestones[item.key] = milestone
        for e_index, evidence in enumerate(item.evidence):
            data = checked.files.get((a_index, m_index, e_index))
            add(_set(Evidence(
                milestone=milestone, kind=evidence.kind, label=evidence.label,
                url=evidence.url if evidence.kind == "link" else "",
                filename=evidence.filename if data is not None else "",
                content_type=evidence.content_type if data is not None else "",
                size=len(data) if data is not None else 0,
                sha256=evidence.sha256 if data is not None else "", data=data,
            ), created_at=evidence.created_at))
    for item in source.milestones:
        milestones[item.key].depends_on = [milestones[key] for key in item.depends_on]
