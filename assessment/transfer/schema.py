"""The client file's shape: its limits, its error, and the pydantic models of its rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from ..answers import NA, UNKNOWN, VALUES
from ..brand import LOGO_MAX_BYTES
from ..rollout.operations import (
    EVIDENCE_MAX_BYTES,
    MAX_NOTES,
    MAX_TITLE,
)
from ..schema import CanonicalStageId
from ..walk.operations import MAX_COMMENT
from ..workshop.operations import MAX_NOTE as MAX_AGREED_NOTE

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
MAX_AUDIT = 1_000_000
MAX_PROFILES = 1000


class TransferError(ValueError):
    """A file that cannot be imported; `problems` lists what is wrong and where."""

    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        more = len(problems) - len(self.problems)
        text = "\n".join(self.problems) + (f"\n... and {more} more problem(s)" if more else "")
        super().__init__(text)



def show(value: object) -> str:
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
                              "2025-01-31T09:30:00", {"value": show(value)})


def _day(value: object) -> date:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise PydanticCustomError("date", "{value} is not a date like 2025-01-31",
                              {"value": show(value)})


def _optional(check: Callable[[object], Any]) -> Callable[[object], Any]:
    def optional(value: object) -> Any:
        return None if value is None else check(value)

    return optional


def _answer(value: object) -> str:
    """An answer exactly as stored (the file is written from the database, so no other form)."""
    if isinstance(value, str) and value in VALUES:
        return value
    raise PydanticCustomError("answer_value", f"{{value}} is not an answer (0-5, {NA}, {UNKNOWN})",
                              {"value": show(value)})


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
    #: a workshop participant the facilitator removed (their answers count nowhere)
    removed_at: OptionalStamp = None
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
    origin: Literal["checklist", "gap", "team", "data"] = "team"
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


class AuditActorIn(_Model):
    kind: Literal["account", "participant", "link", "system"]
    #: the name or e-mail shown for them at the time
    label: Annotated[str, StringConstraints(max_length=254)] = ""
    #: an account's e-mail, to link the entry to the account of the same e-mail
    email: Email | None = None
    #: a respondent, as (assessment index, respondent index) in this file
    respondent: Annotated[list[Annotated[int, Field(ge=0)]],
                          Field(min_length=2, max_length=2)] | None = None


class AuditEntryIn(_Model):
    """One entry of the audit trail (see assessment/audit.py); written only when there are
    entries, so files without them read as before."""

    at: Stamp
    action: Annotated[str, StringConstraints(pattern=r"^[a-z_]{1,20}\.[a-z_]{1,19}$")]
    actor: AuditActorIn
    #: the assessment (its index in this file) the entry belongs to, if any
    assessment: Annotated[int, Field(ge=0)] | None = None
    #: whether it belongs to that assessment's roadmap
    roadmap: bool = False
    subject: Text120 = ""
    #: a milestone named by its key in the assessment's roadmap (its id changes on import)
    milestone: Key | None = None
    subject_label: Annotated[str, StringConstraints(max_length=MAX_TITLE)] = ""
    old: dict[str, Any] | None = None
    new: dict[str, Any] | None = None


class DataProfileIn(_Model):
    """A measurement of the client's customer data: aggregates only (customerdata's
    `Profile.to_json()` as `result`), never a value from the files."""

    created_at: Stamp
    as_of: OptionalDay = None
    window_months: Annotated[int, Field(ge=6, le=12)] = 12
    rows: Annotated[int, Field(ge=0)] = 0
    customers: Annotated[int, Field(ge=0)] = 0
    score: Level = 0
    unit: Literal["", "rial", "toman"] = ""
    result: dict[str, Any]


class ClientFile(_Model):
    format: Literal["crm-maturity/client"]
    version: Literal[1]
    client: ClientIn
    team: Annotated[list[TeamMemberIn], Field(max_length=MAX_TEAM)] = []
    assessments: Annotated[list[AssessmentIn], Field(max_length=MAX_ASSESSMENTS)] = []
    audit: Annotated[list[AuditEntryIn], Field(max_length=MAX_AUDIT)] = []
    data_profiles: Annotated[list[DataProfileIn], Field(max_length=MAX_PROFILES)] = []
