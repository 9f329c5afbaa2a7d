"""Re-assessment trend: one client's assessments with one questionnaire, compared over time.

Each point is scored by the real engine (`score_assessment`), so a trend never disagrees
with a results page. The projection rescores the latest assessment through the same
engine, with the questions that open gap milestones name raised to their stage target.
No Flask here beyond reading the database: the views turn the codes into words.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select

from ..answers import LEVEL_VALUES, AnswerValue
from ..catalog import Catalog
from ..clients.operations import create_assessment
from ..extensions import db
from ..profiling.operations import DATA_STAGE
from ..results import COUNTED, agreed_values_of, responses_of, score_assessment
from ..schema import CANONICAL_STAGE_IDS, Questionnaire
from ..scoring import AssessmentScore, score
from ..tables import (
    AgreedAnswer,
    Answer,
    Assessment,
    Client,
    DataProfile,
    Milestone,
    Respondent,
    Roadmap,
)

#: question changes smaller than this (in levels) are noise, not improvement or decline
QUESTION_MIN_CHANGE = 0.25
#: stage changes smaller than this (in points) round to 0 on the page: not listed either
STAGE_MIN_CHANGE = 0.5
TOP_STAGES = 3
TOP_QUESTIONS = 5
_EPS = 1e-9

#: why a trend has no projection
NoProjection = Literal["no_assessment", "no_roadmap", "no_open_gaps", "undated"]


@dataclass(frozen=True)
class TrendPoint:
    """One assessment on the time line, as scored by the engine."""

    assessment_id: int
    title: str
    on: date
    maturity_index: float | None  #: 0..100
    level: int | None
    stages: dict[str, float | None]  #: canonical stage id -> score 0..100
    questions: dict[str, float | None]  #: question id -> level it contributes (agreed, else mean)
    respondents: int
    coverage: float


class _Change:
    """A figure before and after; the change is None when either is missing."""

    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class StageChange(_Change):
    stage: str
    before: float | None  #: points, 0..100
    after: float | None


@dataclass(frozen=True)
class QuestionChange(_Change):
    question_id: str
    stage: str
    before: float | None  #: level, 0..5
    after: float | None


@dataclass(frozen=True)
class Comparison:
    """What changed from one assessment to a later one."""

    before: TrendPoint
    after: TrendPoint
    stages: tuple[StageChange, ...]  #: all six, canonical order
    questions: tuple[QuestionChange, ...]  #: every question, questionnaire order
    improved_stages: tuple[StageChange, ...]  #: biggest rise first, at most TOP_STAGES
    declined_stages: tuple[StageChange, ...]  #: biggest fall first
    improved_questions: tuple[QuestionChange, ...]  #: at most TOP_QUESTIONS
    declined_questions: tuple[QuestionChange, ...]

    @property
    def readiness_change(self) -> float | None:
        if self.before.maturity_index is None or self.after.maturity_index is None:
            return None
        return self.after.maturity_index - self.before.maturity_index

    def stage(self, stage_id: str) -> StageChange:
        return self.stages[CANONICAL_STAGE_IDS.index(stage_id)]


@dataclass(frozen=True)
class LiftedQuestion:
    """A question an open gap milestone names, and where it stands once that work is done."""

    question_id: str
    stage: str
    current: float | None  #: its level in the latest assessment (None: nobody gave a level)
    target: int  #: the stage target of the latest assessment
    projected: float  #: max(current, target)
    on: date  #: the date it counts from: its open milestones' last due date, not before today
    milestone_ids: tuple[int, ...]
    late: bool  #: at least one of its open milestones is already past due

    @property
    def lifted(self) -> bool:
        return self.current is None or self.current < self.target - _EPS


@dataclass(frozen=True)
class ProjectionStep:
    on: date
    maturity_index: float | None
    level: int | None
    stages: dict[str, float | None]
    questions: tuple[str, ...]  #: questions that reach their target on this date


@dataclass(frozen=True)
class Projection:
    """The latest assessment rescored as if the open gap milestones are done on time."""

    roadmap_id: int
    roadmap_assessment_id: int
    model_id: str
    base: TrendPoint  #: the latest assessment, which is rescored
    steps: tuple[ProjectionStep, ...]  #: one per distinct date, in order
    questions: tuple[LiftedQuestion, ...]  #: in date order, then questionnaire order
    counted: int  #: open gap milestones with a due date: the ones projected
    done: int  #: gap milestones already done: assumed reflected in `base`
    undated: int  #: open gap milestones with no due date: left out
    late: int  #: open gap milestones already past due: counted as done today

    @property
    def final(self) -> ProjectionStep:
        return self.steps[-1]


@dataclass(frozen=True)
class Trend:
    questionnaire_id: str
    today: date
    points: tuple[TrendPoint, ...]  #: oldest first
    since_previous: Comparison | None  #: latest against the one before
    since_first: Comparison | None  #: latest against the first
    projection: Projection | None
    no_projection: NoProjection | None  #: why `projection` is None
    target_index: float | None  #: the maturity index the latest assessment's targets make

    @property
    def latest(self) -> TrendPoint | None:
        return self.points[-1] if self.points else None

    @property
    def comparable(self) -> bool:
        return len(self.points) >= 2


# --- which assessments ----------------------------------------------------------------


def assessed_at(assessment: Assessment) -> datetime:
    """When an assessment took its picture: completed, else created."""
    return assessment.completed_at or assessment.created_at


def comparable_assessments(client: Client, questionnaire_id: str) -> list[Assessment]:
    """The client's completed assessments with this questionnaire and at least one answer
    with a level (a person's or one agreed by a workshop), oldest first.

    One still in progress (a workshop half answered) is not a fair point to compare, so it
    joins the trend once it is completed.
    """
    candidates = [a for a in client.assessments
                  if a.questionnaire_id == questionnaire_id and a.status == "complete"]
    if not candidates:
        return []
    ids = [a.id for a in candidates]
    answered = set(db.session.scalars(
        select(Respondent.assessment_id).join(Answer)
        .where(Respondent.assessment_id.in_(ids), Answer.value.in_(LEVEL_VALUES), COUNTED)
        .distinct()))
    answered |= set(db.session.scalars(
        select(AgreedAnswer.assessment_id)
        .where(AgreedAnswer.assessment_id.in_(ids), AgreedAnswer.value.in_(LEVEL_VALUES))
        .distinct()))
    kept = [a for a in candidates if a.id in answered]
    kept.sort(key=lambda a: (assessed_at(a), a.id))
    return kept


def questionnaire_counts(client: Client) -> dict[str, int]:
    """Questionnaire id -> how many comparable assessments the client has with it (0 too)."""
    counts: dict[str, int] = {}
    for assessment in client.assessments:
        counts.setdefault(assessment.questionnaire_id, 0)
    for questionnaire_id in counts:
        counts[questionnaire_id] = len(comparable_assessments(client, questionnaire_id))
    return counts


def default_questionnaire(catalog: Catalog, client: Client) -> str | None:
    """The questionnaire with the most comparable assessments; on a tie, the one used last."""
    known = [a for a in client.assessments if a.questionnaire_id in catalog.questionnaires]
    if not known:
        return None
    counts = questionnaire_counts(client)
    last_used: dict[str, datetime] = {}
    for assessment in known:
        when = assessed_at(assessment)
        if assessment.questionnaire_id not in last_used or when > last_used[
                assessment.questionnaire_id]:
            last_used[assessment.questionnaire_id] = when
    return max(last_used, key=lambda q: (counts.get(q, 0), last_used[q]))


def reassess(catalog: Catalog, source: Assessment, title: str) -> Assessment:
    """A new, empty assessment of the same client with the same questionnaire, deployment
    models and targets, so the two can be compared. Flushes; the caller commits."""
    models = [m for m in source.model_ids if m in catalog.models] or None
    return create_assessment(catalog, source.client, title=title,
                             questionnaire_id=source.questionnaire_id, model_ids=models,
                             targets=dict(source.targets or {}))


# --- points and comparisons -------------------------------------------------------------


def point_of(assessment: Assessment, result: AssessmentScore) -> TrendPoint:
    return TrendPoint(
        assessment_id=assessment.id, title=assessment.title, on=assessed_at(assessment).date(),
        maturity_index=result.maturity_index, level=result.level,
        stages={s.stage: s.score for s in result.stages},
        questions={qid: qs.value for qid, qs in result.questions.items()},
        respondents=result.respondents, coverage=result.coverage)


def _ranked_stages(changes: Iterable[StageChange], rising: bool) -> tuple[StageChange, ...]:
    sign = 1 if rising else -1
    kept = [c for c in changes if c.change is not None and sign * c.change >= STAGE_MIN_CHANGE]
    kept.sort(key=lambda c: (-sign * (c.change or 0.0), CANONICAL_STAGE_IDS.index(c.stage)))
    return tuple(kept[:TOP_STAGES])


def _ranked_questions(changes: Iterable[QuestionChange], rising: bool,
                      order: Mapping[str, int]) -> tuple[QuestionChange, ...]:
    sign = 1 if rising else -1
    kept = [c for c in changes
            if c.change is not None and sign * c.change >= QUESTION_MIN_CHANGE - _EPS]
    kept.sort(key=lambda c: (-sign * (c.change or 0.0), order[c.question_id]))
    return tuple(kept[:TOP_QUESTIONS])


def compare_points(questionnaire: Questionnaire, before: TrendPoint,
                   after: TrendPoint) -> Comparison:
    stages = tuple(StageChange(stage, before.stages.get(stage), after.stages.get(stage))
                   for stage in CANONICAL_STAGE_IDS)
    questions = tuple(QuestionChange(q.id, q.stage, before.questions.get(q.id),
                                     after.questions.get(q.id))
                      for q in questionnaire.questions)
    order = {q.id: index for index, q in enumerate(questionnaire.questions)}
    return Comparison(
        before=before, after=after, stages=stages, questions=questions,
        improved_stages=_ranked_stages(stages, rising=True),
        declined_stages=_ranked_stages(stages, rising=False),
        improved_questions=_ranked_questions(questions, True, order),
        declined_questions=_ranked_questions(questions, False, order))


def target_index(catalog: Catalog, targets: Mapping[str, int]) -> float:
    """The maturity index an assessment would have with every stage exactly at its target."""
    weights = {s.id: s.weight for s in catalog.stages}
    total = math.fsum(weights.values())
    mean = math.fsum(targets.get(s, catalog.default_target) * w
                     for s, w in weights.items()) / total
    return mean * 20.0


# --- the projection ---------------------------------------------------------------------


def latest_roadmap(client: Client, questionnaire_id: str) -> Roadmap | None:
    """The most recently made roadmap among the client's assessments with this questionnaire
    (a roadmap's gap milestones name questions of its own assessment's questionnaire)."""
    roadmaps = [a.roadmap for a in client.assessments
                if a.questionnaire_id == questionnaire_id and a.roadmap is not None]
    if not roadmaps:
        return None
    return max(roadmaps, key=lambda r: (r.created_at, r.id))


def _rescore(catalog: Catalog, questionnaire: Questionnaire, latest: Assessment,
             responses: Mapping[str, Mapping[str, AnswerValue]],
             agreed: Mapping[str, AnswerValue],
             raised: Mapping[str, int]) -> AssessmentScore:
    # Rescore exactly as score_assessment does, with the raised questions taken as agreed
    # at their target; the models do not change the maturity index, so none are scored.
    return score(catalog, questionnaire, responses, targets=latest.targets or None,
                 agreed={**agreed, **raised}, models=[])


def project(catalog: Catalog, questionnaire: Questionnaire, latest: Assessment,
            base: TrendPoint, roadmap: Roadmap,
            today: date) -> tuple[Projection | None, NoProjection | None]:
    """The latest assessment's maturity index, step by step, as the open gap milestones of
    `roadmap` are done on time.

    The rule: a gap milestone names a question. Done on time, that question reaches at
    least its stage target (the latest assessment's) on the milestone's due date: its
    level becomes max(current level, target), entered into the engine as if the room had
    agreed on the target. A question already at or above its target stays as it is, and
    one nobody gave a level to is taken at its target. When several open milestones name
    one question, it counts from the last of their due dates. A milestone already past
    due can no longer be on time: it counts from today. Milestones without a due date
    are left out; milestones already done are assumed to show in the latest assessment.
    """
    known = {q.id: q for q in questionnaire.questions}
    gaps = [m for m in roadmap.milestones if m.origin == "gap" and m.origin_ref in known]
    open_gaps = [m for m in gaps if m.status != "done"]
    dated = [m for m in open_gaps if m.due_on is not None]
    if not open_gaps:
        return None, "no_open_gaps"
    if not dated:
        return None, "undated"

    by_question: dict[str, list[Milestone]] = {}
    for milestone in dated:
        by_question.setdefault(milestone.origin_ref, []).append(milestone)
    targets = latest.targets or {}
    order = {q.id: index for index, q in enumerate(questionnaire.questions)}
    lifted: list[LiftedQuestion] = []
    for question_id, milestones in by_question.items():
        question = known[question_id]
        target = int(targets.get(question.stage, catalog.default_target))
        current = base.questions.get(question_id)
        last_due = max(m.due_on for m in milestones if m.due_on is not None)
        lifted.append(LiftedQuestion(
            question_id=question_id, stage=question.stage, current=current, target=target,
            projected=target if current is None else max(current, float(target)),
            on=max(last_due, today),
            milestone_ids=tuple(m.id for m in milestones),
            late=any(m.due_on is not None and m.due_on < today for m in milestones)))
    lifted.sort(key=lambda q: (q.on, order[q.question_id]))

    responses = responses_of(catalog, latest)
    agreed = agreed_values_of(catalog, latest)
    steps: list[ProjectionStep] = []
    raised: dict[str, int] = {}
    for on in sorted({q.on for q in lifted}):
        now = [q for q in lifted if q.on == on]
        raised.update({q.question_id: q.target for q in now if q.lifted})
        result = _rescore(catalog, questionnaire, latest, responses, agreed, raised)
        steps.append(ProjectionStep(
            on=on, maturity_index=result.maturity_index, level=result.level,
            stages={s.stage: s.score for s in result.stages},
            questions=tuple(q.question_id for q in now)))
    return Projection(
        roadmap_id=roadmap.id, roadmap_assessment_id=roadmap.assessment_id,
        model_id=roadmap.model_id, base=base, steps=tuple(steps), questions=tuple(lifted),
        counted=len(dated), done=sum(1 for m in gaps if m.status == "done"),
        undated=sum(1 for m in open_gaps if m.due_on is None),
        late=sum(1 for m in dated if m.due_on is not None and m.due_on < today)), None


# --- the whole trend --------------------------------------------------------------------


def compare(catalog: Catalog, client: Client, questionnaire_id: str, today: date) -> Trend:
    """Every comparable assessment of `client` with `questionnaire_id`, what changed, and
    where the open milestones of the latest roadmap would take the maturity index."""
    questionnaire = catalog.questionnaires[questionnaire_id]
    assessments = comparable_assessments(client, questionnaire_id)
    points = tuple(point_of(a, score_assessment(catalog, a)) for a in assessments)
    since_previous = since_first = None
    if len(points) >= 2:
        since_previous = compare_points(questionnaire, points[-2], points[-1])
        since_first = compare_points(questionnaire, points[0], points[-1])
    projection: Projection | None = None
    reason: NoProjection | None = "no_assessment"
    if assessments:
        roadmap = latest_roadmap(client, questionnaire_id)
        if roadmap is None:
            reason = "no_roadmap"
        else:
            projection, reason = project(catalog, questionnaire, assessments[-1], points[-1],
                                         roadmap, today)
    return Trend(
        questionnaire_id=questionnaire_id, today=today, points=points,
        since_previous=since_previous, since_first=since_first,
        projection=projection, no_projection=reason,
        target_index=target_index(catalog, assessments[-1].targets or {})
        if assessments else None)


# --- customer data over time (issue 20) ---------------------------------------------------

@dataclass(frozen=True)
class DataLevel:
    """The customer data's level on one date: measured from a client's files, or what
    the answers of a completed assessment say of the data stage."""

    on: date
    measured: bool  #: a profile (True) or an assessment's answers (False)
    level: float | None  #: 0-5: the measured level, or the data stage's score / 20
    title: str = ""  #: the assessment's title
    assessment_id: int | None = None


def data_levels(client: Client, points: Iterable[TrendPoint]) -> list[DataLevel]:
    """The client's measured data levels and its assessments' stated ones (the trend's
    `points`), in date order, a measurement before an assessment on the same day."""
    profiles = db.session.scalars(select(DataProfile).where(DataProfile.client_id == client.id)
                                  .order_by(DataProfile.created_at, DataProfile.id))
    found = [DataLevel(p.created_at.date(), True, float(p.score)) for p in profiles]
    found += [DataLevel(point.on, False, None if (score := point.stages.get(DATA_STAGE)) is None
                        else score / 20, point.title, point.assessment_id) for point in points]
    return sorted(found, key=lambda level: (level.on, not level.measured))
