"""The scoring engine: pure functions from answers to scores.

No Flask, no database: input is a questionnaire from the catalogue and plain answers;
output is frozen dataclasses (and `to_dict()` for JSON). The rules are written down in
docs/scoring.md; this module follows them exactly, and each rule below names its
section there.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, cast, get_args

from .answers import NA, UNKNOWN, AnswerValue, is_scoring_value, refusal
from .catalog import Catalog
from .schema import CANONICAL_STAGE_IDS, LEVELS, Question, Questionnaire

#: respondent id -> question id -> answer
Responses = Mapping[str, Mapping[str, AnswerValue]]
#: Rule 9: a readiness gate passes, fails, or cannot be judged yet because a stage it
#: needs has no score. That last status is not the answer "don't know" (answers.UNKNOWN),
#: though the JSON spells both alike; the line below is its one spelling (see
#: tests/test_answers.py), and these names stand for it everywhere else.
GateStatus = Literal["pass", "fail", "unknown"]
GATE_PASS, GATE_FAIL, GATE_UNKNOWN = cast(
    "tuple[GateStatus, GateStatus, GateStatus]", get_args(GateStatus))

#: The version of the rules in docs/scoring.md this engine follows; pages, reports and the
#: API name it beside the scores (docs/scoring.md keeps the change log).
RULES_VERSION = 2
#: Rule 2: a question is flagged divergent when its answers' standard deviation is at
#: least this many levels (and at least two people gave a level).
DIVERGENCE_THRESHOLD = 1.2
#: Rule 7: coverage at or above these marks gives high / medium confidence.
CONFIDENCE_HIGH = 0.8
CONFIDENCE_MEDIUM = 0.5
#: Rule 1: a question is uncertain when fewer than this share of the people it applies to
#: gave a level (the rest said "don't know" or did not answer).
UNCERTAIN_BELOW = 0.5
#: Rule 7: how sure the figures are; one respondent's answers are self-reported whatever
#: their coverage.
Confidence = Literal["high", "medium", "low", "none", "self_reported"]
#: Rule 9: a deployment model's readiness verdict.
Verdict = Literal["ready", "conditional", "not_ready"]
READY, CONDITIONAL, NOT_READY = cast("tuple[Verdict, Verdict, Verdict]", get_args(Verdict))
#: Rule 9: why a model has its verdict. One reason per failing or undecided gate condition
#: and per gated stage below its target; a ready model's reasons name what was checked.
ReasonCode = Literal["gate_fails", "gate_unknown", "below_target", "gates_pass", "no_gates"]
_EPS = 1e-9


class ScoringInputError(ValueError):
    """Answers, targets or agreed values that the questionnaire cannot take."""


def level_of(mean_level: float) -> int:
    """Rule 4: the maturity level reached is the whole part of the mean level."""
    return min(5, max(0, math.floor(mean_level + _EPS)))


def to_points(mean_level: float) -> float:
    """Rule 3: a mean level 0..5 is shown as a score 0..100."""
    return mean_level * 20.0


def _weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    pairs = list(pairs)
    total_weight = math.fsum(w for _, w in pairs)
    if not pairs or total_weight <= 0:
        return None
    mean = math.fsum(v * w for v, w in pairs) / total_weight
    # A weighted mean lies within its values; keep rounding from stepping outside.
    return min(max(mean, min(v for v, _ in pairs)), max(v for v, _ in pairs))


def validate_answer(value: object) -> AnswerValue:
    # A plain int level, by far the most common answer, is taken without a call: this runs
    # once per answer on every page that shows scores. The rest is for answers to judge.
    if (type(value) is int and 0 <= value <= 5) or is_scoring_value(value):
        return value
    raise ScoringInputError(refusal(value))


def level_spread(levels: Collection[int]) -> tuple[float, float] | None:
    """Rule 2: the mean of the levels given and their spread (the population standard
    deviation), or None when nobody gave a level."""
    if not levels:
        return None
    mean = math.fsum(levels) / len(levels)
    return mean, math.sqrt(math.fsum((x - mean) ** 2 for x in levels) / len(levels))


def diverges(count: int, spread: float | None) -> bool:
    """Rule 2: `count` levels with this spread divide the room: at least two levels, spread
    at the threshold or above. The guard keeps a spread that is the threshold exactly from
    falling below it through float error."""
    return count >= 2 and spread is not None and spread >= DIVERGENCE_THRESHOLD - _EPS


# --- results ----------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionScore:
    question_id: str
    stage: str
    weight: float
    respondents: int
    count: int  #: answers with a level
    not_applicable: int
    unknown: int
    unanswered: int
    distribution: tuple[int, ...]  #: how many answered each level 0..5
    mean: float | None
    median: float | None
    spread: float | None  #: population standard deviation, in levels
    minimum: int | None
    maximum: int | None
    divergent: bool
    agreed: AnswerValue | None  #: an answer agreed by the room, if any
    value: float | None  #: the level this question contributes (agreed, else mean)
    #: the share of the people it applies to who gave a level; None when it applies to
    #: nobody (everyone, or the agreed answer, said "not applicable")
    coverage: float | None
    applicable: int  #: respondents minus those who said "not applicable"
    unknown_share: float | None  #: "don't know" among the people it applies to
    #: it has a value, but fewer than half the people it applies to gave a level
    uncertain: bool


@dataclass(frozen=True)
class StageScore:
    stage: str
    score: float | None  #: 0..100
    level: int | None
    target: int
    gap: float | None  #: levels below target (0..5), 0 when at or above
    questions: int
    scored_questions: int
    coverage: float | None  #: mean coverage of the questions that apply
    divergent_questions: int
    uncertain_questions: int
    unknown_share: float | None  #: "don't know" among the answers that apply


@dataclass(frozen=True)
class GateCondition:
    stage: str
    min_level: int
    level: int | None
    status: GateStatus


@dataclass(frozen=True)
class GateResult:
    model: str
    model_stage: str
    gate: str
    status: GateStatus
    conditions: tuple[GateCondition, ...]


@dataclass(frozen=True)
class Reason:
    """Rule 9: one reason for a model's readiness verdict, in data; `verdicts.py` words it."""

    code: ReasonCode
    model_stage: str | None = None  #: the model stage whose gate speaks
    gate: str | None = None
    stage: str | None = None  #: the canonical stage concerned
    level: int | None = None  #: its level (None: not assessed)
    required: int | None = None  #: the gate's minimum, or the stage's target
    stages: tuple[str, ...] = ()  #: for gates_pass: the gated stages checked


