"""Request and response bodies of the JSON API, as pydantic models.

The request models validate what clients send (strictly: JSON types as documented, no
unknown fields) and, with the response models, write the JSON Schemas of the OpenAPI
document, so the document and the validation cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .. import scoring
from ..answers import NA, UNKNOWN, NotScored
from ..tables import PARTICIPANT_ROLES
from ..walk.operations import MAX_COMMENT
from ..workshop.operations import MAX_NAME

#: the largest id SQLite and PostgreSQL (bigint) can hold
MAX_ID = 2**63 - 1
#: text without NUL characters (which PostgreSQL cannot store)
ANY_TEXT = r"^[^\x00]*$"
#: ... with at least one character str.strip() keeps (\x1c-\x1f are whitespace to Python)
NON_BLANK = r"^[^\x00]*[^\s\x00\x1c-\x1f][^\x00]*$"


def _text(max_length: int, *, required: bool = False) -> Any:
    return Field(max_length=max_length, pattern=NON_BLANK if required else ANY_TEXT)


Name = Annotated[str, _text(200, required=True)]
Title = Annotated[str, _text(200, required=True)]
Sector = Annotated[str, _text(120)]
Size = Annotated[str, _text(40)]
Country = Annotated[str, _text(80)]
Contact = Annotated[str, _text(200)]
Notes = Annotated[str, _text(10_000)]
PersonName = Annotated[str, _text(MAX_NAME)]
Comment = Annotated[str, _text(MAX_COMMENT)]
def _whole(value: object) -> object:
    """3.0 is an integer to JSON Schema, so it is one here too."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_whole)]
Level = Annotated[int, Field(ge=0, le=5), BeforeValidator(_whole)]
#: an answer as the API speaks it: a level, NA (not applicable) or UNKNOWN (don't know)
AnswerValue = Level | NotScored


