"""The shape of every catalogue file, as pydantic models.

Four kinds of file make the catalogue, told apart by their top-level `kind`:
`stages` (the six canonical stages), `scale` (the 0-5 maturity scale), `model` (one
deployment model) and `questionnaire` (one question bank). Everything is frozen once
loaded. Rules that need more than one file (references between files, ids unique
across files) live in `catalog.py`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

CANONICAL_STAGE_IDS: tuple[str, ...] = (
    "vision",
    "strategy",
    "process",
    "data",
    "technology",
    "metrics",
)
CanonicalStageId = Literal["vision", "strategy", "process", "data", "technology", "metrics"]
Lang = Literal["en", "fa"]
LANGS: tuple[Lang, ...] = ("en", "fa")
LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4, 5)

_PERSIAN_LETTER = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


_ARABIC_VARIANTS = re.compile(r"[\u064A\u0643]")


def _has_persian(text: str) -> str:
    if not _PERSIAN_LETTER.search(text):
        raise ValueError("the Persian text has no Persian letters (translation missing?)")
    found = _ARABIC_VARIANTS.search(text)
    if found:
        raise ValueError(
            f"Arabic letter {found.group()!r} at character {found.start()}: "
            "Persian text uses \u06cc (ی) and \u06a9 (ک)"
        )
    return text


def _has_latin(text: str) -> str:
    if not _LATIN_LETTER.search(text):
        raise ValueError("the English text has no Latin letters (translation missing?)")
    return text


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
LocalId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=60),
    Field(description="Lower-case letters, digits and underscores, starting with a letter."),
]
QuestionId = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_.-]*[a-z0-9]$", max_length=60),
    Field(description="Stable id: lower-case letters, digits, '.', '-' and '_'."),
]
ModelStageRef = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"),
    Field(description="A deployment model's stage, written MODEL_ID.STAGE_ID, e.g. gartner.vision"),
]
Level = Annotated[int, Field(ge=0, le=5, description="A maturity level, 0 to 5.")]
MappingWeight = Annotated[float, Field(gt=0, le=1)]
QuestionWeight = Annotated[float, Field(ge=0.25, le=5)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


class Localized(Strict):
    """A text in both languages of the product."""

    en: Annotated[Text, AfterValidator(_has_latin)]
    fa: Annotated[Text, AfterValidator(_has_persian)]

    def get(self, lang: str) -> str:
        return self.fa if lang == "fa" else self.en


# --- stages.yaml ------------------------------------------------------------------


class CanonicalStage(Strict):
    id: CanonicalStageId
    name: Localized
    description: Localized
    weight: Annotated[float, Field(gt=0, le=5)] = 1.0


class StagesFile(Strict):
    """The six canonical stages every model maps onto, in walk order."""

    kind: Literal["stages"]
    default_target: Level = Field(
        3, description="Target level used for a stage when an assessment sets none."
    )
    stages: list[CanonicalStage]

    @field_validator("stages")
    @classmethod
    def _six_in_order(cls, stages: list[CanonicalStage]) -> list[CanonicalStage]:
        ids = tuple(stage.id for stage in stages)
        if ids != CANONICAL_STAGE_IDS:
            raise ValueError(
                "the canonical stages must be exactly, in this order: "
                + ", ".join(CANONICAL_STAGE_IDS)
                + f" (found: {', '.join(ids) or 'none'})"
            )
        return stages


# --- scale.yaml -------------------------------------------------------------------


class ScaleLevel(Strict):
    value: Level
    name: Localized
    descriptor: Localized


class NotScoredAnswer(Strict):
    label: Localized
    help: Localized


class ScaleFile(Strict):
    """An answer scale: six levels 0..5, plus the two answers that carry no score."""

    kind: Literal["scale"]
    id: LocalId
    name: Localized
    levels: list[ScaleLevel]
    not_applicable: NotScoredAnswer
    unknown: NotScoredAnswer

    @field_validator("levels")
    @classmethod
    def _zero_to_five(cls, levels: list[ScaleLevel]) -> list[ScaleLevel]:
        values = tuple(level.value for level in levels)
        if values != LEVELS:
            raise ValueError(f"levels must be 0, 1, 2, 3, 4, 5 in order (found: {values})")
        return levels

    def level(self, value: int) -> ScaleLevel:
        return self.levels[value]


# --- deployment models ------------------------------------------------------------


class Source(Strict):
    citation: Text
    note: Text | None = None


class ChecklistItem(Strict):
    """A concrete piece of work in a model stage; later a rollout milestone."""

    id: LocalId
    text: Localized
    evidence: Localized = Field(description="What shows the item is done.")


class GateCondition(Strict):
    stage: CanonicalStageId
    min_level: Annotated[int, Field(ge=1, le=5)]


class Gate(Strict):
    """A readiness gate: this model stage should not start until the conditions hold."""

    id: LocalId
    description: Localized
    requires: Annotated[list[GateCondition], Field(min_length=1)]


class ModelStage(Strict):
    id: LocalId
    name: Localized
    description: Localized
    decision: Localized = Field(
        description="The decision a board is asked to take when this is the first stage of "
                    "the model that is not ready: one sentence, starting with a verb such as "
                    "'Approve'.",
    )
    maps_to: Annotated[dict[CanonicalStageId, MappingWeight], Field(min_length=1)] = Field(
        description="Canonical stages this stage draws its score from, with weights summing to 1."
    )
    checklist: Annotated[list[ChecklistItem], Field(min_length=1)]
    gates: list[Gate] = []
    note: Localized | None = None

    @field_validator("maps_to")
    @classmethod
    def _weights_sum_to_one(cls, maps_to: dict[str, float]) -> dict[str, float]:
        total = math.fsum(maps_to.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"the mapping weights must add up to 1 (they add up to {total:g})")
        return maps_to


class DeploymentModel(Strict):
    kind: Literal["model"]
    id: LocalId
    name: Localized
    summary: Localized
    sources: Annotated[list[Source], Field(min_length=1)]
    design_notes: Localized | None = None
    stages: Annotated[list[ModelStage], Field(min_length=1)]

    def stage(self, stage_id: str) -> ModelStage:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(f"{self.id}.{stage_id}")


# --- questionnaires ---------------------------------------------------------------


class Recommendation(Strict):
    levels: Annotated[list[Level], Field(min_length=1)] = Field(
        description="The answer levels (0-5) at which this recommendation applies."
    )
    text: Localized


class Question(Strict):
    id: QuestionId
    stage: CanonicalStageId
    text: Localized
    help: Localized
    scale: LocalId = "maturity"
    levels: dict[Level, Localized] = Field(
        description="What each answer level 0 to 5 looks like for this question, in both "
                    "languages: one short, concrete sentence per level.",
    )
    weight: QuestionWeight = 1.0
    informs: Annotated[list[ModelStageRef], Field(min_length=1)]
    tags: list[LocalId] = []
    recommendations: Annotated[list[Recommendation], Field(min_length=1)]

    @field_validator("levels")
    @classmethod
    def _six_levels(cls, levels: dict[int, Localized]) -> dict[int, Localized]:
        if tuple(sorted(levels)) != LEVELS:
            missing = [str(level) for level in LEVELS if level not in levels]
            raise ValueError("a description for each level 0 to 5 (missing: "
                             + ", ".join(missing) + ")")
        return levels

    @field_validator("recommendations")
    @classmethod
    def _every_level_below_five_once(cls, recs: list[Recommendation]) -> list[Recommendation]:
        seen: dict[int, int] = {}
        for index, rec in enumerate(recs):
            for level in rec.levels:
                if level in seen:
                    raise ValueError(
                        f"level {level} has two recommendations (items {seen[level]} and {index})"
                    )
                seen[level] = index
        missing = [level for level in LEVELS[:-1] if level not in seen]
        if missing:
            raise ValueError(
                "every level from 0 to 4 needs a recommendation; missing: "
                + ", ".join(map(str, missing))
            )
        return recs

    def recommendation_for(self, level: int) -> Recommendation | None:
        for rec in self.recommendations:
            if level in rec.levels:
                return rec
        return None


def missing_stages(questions: list[Question]) -> list[str]:
    """The canonical stages none of these questions belongs to."""
    present = {question.stage for question in questions}
    return [stage for stage in CANONICAL_STAGE_IDS if stage not in present]


class Questionnaire(Strict):
    kind: Literal["questionnaire"]
    id: LocalId
    name: Localized
    description: Localized
    audience: Literal["executive", "workshop", "other"] = "other"
    minutes: Annotated[int, Field(ge=1, le=600)] = Field(description="Typical time to answer.")
    evidence_per_stage: Annotated[int, Field(ge=1, le=20)] = Field(
        default=1,
        description="The fewest questions that must inform each stage of every deployment "
                    "model this questionnaire informs: a model stage scores from them alone.",
    )
    sources: Annotated[list[Source], Field(min_length=1)]
    questions: list[Question] = Field(
        default=[], description="The questions, in the order they are asked.")
    questions_from: LocalId | None = Field(
        default=None,
        description="Instead of questions of its own: the id of a questionnaire whose "
                    "questions `selection` names. The selected questions are that "
                    "questionnaire's, word for word, with the same ids.",
    )
    selection: list[QuestionId] = Field(
        default=[], description="With `questions_from`: the question ids taken, in order.")
    retired: list[QuestionId] = Field(
        default=[],
        description="Ids of questions this questionnaire asked once and no longer asks "
                    "(removed, or merged into another): no new question may take one. "
                    "Answers stored against them are kept, and not scored.",
    )

    @field_validator("questions")
    @classmethod
    def _covers_every_stage(cls, questions: list[Question]) -> list[Question]:
        if questions:
            uncovered = missing_stages(questions)
            if uncovered:
                raise ValueError("no question for stage(s): " + ", ".join(uncovered))
        return questions

    @model_validator(mode="after")
    def _questions_or_a_selection(self) -> Questionnaire:
        if self.questions_from is None and not self.questions:
            raise ValueError("needs questions, or questions_from and a selection")
        if self.questions_from is not None and (self.questions or not self.selection):
            raise ValueError("with questions_from, list the question ids under 'selection' "
                             "and no questions of its own")
        return self

    def question(self, question_id: str) -> Question:
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


CatalogFile = Annotated[
    StagesFile | ScaleFile | DeploymentModel | Questionnaire, Field(discriminator="kind")
]
KIND_NAMES: dict[str, type[BaseModel]] = {
    "stages": StagesFile,
    "scale": ScaleFile,
    "model": DeploymentModel,
    "questionnaire": Questionnaire,
}


def json_schema(kind: str | None = None) -> dict[str, Any]:
    """A JSON Schema for one kind of file, or for any catalogue file."""
    from pydantic import TypeAdapter

    if kind is not None:
        schema = KIND_NAMES[kind].model_json_schema()
    else:
        schema = TypeAdapter(CatalogFile).json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema.setdefault("title", "crm-maturity catalogue file")
    return schema