@dataclass(frozen=True)
class Readiness:
    verdict: Verdict
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class ModelStageScore:
    model: str
    stage: str
    score: float | None
    level: int | None
    question_ids: tuple[str, ...]  #: the questions that inform it: its evidence
    informing_questions: int
    informing_answered: int  #: of those, how many have a value
    uncertain_questions: int
    gates: tuple[GateResult, ...]


@dataclass(frozen=True)
class ModelScore:
    model: str
    score: float | None
    level: int | None
    stages: tuple[ModelStageScore, ...]
    readiness: Readiness


@dataclass(frozen=True)
class Priority:
    question_id: str
    stage: str
    value: float
    target: int
    gap: float  #: levels below the stage target; 0 in the "to go further" list
    weight: float
    priority: float  #: gap x weight
    recommendation_levels: tuple[int, ...] | None


@dataclass(frozen=True)
class AssessmentScore:
    questionnaire: str
    respondents: int
    maturity_index: float | None  #: Rule 6: 0..100, from the stage scores
    level: int | None
    coverage: float
    confidence: Confidence
    questions: dict[str, QuestionScore]
    stages: tuple[StageScore, ...]
    models: tuple[ModelScore, ...]
    gates: tuple[GateResult, ...]
    priorities: tuple[Priority, ...]  #: Rule 10: below target, largest first
    further: tuple[Priority, ...] = field(default=())  #: Rule 10: at or above target
    divergent: tuple[str, ...] = field(default=())

    @property
    def self_reported(self) -> bool:
        return self.confidence == "self_reported"

    @property
    def uncertain(self) -> tuple[str, ...]:
        return tuple(qid for qid, qs in self.questions.items() if qs.uncertain)

    def stage(self, stage_id: str) -> StageScore:
        return self.stages[CANONICAL_STAGE_IDS.index(stage_id)]

    def model(self, model_id: str) -> ModelScore:
        for model in self.models:
            if model.model == model_id:
                return model
        raise KeyError(model_id)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = _plain(self)
        return result


