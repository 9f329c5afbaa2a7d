"""The board page that opens the readiness report: the verdict in one line, the maturity
index beside its target and the client's previous assessment, the stages against their
targets, each model's verdict, the three largest gaps and the decision the board is asked
to take. Wording of verdicts stays in `verdicts.py`; numbers are written by `i18n`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

from .. import i18n, verdicts
from ..catalog import Catalog
from ..charts import STRIP_ROW, STRIP_WIDTH, stage_strip_svg
from ..results import (
    ModelReadiness,
    PriorityRow,
    advice_rows,
    headline_model,
    model_stage_target,
    questionnaire_of,
    readiness_rows,
    score_assessment,
)
from ..scoring import GATE_FAIL, AssessmentScore, to_points
from ..tables import Assessment, utcnow
from ..trend.operations import (
    Comparison,
    assessed_at,
    comparable_assessments,
    compare_points,
    point_of,
    target_index,
)

#: how many gaps the board page names
BOARD_GAPS = 3
#: the stage strip's width on paper; its rows are STRIP_ROW / STRIP_WIDTH of it high
STRIP_MM = 104.0


@dataclass(frozen=True)
class ModelNext:
    """A deployment model's first stage, in its own order, that is not ready: below its
    target or blocked by a failing gate; with the first item of its checklist and the
    decision the board is asked to take before it starts."""

    model_id: str
    stage_id: str
    stage_name: str
    action: str
    decision: str
    #: why it is not ready: a failing gate, or its score (None: no evidence) below target
    blocked: bool = False
    score: float | None = None
    target: float | None = None  #: in points, 0 to 100


@dataclass(frozen=True)
class BoardGap:
    """One of the largest gaps to target, and why it matters (the first sentence of its
    question's catalogue text, which says what a high answer means)."""

    row: PriorityRow
    why: str


@dataclass(frozen=True)
class Previous:
    """The client's previous completed assessment on the same questionnaire."""

    assessment_id: int
    title: str
    on: str  #: its date, as the reader writes it
    maturity_index: float | None


@dataclass(frozen=True)
class Board:
    """What the board reads on page one. `verdict` is None when nothing is scored: the
    line then says there is no verdict."""

    line: str
    verdict: str | None  #: ready, conditional or not_ready, of the model spoken of
    basis: str  #: why that model, when it matters ("" otherwise)
    model_id: str | None
    maturity_index: float | None
    level: int | None
    target_index: float
    previous: Previous | None
    change: float | None  #: maturity index points since `previous`
    change_text: str  #: the change as the reader writes it ("+12", «−۳»)
    stage_changes: dict[str, float | None]  #: canonical stage id -> points since `previous`
    stage_change_texts: dict[str, str]  #: those changes as the reader writes them
    strip: str  #: the stage strip (SVG), names set beside it in HTML
    models: list[ModelReadiness]
    gaps: list[BoardGap]
    next: ModelNext | None

    @property
    def row_mm(self) -> float:
        """The height of a row of the stage strip on paper, for the names beside it."""
        return round(STRIP_MM * STRIP_ROW / STRIP_WIDTH, 3)


def model_next(catalog: Catalog, result: AssessmentScore, model_id: str,
               lang: str) -> ModelNext | None:
    """The model's first stage, in its own order, that is below target or blocked by a gate."""
    model = catalog.models[model_id]
    for stage_score in result.model(model_id).stages:
        stage = model.stage(stage_score.stage)
        target = model_stage_target(result, stage_score)
        blocked = any(gate.status == GATE_FAIL for gate in stage_score.gates)
        below = stage_score.score is None or (
            target is not None and stage_score.score < to_points(target) - 1e-9)
        if blocked or below:
            return ModelNext(model_id, stage.id, stage.name.get(lang),
                             stage.checklist[0].text.get(lang),
                             stage.decision.get(lang), blocked, stage_score.score,
                             None if target is None else to_points(target))
    return None


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The client's newest completed assessment on the same questionnaire, completed before
    this one was (before now while this one is open), with an answer with a level."""
    before = assessment.completed_at or utcnow()
    earlier = [a for a in comparable_assessments(assessment.client, assessment.questionnaire_id)
               if a.id != assessment.id and assessed_at(a) < before]
    return earlier[-1] if earlier else None


def first_sentence(text: str) -> str:
    """A text's first sentence (up to its first full stop or question mark, Persian or
    Latin, that ends a word)."""
    text = " ".join(text.split())
    match = re.search(r"[.?!؟](?=\s|$)", text)
    return text[:match.end()] if match else text


def _comparison(catalog: Catalog, assessment: Assessment, result: AssessmentScore,
                previous: Assessment | None) -> Comparison | None:
    if previous is None:
        return None
    questionnaire = questionnaire_of(catalog, assessment)
    return compare_points(questionnaire, point_of(previous, score_assessment(catalog, previous)),
                          point_of(assessment, result))


def board_of(catalog: Catalog, assessment: Assessment, result: AssessmentScore,
             lang: str) -> Board:
    questionnaire = questionnaire_of(catalog, assessment)
    earlier = previous_assessment(assessment)
    comparison = _comparison(catalog, assessment, result, earlier)
    previous = None
    if earlier is not None and comparison is not None:
        previous = Previous(earlier.id, earlier.title,
                            i18n.format_date(assessed_at(earlier), lang),
                            comparison.before.maturity_index)
    change = comparison.readiness_change if comparison else None
    stage_changes = {s.stage: comparison.stage(s.stage).change if comparison else None
                     for s in result.stages}
    strip = stage_strip_svg(
        [s.name.get(lang) for s in catalog.stages], [s.score for s in result.stages],
        [s.target * 20 for s in result.stages],
        previous=[comparison.before.stages.get(s.stage) for s in result.stages]
        if comparison else None,
        rtl=lang == "fa", numbers=[i18n.number(s.score, lang) for s in result.stages],
        title=_("The six stages: score, target and previous score"), show_labels=False,
        width_mm=STRIP_MM)
    if result.maturity_index is None or not result.models:
        line, verdict, basis, model_id, next_step = (verdicts.board_no_verdict(lang), None, "",
                                                     None, None)
    else:
        model, why = headline_model(assessment, result)
        line = verdicts.board_verdict(model, catalog, lang)
        verdict, model_id = model.readiness.verdict, model.model
        basis = verdicts.board_basis(why, len(result.models), lang)
        next_step = model_next(catalog, result, model.model, lang)
    gaps = [BoardGap(row, first_sentence(row.question.help.get(lang)))
            for row in advice_rows(questionnaire, result.priorities[:BOARD_GAPS], lang)]
    return Board(
        line=line, verdict=verdict, basis=basis, model_id=model_id,
        maturity_index=result.maturity_index, level=result.level,
        target_index=target_index(catalog, assessment.targets or {}),
        previous=previous, change=change, change_text=i18n.signed(change, lang),
        stage_changes=stage_changes,
        stage_change_texts={stage: i18n.signed(change, lang)
                            for stage, change in stage_changes.items()},
        strip=strip,
        models=readiness_rows(catalog, result, lang), gaps=gaps, next=next_step)
