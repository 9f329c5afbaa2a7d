"""The scoring rules of docs/scoring.md, one test (or more) per rule."""

from __future__ import annotations

from pathlib import Path

import pytest

from assessment import scoring
from assessment.answers import NA, UNKNOWN, AnswerValue
from assessment.catalog import Catalog, data_dir, load_files
from assessment.scoring import ScoringInputError, level_of, score

FIXTURES = Path(__file__).parent / "fixtures"


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
    # "not applicable" leaves the denominator: 3 levels among the 5 it applies to
    assert q.applicable == 5
    assert q.coverage == pytest.approx(3 / 5)
    assert q.unknown_share == pytest.approx(1 / 5)
    assert q.uncertain is False
    assert (q.minimum, q.maximum) == (1, 4)


def test_even_count_median_is_average_of_middle_two(mini: Catalog) -> None:
    responses = {"a": {"vision.1": 1}, "b": {"vision.1": 2}, "c": {"vision.1": 4},
                 "d": {"vision.1": 5}}
    assert run(mini, responses).questions["vision.1"].median == 3.0


def test_not_applicable_leaves_coverage_alone_and_dont_know_lowers_it(mini: Catalog) -> None:
    base = run(mini, {"a": {"data.1": 2}, "b": {"data.1": 4}})
    not_applicable = run(mini, {"a": {"data.1": 2}, "b": {"data.1": 4}, "c": {"data.1": NA}})
    unknown = run(mini, {"a": {"data.1": 2}, "b": {"data.1": 4}, "c": {"data.1": UNKNOWN}})
    for result in (not_applicable, unknown):
        assert result.questions["data.1"].mean == base.questions["data.1"].mean == 3.0
        assert result.stage("data").score == base.stage("data").score
    assert base.questions["data.1"].coverage == 1.0
    assert not_applicable.questions["data.1"].coverage == 1.0
    assert unknown.questions["data.1"].coverage == pytest.approx(2 / 3)
    # over the stage: 1 "don't know" among 3 people x 2 questions that apply
    assert unknown.questions["data.1"].unknown_share == pytest.approx(1 / 3)
    assert unknown.stage("data").unknown_share == pytest.approx(1 / 6)
    assert not_applicable.stage("data").unknown_share == 0.0


def test_a_question_nobody_it_applies_to_is_left_out_of_coverage(mini: Catalog) -> None:
    """A B2B client marking kiosk questions not applicable is not less certain for it."""
    answered = everyone(4, qids(mini))
    base = run(mini, {"a": answered, "b": answered})
    marked = run(mini, {"a": {**answered, "data.1": NA}, "b": {**answered, "data.1": NA}})
    assert marked.questions["data.1"].coverage is None
    assert marked.questions["data.1"].uncertain is False
    assert marked.coverage == base.coverage == 1.0
    assert (marked.confidence, marked.stage("data").coverage) == ("high", 1.0)
    # data.2 unanswered by both (coverage 0) while data.1 does not apply
    half = run(mini, {"a": {"vision.1": 4, "data.1": NA}, "b": {"data.1": NA}})
    assert half.stage("data").coverage == 0.0
    assert run(mini, {"a": {"data.1": NA, "data.2": NA}}).stage("data").coverage is None


def test_fewer_than_half_giving_a_level_marks_the_question_uncertain(mini: Catalog) -> None:
    """One level-4 answer among 25 "don't know" still counts, but is marked uncertain."""
    responses = {f"r{i}": {"vision.1": UNKNOWN} for i in range(25)} | {"x": {"vision.1": 4}}
    result = run(mini, responses)
    q = result.questions["vision.1"]
    assert (q.value, q.uncertain) == (4.0, True)
    assert q.unknown_share == pytest.approx(25 / 26)
    assert result.stage("vision").uncertain_questions == 1
    assert result.uncertain == ("vision.1",)
    assert result.model("mini").stages[0].uncertain_questions == 1
    # half exactly is not fewer than half; unanswered counts against, not applicable not
    half = run(mini, {"a": {"vision.1": 3}, "b": {"vision.1": UNKNOWN}})
    assert half.questions["vision.1"].uncertain is False
    unreached = run(mini, {"a": {"vision.1": 3}, "b": {}, "c": {"vision.2": 1}})
    assert unreached.questions["vision.1"].uncertain is True
    # a question nobody rated has no value to doubt: it is unanswered, not uncertain
    assert unreached.questions["metrics.1"].uncertain is False
    not_applicable = run(mini, {"a": {"vision.1": 3}, "b": {"vision.1": NA},
                                "c": {"vision.1": NA}})
    assert not_applicable.questions["vision.1"].uncertain is False