def _plain(value: Any) -> Any:
    """Dataclasses to dicts, tuples to lists; no deep copies (asdict is several times slower)."""
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(value, name)) for name in fields}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


# --- the engine -------------------------------------------------------------------


def _question_score(
    question: Question, answers: list[AnswerValue], respondents: int,
    agreed: AnswerValue | None,
) -> QuestionScore:
    levels = sorted(a for a in answers if isinstance(a, int))
    count = len(levels)
    not_applicable = answers.count(NA)
    unknown = answers.count(UNKNOWN)
    applicable = respondents - not_applicable
    distribution = tuple(levels.count(level) for level in LEVELS)
    mean = median = spread = None
    stats = level_spread(levels)
    if stats is not None:
        mean, spread = stats
        middle = count // 2
        median = float(levels[middle]) if count % 2 else (levels[middle - 1] + levels[middle]) / 2
    coverage: float | None
    if agreed is not None:
        value = float(agreed) if isinstance(agreed, int) else None
        coverage = None if agreed == NA else 1.0 if isinstance(agreed, int) else 0.0
        uncertain = False
    else:
        value = mean
        # Rule 1: "not applicable" leaves the denominator; a question everyone said does
        # not apply has no coverage at all (it does not count as uncovered).
        coverage = (None if respondents and not applicable
                    else count / applicable if applicable else 0.0)
        uncertain = count > 0 and count < UNCERTAIN_BELOW * applicable - _EPS
    return QuestionScore(
        question_id=question.id,
        stage=question.stage,
        weight=question.weight,
        respondents=respondents,
        count=count,
        not_applicable=not_applicable,
        unknown=unknown,
        unanswered=respondents - len(answers),
        distribution=distribution,
        mean=mean,
        median=median,
        spread=spread,
        minimum=levels[0] if levels else None,
        maximum=levels[-1] if levels else None,
        divergent=diverges(count, spread),
        agreed=agreed,
        value=value,
        coverage=coverage,
        applicable=applicable,
        unknown_share=unknown / applicable if applicable else None,
        uncertain=uncertain,
    )


def _mean_coverage(scores: Iterable[QuestionScore]) -> float | None:
    shares = [qs.coverage for qs in scores if qs.coverage is not None]
    return math.fsum(shares) / len(shares) if shares else None


def _collect(questionnaire: Questionnaire, responses: Responses) -> dict[str, list[AnswerValue]]:
    by_question: dict[str, list[AnswerValue]] = {q.id: [] for q in questionnaire.questions}
    for respondent, answers in responses.items():
        for question_id, value in answers.items():
            bucket = by_question.get(question_id)
            if bucket is None:
                raise ScoringInputError(
                    f"respondent {respondent!r} answered {question_id!r}, which is not a "
                    f"question of {questionnaire.id!r}"
                )
            bucket.append(validate_answer(value))
    return by_question


def _targets(catalog: Catalog, targets: Mapping[str, int] | None) -> dict[str, int]:
    out = {stage: catalog.default_target for stage in CANONICAL_STAGE_IDS}
    for stage, target in (targets or {}).items():
        if stage not in out:
            raise ScoringInputError(f"target for {stage!r}, which is not a canonical stage")
        if isinstance(target, bool) or not isinstance(target, int) or target not in LEVELS:
            raise ScoringInputError(f"target for {stage!r} must be a level 0-5, not {target!r}")
        out[stage] = target
    return out


def _stage_score(stage_id: str, in_stage: list[QuestionScore], target: int) -> StageScore:
    """Rules 3-5: a canonical stage from its questions, weighted by question weight."""
    mean_level = _weighted_mean((qs.value, qs.weight) for qs in in_stage if qs.value is not None)
    applicable = sum(qs.applicable for qs in in_stage)
    return StageScore(
        stage=stage_id,
        score=to_points(mean_level) if mean_level is not None else None,
        level=level_of(mean_level) if mean_level is not None else None,
        target=target,
        gap=max(0.0, target - mean_level) if mean_level is not None else None,
        questions=len(in_stage),
        scored_questions=sum(1 for qs in in_stage if qs.value is not None),
        coverage=_mean_coverage(in_stage),
        divergent_questions=sum(1 for qs in in_stage if qs.divergent),
        uncertain_questions=sum(1 for qs in in_stage if qs.uncertain),
        unknown_share=(sum(qs.unknown for qs in in_stage) / applicable) if applicable else None,
    )