class Body(BaseModel):
    """A request body: JSON types exactly as documented, and no fields but these.

    Bodies are parsed with `model_validate_json`, whose parser also refuses invalid
    Unicode (lone surrogates), so every text here can be stored.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ClientIn(Body):
    name: Name = Field(description="The organisation's name.")
    sector: Sector | None = None
    size: Size | None = None
    country: Country | None = None
    contact: Contact | None = None
    notes: Notes | None = None


class AssessmentIn(Body):
    client_id: Id
    questionnaire: Annotated[str, Field(max_length=60, description=(
        "Id of a questionnaire of the catalogue."))]
    title: Title | None = Field(default=None, description=(
        "Defaults to the questionnaire's name, in the request's language."))


class WorkshopIn(Body):
    named: bool | None = Field(default=None, description=(
        "True: the facilitator sees who answered what; false: participants stay anonymous. "
        "Left out: unchanged (anonymous for a new workshop)."))


class JoinIn(Body):
    name: PersonName | None = Field(default=None, description=(
        "Shown to the facilitator in a named workshop."))
    # Checked by the workshop's own rules (which also take "Sales" for "sales").
    role: Annotated[str, Field(max_length=40, json_schema_extra={
        "enum": list(PARTICIPANT_ROLES)})] | None = Field(default=None, description=(
            "What the participant does."))


class AnswerIn(Body):
    value: AnswerValue | None = Field(description=(
        f'A maturity level 0-5, "{NA}" (not applicable) or "{UNKNOWN}" (don\'t know); '
        "null clears the answer."))
    comment: Comment | None = Field(default=None, description=(
        "Left out: the stored comment stays; null or \"\": no comment."))


# --- responses ------------------------------------------------------------------------


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(Out):
    error: str = Field(description="A stable code: invalid, unauthorized, not_found, "
                                   "conflict, method_not_allowed, too_large, rate_limited, "
                                   "server_error.")
    message: str = Field(description="What went wrong, as a sentence for a person.")
    field: str | None = Field(default=None, description="The field at fault, if one is.")
    choices: list[str] | None = Field(default=None, description="The values allowed there.")


class AssessmentOut(Out):
    id: int
    client_id: int
    title: str
    questionnaire: str
    status: Literal["draft", "in_progress", "complete"]
    created_at: datetime


class ClientOut(Out):
    id: int
    name: str
    sector: str
    size: str
    country: str
    contact: str
    notes: str
    created_at: datetime
    assessments: list[AssessmentOut]


class Localized(Out):
    en: str
    fa: str


class LevelTexts(Out):
    """A text in both languages for each answer level, keyed "0" to "5"."""

    level_0: Localized = Field(alias="0")
    level_1: Localized = Field(alias="1")
    level_2: Localized = Field(alias="2")
    level_3: Localized = Field(alias="3")
    level_4: Localized = Field(alias="4")
    level_5: Localized = Field(alias="5")


class ScaleOut(Out):
    id: str = Field(description=(
        "The answer scale: `maturity` (the CRM maturity scale, on which every score is "
        "read) or another scale of the catalogue, such as `extent` for questions about "
        "shared attitudes. Every scale has the levels 0-5 and scores the same way."))
    name: Localized
    level_names: LevelTexts = Field(description=(
        "What each level is called on this scale (3 is \"Defined\" on the maturity "
        "scale, \"Largely\" on the extent scale)."))


class QuestionOut(Out):
    id: str
    stage: Literal["vision", "strategy", "process", "data", "technology", "metrics"]
    text: Localized
    help: Localized
    weight: float
    scale: ScaleOut = Field(description="The scale the question is answered on.")
    levels: LevelTexts = Field(description=(
        "What each answer level 0-5 means for this question, in both languages: show "
        "it beside each choice."))
    informs: list[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")]] = Field(
        description=(
            "The deployment-model stages this question is evidence for, as "
            "\"model.stage\" ids (for example \"gartner.vision\"); see "
            "`crm-maturity models list`."))


class WorkshopOut(Out):
    code: str = Field(description="What participants type to join.")
    join_url: str = Field(description="The web page where participants join.")
    status: Literal["open", "closed"]
    named: bool


class ParticipantOut(Out):
    token: str = Field(description="The participant's secret: keep it to answer and resume.")
    name: str
    role: str


class AnswerOut(Out):
    question_id: str
    value: AnswerValue | None
    comment: str
    revision: int = Field(description="Goes up by one on every change.")


# --- scores ---------------------------------------------------------------------------
# The scoring engine's result (assessment/scoring.py, docs/scoring.md) as the API sends
# it: the engine's own dataclasses, with descriptions for the document, each readiness
# reason also in words, and the v1 alias `readiness_index`. The classes carry the engine's
# names, so the document's schema names stay those API v1 has always had.


@dataclass(frozen=True)
class QuestionScore(scoring.QuestionScore):
    coverage: Annotated[float | None, Field(description=(
        "Rule 1: the share of the people the question applies to who gave a level "
        '("not applicable" leaves the denominator); null when it applies to nobody.'))]
    applicable: Annotated[int, Field(description=(
        f'Respondents minus those who answered "{NA}": the people the question applies to.'))]
    unknown_share: Annotated[float | None, Field(description=(
        'The share of "don\'t know" among the people the question applies to; null when it '
        "applies to nobody."))]
    uncertain: Annotated[bool, Field(description=(
        "Rule 1: someone gave a level, but fewer than half of the people the question "
        "applies to did. The question keeps its value; show it marked."))]


@dataclass(frozen=True)
class StageScore(scoring.StageScore):
    gap: Annotated[float | None, Field(description=(
        "Rule 5: how many levels (0-5) the stage's mean level lies below its target; 0 at "
        "or above it, null when the stage has no score. In levels, like question gaps."))]
    coverage: Annotated[float | None, Field(description=(
        "The mean coverage of the stage's questions that apply; null when none applies."))]
    uncertain_questions: Annotated[int, Field(description=(
        "How many of the stage's questions are uncertain."))]
    unknown_share: Annotated[float | None, Field(description=(
        'The share of "don\'t know" among the stage\'s answers that apply.'))]


@dataclass(frozen=True)
class ModelStageScore(scoring.ModelStageScore):
    question_ids: Annotated[tuple[str, ...], Field(description=(
        "Rule 8: the questions that inform this model stage, its evidence; its score is "
        "their weighted mean. (Model stages no longer carry `maps_to`.)"))]
    uncertain_questions: Annotated[int, Field(description=(
        "How many of those questions are uncertain."))]


@dataclass(frozen=True, kw_only=True)
class Reason(scoring.Reason):
    text: Annotated[str, Field(description=(
        "The reason as a sentence, in the request's language (Accept-Language or ?lang)."))]


@dataclass(frozen=True)
class Readiness(scoring.Readiness):
    verdict: Annotated[scoring.Verdict, Field(description=(
        "Rule 9: ready (every gate passes and every stage a gate names is at or above its "
        "target), conditional (ready with conditions: no gate fails, but one cannot be "
        "judged or a stage it names is below target) or not_ready (a gate fails)."))]
    reasons: Annotated[tuple[Reason, ...], Field(description=(
        "Why: each failing or undecided gate condition and each gated stage below target; "
        "for a ready model, the stages checked. Never empty."))]


@dataclass(frozen=True)
class ModelScore(scoring.ModelScore):
    stages: tuple[ModelStageScore, ...]
    readiness: Annotated[Readiness, Field(description=(
        "Whether to start the model's next stages: its verdict and the reasons for it."))]


@dataclass(frozen=True)
class AssessmentScore:
    """The scores of an assessment (docs/scoring.md, rules version 2)."""

    questionnaire: str
    respondents: int
    maturity_index: Annotated[float | None, Field(description=(
        "Rule 6: the maturity index 0-100, the weighted mean of the stage scores; null "
        "while no answer has a level."))]
    readiness_index: Annotated[float | None, Field(deprecated=True, description=(
        "The same number as `maturity_index`, under the name rules version 1 gave it; kept "
        "for clients of API v1. Use `maturity_index`: readiness is now a verdict per model "
        "(`models[].readiness`)."))]
    level: Annotated[int | None, Field(description="Rule 4: the maturity level of the index.")]
    coverage: float
    confidence: Annotated[scoring.Confidence, Field(description=(
        "Rule 7: high, medium or low from coverage, none without answers, self_reported "
        "when one person answered."))]
    self_reported: Annotated[bool, Field(description=(
        "One respondent: the figures are their own view, whatever the coverage."))]
    questions: dict[str, QuestionScore]
    stages: tuple[StageScore, ...]
    models: tuple[ModelScore, ...]
    gates: tuple[scoring.GateResult, ...]
    priorities: Annotated[tuple[scoring.Priority, ...], Field(description=(
        "Rule 10: the questions below their stage's target, largest priority first."))]
    further: Annotated[tuple[scoring.Priority, ...], Field(description=(
        "Rule 10, \"to go further\": questions at or above target that have a "
        "recommendation for their level, in stage and question order (gap 0)."))]
    divergent: tuple[str, ...]