def test_agreed_answer_replaces_the_mean_and_keeps_individual_answers(mini: Catalog) -> None:
    result = run(mini, {"a": {"vision.1": 1}, "b": {"vision.1": 5}}, agreed={"vision.1": 2})
    q = result.questions["vision.1"]
    assert q.value == 2.0
    assert q.mean == 3.0
    assert q.divergent is True
    assert q.coverage == 1.0


def test_agreed_not_applicable_removes_the_value_and_the_question_from_coverage(
    mini: Catalog,
) -> None:
    q = run(mini, {"a": {"vision.1": 3}}, agreed={"vision.1": NA}).questions["vision.1"]
    assert q.value is None
    assert q.coverage is None
    assert q.uncertain is False
    unknown = run(mini, {"a": {"vision.1": 3}}, agreed={"vision.1": UNKNOWN})
    assert unknown.questions["vision.1"].coverage == 0.0
    assert unknown.questions["vision.1"].value is None


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
    # gaps are in levels, like question gaps
    assert default.stage("vision").gap == pytest.approx(1.0)
    assert default.stage("data").gap == 0.0
    custom = run(mini, responses, targets={"vision": 5, "data": 5})
    assert custom.stage("vision").gap == pytest.approx(3.0)
    assert custom.stage("data").gap == pytest.approx(1.0)
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
    both = {"a": everyone(3, ids), "b": everyone(4, ids)}
    assert run(mini, both).confidence == "high"
    half = dict.fromkeys(ids[:6], 3) | dict.fromkeys(ids[6:], UNKNOWN)
    result = run(mini, {"a": half, "b": half})
    assert result.coverage == pytest.approx(0.5)
    assert result.confidence == "medium"
    assert run(mini, {"a": {ids[0]: 3}, "b": {ids[1]: 3}}).confidence == "low"
    empty = run(mini, {})
    assert empty.confidence == "none"
    assert empty.maturity_index is None
    assert empty.respondents == 0


def test_one_respondent_is_self_reported_whatever_the_coverage(mini: Catalog) -> None:
    ids = qids(mini)
    alone = run(mini, {"a": everyone(3, ids)})
    assert alone.coverage == 1.0
    assert (alone.confidence, alone.self_reported) == ("self_reported", True)
    assert run(mini, {"a": {ids[0]: 3}}).confidence == "self_reported"
    assert run(mini, {"a": everyone(UNKNOWN, ids)}).confidence == "none"
    assert run(mini, {"a": everyone(3, ids), "b": {}}).self_reported is False


# Rules 8-9 --------------------------------------------------------------------------

def test_model_stage_is_weighted_mean_of_its_informing_questions(mini: Catalog) -> None:
    # plan <- vision.1, vision.2, strategy.1, strategy.2 (weight 2); build <- the other 8
    responses = {"a": {"technology.1": 4, "technology.2": 4, "data.1": 0, "data.2": 0,
                       "vision.1": 2, "vision.2": 2, "strategy.2": 5}}
    model = run(mini, responses).model("mini")
    plan, build = model.stages
    assert plan.score == pytest.approx(20 * (2 + 2 + 2 * 5) / 4)
    assert build.score == pytest.approx(20 * (4 + 4 + 0 + 0) / 4)
    assert build.level == 2
    assert model.score == pytest.approx((plan.score + build.score) / 2)
    assert (build.informing_questions, build.informing_answered) == (8, 4)
    assert build.question_ids[:2] == ("process.1", "process.2")


def test_model_stage_without_evidence_has_no_score(mini: Catalog) -> None:
    """Rule 8: no informing question with a value, no score; even when the canonical
    stages the model stage draws on (maps_to) have scores."""
    model = run(mini, {"a": {"vision.1": 3, "data.1": NA}}).model("mini")
    assert model.stages[1].score is None
    assert model.stages[1].level is None
    assert model.score == pytest.approx(60.0)


def test_one_question_moves_exactly_the_model_stages_it_informs(catalog: Catalog) -> None:
    """The board's question: ws.technology.01 (sales force automation) changes the
    Kalakota and other stages that list it as evidence, and no other model stage."""
    questionnaire = catalog.questionnaires["workshop"]
    base = dict.fromkeys((q.id for q in questionnaire.questions), 2)
    before = score(catalog, questionnaire, {"a": base, "b": base})
    after = score(catalog, questionnaire, {"a": base, "b": {**base, "ws.technology.01": 5}})
    informs = set(questionnaire.question("ws.technology.01").informs)
    moved = {f"{m.model}.{old.stage}" for m, new_model in zip(before.models, after.models,
                                                             strict=True)
             for old, new in zip(m.stages, new_model.stages, strict=True)
             if old.score != new.score}
    assert moved == informs
    assert before.stage("technology").score != after.stage("technology").score


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


