"""The scoring rules of docs/scoring.md, one test (or more) per rule."""

from __future__ import annotations

import pytest

from assessment import scoring
from assessment.answers import NA, UNKNOWN, AnswerValue
from assessment.catalog import Catalog
from assessment.scoring import ScoringInputError, level_of, score


def everyone(value: AnswerValue, qids: list[str]) -> dict[str, AnswerValue]:
    return dict.fromkeys(qids, value)


def qids(mini: Catalog) -> list[str]:
    return [q.id for q in mini.questionnaires["mini"].questions]


def run(mini: Catalog, responses: scoring.Responses, **kwargs: object) -> scoring.AssessmentScore:
    return score(mini, mini.questionnaires["mini"], responses, **kwargs)  # type: ignore[arg-type]


# Rule 1 -----------------------------------------------------------------------------

def test_question_figures_mean_median_spread_distribution(mini: Catalog) -> None:
    responses = {"a": {"vision.1": 1}, "b": {"vision.1": 4}, "c": {"vision.1": 4},
                 "d": {"vision.1": NA}, "e": {"vision.1": UNKNOWN}, "f": {}}
    q = run(mini, responses).questions["vision.1"]
    assert q.count == 3
    assert q.mean == pytest.approx(3.0)
    assert q.median == 4.0
    assert q.spread == pytest.approx((((1 - 3) ** 2 + 1 + 1) / 3) ** 0.5)
    assert q.distribution == (0, 1, 0, 0, 2, 0)
    assert (q.not_applicable, q.unknown, q.unanswered) == (1, 1, 1)
    assert q.coverage == pytest.approx(3 / 6)
    assert (q.minimum, q.maximum) == (1, 4)


def test_even_count_median_is_average_of_middle_two(mini: Catalog) -> None:
    responses = {"a": {"vision.1": 1}, "b": {"vision.1": 2}, "c": {"vision.1": 4},
                 "d": {"vision.1": 5}}
    assert run(mini, responses).questions["vision.1"].median == 3.0


def test_not_applicable_and_unknown_leave_the_mean_alone_but_lower_coverage(mini: Catalog) -> None:
    base = run(mini, {"a": {"data.1": 2}, "b": {"data.1": 4}})
    more = run(mini, {"a": {"data.1": 2}, "b": {"data.1": 4}, "c": {"data.1": NA},
                      "d": {"data.1": UNKNOWN}})
    assert more.questions["data.1"].mean == base.questions["data.1"].mean == 3.0
    assert more.stage("data").score == base.stage("data").score
    assert more.questions["data.1"].coverage == 0.5
    assert base.questions["data.1"].coverage == 1.0


def test_agreed_answer_replaces_the_mean_and_keeps_individual_answers(mini: Catalog) -> None:
    result = run(mini, {"a": {"vision.1": 1}, "b": {"vision.1": 5}}, agreed={"vision.1": 2})
    q = result.questions["vision.1"]
    assert q.value == 2.0
    assert q.mean == 3.0
    assert q.divergent is True
    assert q.coverage == 1.0


def test_agreed_not_applicable_removes_the_value(mini: Catalog) -> None:
    q = run(mini, {"a": {"vision.1": 3}}, agreed={"vision.1": NA}).questions["vision.1"]
    assert q.value is None
    assert q.coverage == 0.0


# Rule 2 -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("levels", "divergent"),
    [((1, 1, 4, 4), True), ((1, 4), True), ((2, 4), False), ((3, 3, 3), False),
     ((5,), False), ((2, 2, 2, 3), False),
     ((0, 5, 5, 5, 5, 5, 5), True),  # a lone dissenter is worth hearing
     ((1, 2, 3, 4, 5), True)],
)
def test_divergence_flag(mini: Catalog, levels: tuple[int, ...], divergent: bool) -> None:
    responses = {f"r{i}": {"process.1": v} for i, v in enumerate(levels)}
    result = run(mini, responses)
    assert result.questions["process.1"].divergent is divergent
    assert ("process.1" in result.divergent) is divergent


# Rules 3-4 --------------------------------------------------------------------------

def test_stage_score_is_weighted_mean_of_question_values(mini: Catalog) -> None:
    # strategy.2 weighs 2: (1*1 + 4*2) / 3 = 3.0 -> 60 points, level 3
    stage = run(mini, {"a": {"strategy.1": 1, "strategy.2": 4}}).stage("strategy")
    assert stage.score == pytest.approx(60.0)
    assert stage.level == 3
    assert (stage.questions, stage.scored_questions) == (2, 2)


def test_stage_without_values_has_no_score_not_zero(mini: Catalog) -> None:
    result = run(mini, {"a": {"vision.1": 3, "data.1": NA}})
    assert result.stage("data").score is None
    assert result.stage("data").level is None
    assert result.stage("data").gap is None
    assert result.stage("metrics").score is None


@pytest.mark.parametrize(
    ("mean", "level"), [(0.0, 0), (0.99, 0), (1.0, 1), (2.999, 2), (3.0, 3), (4.99, 4), (5.0, 5)]
)
def test_level_is_whole_part_of_mean_level(mean: float, level: int) -> None:
    assert level_of(mean) == level


# Rule 5 -----------------------------------------------------------------------------

