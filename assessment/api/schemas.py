"""Request and response bodies of the JSON API, as pydantic models.

The request models validate what clients send (strictly: JSON types as documented, no
unknown fields) and, with the response models, write the JSON Schemas of the OpenAPI
document, so the document and the validation cannot drift apart.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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


class QuestionOut(Out):
    id: str
    stage: Literal["vision", "strategy", "process", "data", "technology", "metrics"]
    text: Localized
    help: Localized
    weight: float


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