def verdict(result: scoring.AssessmentScore) -> tuple[str, list[tuple[object, ...]]]:
    readiness = result.model("mini").readiness
    return readiness.verdict, [(r.code, r.stage, r.level, r.required)
                               for r in readiness.reasons]


def test_a_failing_gate_means_not_ready(mini: Catalog) -> None:
    result = run(mini, {"a": {"strategy.1": 1, "strategy.2": 1, "process.1": 4}})
    assert verdict(result) == ("not_ready", [("gate_fails", "strategy", 1, 2)])
    assert result.model("mini").readiness.reasons[0].model_stage == "build"


def test_an_unknown_gate_means_ready_with_conditions(mini: Catalog) -> None:
    result = run(mini, {"a": {"strategy.1": 4, "strategy.2": 4}})
    assert verdict(result) == ("conditional", [("gate_unknown", "process", None, 1)])


def test_a_gated_stage_below_target_means_ready_with_conditions(mini: Catalog) -> None:
    answers = {"strategy.1": 2, "strategy.2": 2, "process.1": 2, "process.2": 2}
    result = run(mini, {"a": answers})
    assert verdict(result) == ("conditional", [("below_target", "strategy", 2, 3),
                                               ("below_target", "process", 2, 3)])


def test_every_gate_passing_at_target_means_ready(mini: Catalog) -> None:
    answers = {"strategy.1": 2, "strategy.2": 2, "process.1": 2, "process.2": 2}
    result = run(mini, {"a": answers}, targets={"strategy": 2, "process": 2})
    assert verdict(result) == ("ready", [("gates_pass", None, None, None)])
    assert result.model("mini").readiness.reasons[0].stages == ("strategy", "process")
    # the verdict reads the gated stages only: vision far below target does not matter
    assert result.stage("vision").score is None


def test_a_model_without_gates_is_never_simply_ready(mini: Catalog, tmp_path: Path) -> None:
    source = (FIXTURES / "mini" / "model.yaml").read_text(encoding="utf-8")
    gateless = tmp_path / "model.yaml"
    gateless.write_text(source[:source.index("    gates:")], encoding="utf-8")
    catalog = load_files([data_dir("models") / "stages.yaml", data_dir("models") / "scale.yaml",
                          gateless, FIXTURES / "mini" / "questionnaire.yaml"])
    everything = dict.fromkeys(qids(mini), 5)
    result = score(catalog, catalog.questionnaires["mini"], {"a": everything})
    readiness = result.model("mini").readiness
    assert (readiness.verdict, [r.code for r in readiness.reasons]) == ("conditional",
                                                                       ["no_gates"])


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


def test_questions_at_or_above_target_keep_their_advice_to_go_further(mini: Catalog) -> None:
    """Level-4 advice reaches a question at 4 with the default target 3; level 5 has none."""
    responses = {"a": {"vision.1": 4, "vision.2": 5, "strategy.1": 3, "strategy.2": 1}}
    result = run(mini, responses)
    assert [p.question_id for p in result.priorities] == ["strategy.2"]
    further = {p.question_id: p for p in result.further}
    assert list(further) == ["vision.1", "strategy.1"]
    assert further["vision.1"].recommendation_levels == (2, 3, 4)
    assert (further["vision.1"].gap, further["vision.1"].priority) == (0.0, 0.0)
    raised = run(mini, responses, targets={"vision": 5})
    assert "vision.1" in {p.question_id for p in raised.priorities}
    assert "vision.1" not in {p.question_id for p in raised.further}


def test_to_dict_is_plain_json(mini: Catalog) -> None:
    import json

    result = run(mini, {"a": everyone(3, qids(mini))})
    data = json.loads(json.dumps(result.to_dict()))
    assert data["maturity_index"] == pytest.approx(60.0)
    assert [s["stage"] for s in data["stages"]] == list(scoring.CANONICAL_STAGE_IDS)


def test_the_rules_document_is_the_version_the_engine_follows() -> None:
    rules = (Path(__file__).parent.parent / "docs" / "scoring.md").read_text(encoding="utf-8")
    assert f"**Rules version {scoring.RULES_VERSION}**" in rules
    assert f"- **Version {scoring.RULES_VERSION}**" in rules  # and its change log says what