def test_gap_against_default_and_given_targets(mini: Catalog) -> None:
    responses = {"a": {"vision.1": 2, "vision.2": 2, "data.1": 4, "data.2": 4}}
    default = run(mini, responses)
    assert mini.default_target == 3
    assert default.stage("vision").gap == pytest.approx(20.0)
    assert default.stage("data").gap == 0.0
    custom = run(mini, responses, targets={"vision": 5, "data": 5})
    assert custom.stage("vision").gap == pytest.approx(60.0)
    assert custom.stage("data").gap == pytest.approx(20.0)
    assert custom.stage("data").target == 5


@pytest.mark.parametrize(
    "targets", [{"vison": 3}, {"data": 6}, {"data": -1}, {"data": "3"}, {"data": True}]
)
def test_invalid_targets_are_refused(mini: Catalog, targets: dict[str, object]) -> None:
    with pytest.raises(ScoringInputError):
        run(mini, {"a": {}}, targets=targets)


@pytest.mark.parametrize("value", [6, -1, "3", 2.5, True, None, "n/a"])
def test_invalid_answers_are_refused(mini: Catalog, value: object) -> None:
    with pytest.raises(ScoringInputError, match="not a level"):
        run(mini, {"a": {"vision.1": value}})  # type: ignore[dict-item]


def test_answer_to_a_question_not_in_the_questionnaire_is_refused(mini: Catalog) -> None:
    with pytest.raises(ScoringInputError, match="not a question"):
        run(mini, {"a": {"vision.9": 3}})


# Rule 6-7 ---------------------------------------------------------------------------

def test_maturity_index_is_mean_of_existing_stage_scores(mini: Catalog) -> None:
    responses = {"a": {"vision.1": 1, "vision.2": 1, "data.1": 4, "data.2": 5}}
    result = run(mini, responses)
    # vision 1.0 (20 pts), data 4.5 (90 pts) -> 2.75 -> 55 points, level 2
    assert result.maturity_index == pytest.approx(55.0)
    assert result.level == 2


def test_coverage_and_confidence(mini: Catalog) -> None:
    ids = qids(mini)
    assert run(mini, {"a": everyone(3, ids)}).confidence == "high"
    half = dict.fromkeys(ids[:6], 3) | dict.fromkeys(ids[6:], UNKNOWN)
    result = run(mini, {"a": half})
    assert result.coverage == pytest.approx(0.5)
    assert result.confidence == "medium"
    assert run(mini, {"a": {ids[0]: 3}}).confidence == "low"
    empty = run(mini, {})
    assert empty.confidence == "none"
    assert empty.maturity_index is None
    assert empty.respondents == 0


# Rules 8-9 --------------------------------------------------------------------------

def test_model_stage_is_weighted_mean_of_mapped_canonical_stages(mini: Catalog) -> None:
    responses = {"a": {"technology.1": 4, "technology.2": 4, "data.1": 0, "data.2": 0,
                       "vision.1": 2, "vision.2": 2}}
    model = run(mini, responses).model("mini")
    plan, build = model.stages
    assert build.score == pytest.approx(0.75 * 80 + 0.25 * 0)
    assert build.level == 3
    # strategy has no score, so plan draws on vision alone
    assert plan.score == pytest.approx(40.0)
    assert model.score == pytest.approx((40.0 + 60.0) / 2)
    assert (build.informing_questions, build.informing_answered) == (8, 4)


def test_gate_passes_fails_or_is_unknown(mini: Catalog) -> None:
    unknown = run(mini, {"a": {"strategy.1": 3, "strategy.2": 3}}).gates[0]
    assert unknown.status == "unknown"
    assert [c.status for c in unknown.conditions] == ["pass", "unknown"]
    failing = run(mini, {"a": {"strategy.1": 1, "strategy.2": 1, "process.1": 3}}).gates[0]
    assert failing.status == "fail"
    assert failing.conditions[0].level == 1
    passing = run(mini, {"a": {"strategy.1": 2, "strategy.2": 2, "process.1": 1}}).gates[0]
    assert passing.status == "pass"
    assert (passing.model, passing.model_stage, passing.gate) == ("mini", "build", "strategy_first")


# Rule 10 ----------------------------------------------------------------------------

def test_priorities_are_gap_times_weight_with_the_recommendation_for_the_level(
    mini: Catalog,
) -> None:
    responses = {"a": {"strategy.1": 1, "strategy.2": 2, "vision.1": 0, "data.1": 3, "data.2": 5}}
    result = run(mini, responses)
    ranked = [(p.question_id, p.priority) for p in result.priorities]
    # strategy.2: (3-2)*2 = 2 ties with strategy.1: (3-1)*1 = 2; vision.1: 3*1 = 3
    assert ranked == [("vision.1", 3.0), ("strategy.1", 2.0), ("strategy.2", 2.0)]
    by_id = {p.question_id: p for p in result.priorities}
    assert by_id["vision.1"].recommendation_levels == (0, 1)
    assert by_id["strategy.2"].recommendation_levels == (2, 3, 4)
    assert "data.1" not in by_id


def test_to_dict_is_plain_json(mini: Catalog) -> None:
    import json

    result = run(mini, {"a": everyone(3, qids(mini))})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["maturity_index"] == pytest.approx(60.0)
    assert [s["stage"] for s in data["stages"]] == list(scoring.CANONICAL_STAGE_IDS)