def _model_stage_score(
    model_id: str, mstage: Any, informed_by: list[Question],
    questions: Mapping[str, QuestionScore], levels: Mapping[str, int | None],
) -> ModelStageScore:
    """Rule 8: a model stage scores the weighted mean of the questions that inform it."""
    evidence = [questions[q.id] for q in informed_by]
    mean_level = _weighted_mean((qs.value, qs.weight) for qs in evidence if qs.value is not None)
    return ModelStageScore(
        model=model_id,
        stage=mstage.id,
        score=to_points(mean_level) if mean_level is not None else None,
        level=level_of(mean_level) if mean_level is not None else None,
        question_ids=tuple(q.id for q in informed_by),
        informing_questions=len(evidence),
        informing_answered=sum(1 for qs in evidence if qs.value is not None),
        uncertain_questions=sum(1 for qs in evidence if qs.uncertain),
        gates=tuple(_gate(model_id, mstage.id, gate, levels) for gate in mstage.gates),
    )


def score(
    catalog: Catalog,
    questionnaire: Questionnaire,
    responses: Responses,
    *,
    targets: Mapping[str, int] | None = None,
    agreed: Mapping[str, AnswerValue] | None = None,
    models: Iterable[str] | None = None,
) -> AssessmentScore:
    """Score one assessment: every view the product shows, from one set of answers."""
    by_question = _collect(questionnaire, responses)
    stage_targets = _targets(catalog, targets)
    agreed_values = {qid: validate_answer(v) for qid, v in (agreed or {}).items()}
    for qid in agreed_values:
        if qid not in by_question:
            raise ScoringInputError(f"agreed answer for {qid!r}, not a question here")
    respondents = len(responses)

    # Rules 1-2: per question.
    questions = {
        q.id: _question_score(q, by_question[q.id], respondents, agreed_values.get(q.id))
        for q in questionnaire.questions
    }

    # Rules 3-5: per canonical stage.
    by_stage: dict[str, list[QuestionScore]] = {stage: [] for stage in CANONICAL_STAGE_IDS}
    for qs in questions.values():
        by_stage[qs.stage].append(qs)
    stage_scores = tuple(_stage_score(s.id, by_stage[s.id], stage_targets[s.id])
                         for s in catalog.stages)

    # Rule 6: the maturity index, weighted by stage weight.
    overall = _weighted_mean(
        (s.score / 20.0, catalog.stage(s.stage).weight) for s in stage_scores
        if s.score is not None
    )
    coverage = _mean_coverage(questions.values()) or 0.0

    # Rules 8-9: the deployment models from their own evidence, their gates and verdicts.
    wanted = list(models) if models is not None else list(catalog.models)
    informing = catalog.informing_questions.get(questionnaire.id, {})
    stage_levels = {s.stage: s.level for s in stage_scores}
    model_scores: list[ModelScore] = []
    for model_id in wanted:
        if model_id not in catalog.models:
            raise ScoringInputError(f"unknown model {model_id!r}")
        model = catalog.models[model_id]
        stages_out = tuple(
            _model_stage_score(model.id, mstage, informing.get(f"{model.id}.{mstage.id}", []),
                               questions, stage_levels)
            for mstage in model.stages
        )
        model_mean = _weighted_mean(
            (s.score / 20.0, 1.0) for s in stages_out if s.score is not None
        )
        model_scores.append(ModelScore(
            model=model.id,
            score=to_points(model_mean) if model_mean is not None else None,
            level=level_of(model_mean) if model_mean is not None else None,
            stages=stages_out,
            readiness=_readiness(stages_out, stage_levels, stage_targets),
        ))

    priorities, further = _priorities(questionnaire, questions, stage_targets)
    return AssessmentScore(
        questionnaire=questionnaire.id,
        respondents=respondents,
        maturity_index=to_points(overall) if overall is not None else None,
        level=level_of(overall) if overall is not None else None,
        coverage=coverage,
        confidence=_confidence(coverage, respondents),
        questions=questions,
        stages=stage_scores,
        models=tuple(model_scores),
        gates=tuple(gate for model in model_scores for s in model.stages for gate in s.gates),
        priorities=priorities,
        further=further,
        divergent=tuple(q.id for q in questionnaire.questions if questions[q.id].divergent),
    )


