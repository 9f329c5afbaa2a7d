"""A stored assessment scored: its answers read for the scoring engine, and what a results
page shows of one scoring run."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from . import answers, i18n, verdicts, web
from .catalog import Catalog
from .charts import radar_svg
from .extensions import db
from .schema import Question, Questionnaire
from .scoring import (
    CONDITIONAL,
    NOT_READY,
    READY,
    AssessmentScore,
    ModelScore,
    ModelStageScore,
    Priority,
    QuestionScore,
    level_of,
    score,
)
from .tables import CUSTOM_MODEL, AgreedAnswer, Answer, Assessment, Respondent, Roadmap

LEVEL_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#7cb342", "#2e8b57", "#1f6f8b")
#: Respondents whose answers count. A workshop participant the facilitator removed keeps
#: their rows, but their answers leave every score, the live view, reports and exports of
#: findings: every query of answers for those adds this condition.
COUNTED = Respondent.removed_at.is_(None)


def questionnaire_of(catalog: Catalog, assessment: Assessment) -> Questionnaire:
    return catalog.questionnaires[assessment.questionnaire_id]


def responses_of(catalog: Catalog,
                 assessment: Assessment) -> dict[str, dict[str, answers.AnswerValue]]:
    """Answers by respondent, for the scoring engine.

    Only people who have given at least one answer (a level, "not applicable" or "don't
    know") count as respondents: someone who opened the walk and left, or a consultant
    who only looked, must not lower coverage. Removed participants do not count at all.
    An answer to a question the questionnaire no longer has (a catalogue update removed
    or merged it: docs/catalogue.md lists them) stays stored and is left out here, so it
    is not scored; someone who answered only such questions is not a respondent.
    """
    known = _questions_of(catalog, assessment)
    rows = db.session.execute(
        select(Answer.respondent_id, Answer.question_id, Answer.value)
        .join(Respondent)
        .where(Respondent.assessment_id == assessment.id, Answer.value.is_not(None), COUNTED)
    )
    responses: dict[str, dict[str, answers.AnswerValue]] = {}
    for respondent_id, question_id, value in rows:
        if value is not None and question_id in known:
            responses.setdefault(str(respondent_id), {})[question_id] = answers.scoring_value(value)
    return responses


def agreed_of(assessment: Assessment) -> dict[str, AgreedAnswer]:
    """Answers a workshop agreed on, by question id."""
    rows = db.session.scalars(select(AgreedAnswer).where(
        AgreedAnswer.assessment_id == assessment.id))
    return {row.question_id: row for row in rows}


def agreed_values_of(catalog: Catalog, assessment: Assessment) -> dict[str, answers.AnswerValue]:
    """The agreed answers for the scoring engine: like `responses_of`, only for questions
    the questionnaire still has."""
    known = _questions_of(catalog, assessment)
    return {qid: row.scoring_value() for qid, row in agreed_of(assessment).items()
            if qid in known}


def _questions_of(catalog: Catalog, assessment: Assessment) -> set[str]:
    return {q.id for q in questionnaire_of(catalog, assessment).questions}


def score_assessment(catalog: Catalog, assessment: Assessment) -> AssessmentScore:
    questionnaire = questionnaire_of(catalog, assessment)
    models = [m for m in assessment.model_ids if m in catalog.models] or list(catalog.models)
    return score(catalog, questionnaire, responses_of(catalog, assessment),
                 targets=assessment.targets or None,
                 agreed=agreed_values_of(catalog, assessment), models=models)


def model_stage_target(result: AssessmentScore, stage: ModelStageScore) -> float | None:
    """The level a deployment model's stage should reach, to set beside its score.

    A model stage scores the weighted mean of the questions that inform it (rule 8), so
    its target is the weighted mean, by the same question weights and over the same
    questions (those with a value; all of them while none has one), of the targets of
    those questions' canonical stages. None when no question of this questionnaire
    informs it.
    """
    targets = {s.stage: s.target for s in result.stages}
    evidence = [result.questions[qid] for qid in stage.question_ids]
    valued = [qs for qs in evidence if qs.value is not None] or evidence
    total = math.fsum(qs.weight for qs in valued)
    if not valued or total <= 0:
        return None
    return math.fsum(targets[qs.stage] * qs.weight for qs in valued) / total


@dataclass(frozen=True)
class PriorityRow:
    """A question on the priorities or the "to go further" list, with the recommendation
    for the level it has reached (rule 10)."""

    priority: Priority
    question: Question
    recommendation: str


@dataclass(frozen=True)
class ModelReadiness:
    """A deployment model's readiness verdict in words (rule 9)."""

    model: ModelScore
    label: str
    colour: str  #: the badge's Bootstrap colour
    reasons: list[str]


def level_colour(level: int | None) -> str:
    return "#9aa5b1" if level is None else LEVEL_COLOURS[level]


def advice_rows(questionnaire: Questionnaire, items: tuple[Priority, ...],
                lang: str) -> list[PriorityRow]:
    rows = []
    for item in items:
        question = questionnaire.question(item.question_id)
        rec = question.recommendation_for(level_of(item.value))
        rows.append(PriorityRow(item, question, rec.text.get(lang) if rec else ""))
    return rows


def model_readiness(catalog: Catalog, model: ModelScore, lang: str) -> ModelReadiness:
    return ModelReadiness(model, verdicts.verdict_label(model.readiness.verdict),
                          verdicts.VERDICT_COLOURS[model.readiness.verdict],
                          verdicts.reasons_of(model, catalog, lang))


def readiness_rows(catalog: Catalog, result: AssessmentScore, lang: str) -> list[ModelReadiness]:
    return [model_readiness(catalog, model, lang) for model in result.models]


#: how many strengths and next steps the summary shows
SUMMARY_ITEMS = 3
_VERDICT_RANK = {READY: 0, CONDITIONAL: 1, NOT_READY: 2}


@dataclass(frozen=True)
class Strength:
    """A question among the strongest answers, with what its level reached looks like."""

    question: Question
    figures: QuestionScore
    level: int
    statement: str  #: the question's own description of that level


@dataclass(frozen=True)
class ExecutiveSummary:
    """What an executive reads first: where they stand, whether to start, what is strong
    and what to do next. The detail stays on the full results below it."""

    maturity_index: float | None
    level: int | None
    #: the verdict of the model the summary speaks of; None when nothing is scored
    verdict: ModelReadiness | None
    #: why that model: "roadmap" (the client rolls it out), "only" (the one model chosen)
    #: or "nearest" (the nearest to ready of `models`)
    basis: str
    models: int
    strengths: list[Strength]
    next_steps: list[PriorityRow]
    confidence: str

    @property
    def scored(self) -> bool:
        return self.maturity_index is not None


def summary_first(questionnaire: Questionnaire, shared: bool) -> bool:
    """The results open on the executive summary, the detail one tap away: for the
    executive questionnaire (whoever looks) and for anyone who comes by a share link."""
    return questionnaire.audience == "executive" or shared


def planned_roadmap(assessment: Assessment, result: AssessmentScore) -> Roadmap | None:
    """The client's rollout roadmap that the report and the summary speak of.

    Of the client's roadmaps (an accepted one before a proposal, the newest first), the
    first whose model the assessment reports on; when none is, the first custom roadmap
    (it follows the six canonical stages, no model); else None.
    """
    reported = {m.model for m in result.models}
    roadmaps = list(db.session.scalars(
        select(Roadmap).join(Assessment)
        .where(Assessment.client_id == assessment.client_id)
        .order_by(Roadmap.accepted_at.is_(None), Roadmap.created_at.desc(), Roadmap.id.desc())))
    followed = [r for r in roadmaps if r.model_id in reported]
    custom = [r for r in roadmaps if r.model_id == CUSTOM_MODEL]
    return next(iter(followed or custom), None)


def headline_model(assessment: Assessment, result: AssessmentScore) -> tuple[ModelScore, str]:
    """The model whose verdict heads the summary, and why that one (see ExecutiveSummary).

    The model of the client's roadmap (`planned_roadmap`) when the assessment reports on
    it; else the one model chosen; else the model nearest to ready: the best verdict,
    then the higher score, then catalogue order.
    """
    by_id = {m.model: m for m in result.models}
    roadmap = planned_roadmap(assessment, result)
    if roadmap is not None and roadmap.model_id in by_id:
        return by_id[roadmap.model_id], "roadmap"
    if len(result.models) == 1:
        return result.models[0], "only"
    order = {m.model: index for index, m in enumerate(result.models)}
    nearest = min(result.models, key=lambda m: (_VERDICT_RANK[m.readiness.verdict],
                                                 -(m.score if m.score is not None else -1),
                                                 order[m.model]))
    return nearest, "nearest"


def strengths_of(questionnaire: Questionnaire, result: AssessmentScore, lang: str,
                 limit: int = SUMMARY_ITEMS) -> list[Strength]:
    """The strongest answers: questions with a value at or above their stage's target,
    the highest value first, then the heavier weight, then the questionnaire's order.
    None when nothing has reached its target: a low answer is no strength (level 0 never
    is, even against a target of 0)."""
    targets = {s.stage: s.target for s in result.stages}
    reached = [(index, q, result.questions[q.id])
               for index, q in enumerate(questionnaire.questions)
               if (value := result.questions[q.id].value) is not None
               and value + 1e-9 >= max(targets[q.stage], 1)]
    reached.sort(key=lambda item: (-(item[2].value or 0), -item[2].weight, item[0]))
    chosen = []
    for _index, question, figures in reached[:limit]:
        level = level_of(figures.value or 0)
        chosen.append(Strength(question, figures, level, question.levels[level].get(lang)))
    return chosen


def next_steps_of(questionnaire: Questionnaire, result: AssessmentScore, lang: str,
                  strengths: list[Strength], limit: int = SUMMARY_ITEMS) -> list[PriorityRow]:
    """The advice for the largest gaps to target (rule 10's priorities); while fewer than
    `limit` questions lie below target, the advice to go further for questions not
    already named as strengths."""
    named = {s.question.id for s in strengths}
    items = list(result.priorities[:limit])
    items += [p for p in result.further if p.question_id not in named][:limit - len(items)]
    return [row for row in advice_rows(questionnaire, tuple(items), lang) if row.recommendation]


def executive_summary(catalog: Catalog, assessment: Assessment, result: AssessmentScore,
                      lang: str) -> ExecutiveSummary:
    questionnaire = questionnaire_of(catalog, assessment)
    confidence = verdicts.confidence_label(result.confidence)
    if result.maturity_index is None:  # nothing to judge: no verdict, no strengths
        return ExecutiveSummary(None, None, None, "", len(result.models), [], [], confidence)
    model, basis = headline_model(assessment, result)
    verdict = model_readiness(catalog, model, lang)
    strengths = strengths_of(questionnaire, result, lang)
    return ExecutiveSummary(result.maturity_index, result.level, verdict, basis,
                            len(result.models), strengths,
                            next_steps_of(questionnaire, result, lang, strengths), confidence)


def results_context(catalog: Catalog, assessment: Assessment,
                    shared: bool = False) -> dict[str, Any]:
    # chosen here, before anything is worded: the radar and the recommendations below
    # are in the page's language
    lang = web.lang()
    result: AssessmentScore = score_assessment(catalog, assessment)
    questionnaire = questionnaire_of(catalog, assessment)
    labels = [s.name.get(lang) for s in catalog.stages]
    radar = radar_svg(
        labels,
        [s.score for s in result.stages],
        [s.target * 20 for s in result.stages],
        rtl=lang == "fa",
        title=_("Radar of the six stages: current against target"),
        numbers=[i18n.number(s.score, lang) for s in result.stages],
    )
    return {
        "assessment": assessment,
        "result": result,
        "summary": executive_summary(catalog, assessment, result, lang)
        if summary_first(questionnaire, shared) else None,
        "questionnaire": questionnaire,
        "radar": radar,
        "priorities": advice_rows(questionnaire, result.priorities, lang),
        "further": advice_rows(questionnaire, result.further, lang),
        "readiness": readiness_rows(catalog, result, lang),
        "confidence": verdicts.confidence_label(result.confidence),
        "level_colour": level_colour,
        "stage_scores": {s.stage: s for s in result.stages},
        "failed_gates": [gate for gate in result.gates if gate.status == "fail"],
        "agreed_notes": {qid: row.note for qid, row in agreed_of(assessment).items()},
    }