def _priorities(
    questionnaire: Questionnaire, questions: Mapping[str, QuestionScore],
    targets: Mapping[str, int],
) -> tuple[tuple[Priority, ...], tuple[Priority, ...]]:
    """Rule 10: questions below target, largest priority first, each with the
    recommendation for its level; and those at or above target that still have a
    recommendation for their level ("to go further"), in questionnaire order."""
    order = {q.id: i for i, q in enumerate(questionnaire.questions)}
    below: list[Priority] = []
    further: list[Priority] = []
    for q in questionnaire.questions:
        qs = questions[q.id]
        if qs.value is None:
            continue
        target = targets[q.stage]
        gap = max(0.0, target - qs.value)
        rec = q.recommendation_for(level_of(qs.value))
        item = Priority(
            question_id=q.id, stage=q.stage, value=qs.value, target=target,
            gap=gap if gap > _EPS else 0.0, weight=q.weight,
            priority=gap * q.weight if gap > _EPS else 0.0,
            recommendation_levels=tuple(rec.levels) if rec else None,
        )
        if gap > _EPS:
            below.append(item)
        elif rec is not None:
            further.append(item)
    below.sort(key=lambda p: (-p.priority, CANONICAL_STAGE_IDS.index(p.stage),
                              order[p.question_id]))
    further.sort(key=lambda p: (CANONICAL_STAGE_IDS.index(p.stage), order[p.question_id]))
    return tuple(below), tuple(further)


def _gate(model_id: str, stage_id: str, gate: Any, levels: Mapping[str, int | None]) -> GateResult:
    conditions = []
    for cond in gate.requires:
        level = levels.get(cond.stage)
        status: GateStatus = (GATE_UNKNOWN if level is None
                              else GATE_PASS if level >= cond.min_level else GATE_FAIL)
        conditions.append(GateCondition(cond.stage, cond.min_level, level, status))
    statuses = {c.status for c in conditions}
    overall: GateStatus = (
        GATE_FAIL if GATE_FAIL in statuses else GATE_UNKNOWN if GATE_UNKNOWN in statuses
        else GATE_PASS
    )
    return GateResult(model_id, stage_id, gate.id, overall, tuple(conditions))


def _readiness(
    stages: tuple[ModelStageScore, ...], levels: Mapping[str, int | None],
    targets: Mapping[str, int],
) -> Readiness:
    """Rule 9: not ready when a gate fails; ready with conditions when none fails but one
    cannot be judged or a stage a gate names is below its target; otherwise ready."""
    gates = [gate for stage in stages for gate in stage.gates]
    if not gates:
        return Readiness(CONDITIONAL, (Reason("no_gates"),))
    failing = [
        Reason("gate_fails", gate.model_stage, gate.gate, c.stage, c.level, c.min_level)
        for gate in gates for c in gate.conditions if c.status == GATE_FAIL
    ]
    if failing:
        return Readiness(NOT_READY, tuple(failing))
    undecided = [
        Reason("gate_unknown", gate.model_stage, gate.gate, c.stage, None, c.min_level)
        for gate in gates for c in gate.conditions if c.status == GATE_UNKNOWN
    ]
    gated = list(dict.fromkeys(c.stage for gate in gates for c in gate.conditions))
    below = [
        Reason("below_target", stage=stage, level=levels[stage], required=targets[stage])
        for stage in gated
        if levels.get(stage) is not None and cast(int, levels[stage]) < targets[stage]
    ]
    if undecided or below:
        return Readiness(CONDITIONAL, (*undecided, *below))
    return Readiness(READY, (Reason("gates_pass", stages=tuple(gated)),))


def _confidence(coverage: float, respondents: int) -> Confidence:
    if respondents == 0 or coverage <= 0:
        return "none"
    if respondents == 1:
        return "self_reported"
    if coverage >= CONFIDENCE_HIGH - _EPS:
        return "high"
    if coverage >= CONFIDENCE_MEDIUM - _EPS:
        return "medium"
    return "low"
