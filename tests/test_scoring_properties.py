"""Properties the scoring rules promise, for any answers (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.answers import NA, UNKNOWN
from assessment.catalog import Catalog
from assessment.scoring import AssessmentScore, score

MINI_IDS = [f"{s}.{n}" for s in ("vision", "strategy", "process", "data", "technology",
                                  "metrics") for n in (1, 2)]
answer = st.one_of(st.integers(0, 5), st.sampled_from([NA, UNKNOWN]))
respondent = st.dictionaries(st.sampled_from(MINI_IDS), answer, max_size=len(MINI_IDS))
responses_st = st.lists(respondent, min_size=0, max_size=8)
targets_st = st.fixed_dictionaries({}, optional={
    s: st.integers(0, 5) for s in ("vision", "strategy", "process", "data", "technology", "metrics")
})


def as_responses(answers: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"r{i}": a for i, a in enumerate(answers)}


def run(mini: Catalog, responses: dict[str, dict[str, Any]], **kw: Any) -> AssessmentScore:
    return score(mini, mini.questionnaires["mini"], responses, **kw)


def all_scores(result: AssessmentScore) -> list[float | None]:
    return ([result.maturity_index]
            + [s.score for s in result.stages]
            + [m.score for m in result.models]
            + [s.score for m in result.models for s in m.stages])


@settings(max_examples=200, deadline=None)
@given(answers=responses_st, targets=targets_st)
def test_scores_stay_in_bounds(mini: Catalog, answers: list[dict[str, Any]],
                               targets: dict[str, int]) -> None:
    result = run(mini, as_responses(answers), targets=targets)
    for value in all_scores(result):
        assert value is None or 0.0 <= value <= 100.0
    for stage in result.stages:
        assert stage.level is None or 0 <= stage.level <= 5
        assert stage.coverage is None or 0.0 <= stage.coverage <= 1.0
        assert stage.gap is None or 0.0 <= stage.gap <= 5.0
        assert stage.unknown_share is None or 0.0 <= stage.unknown_share <= 1.0
    assert 0.0 <= result.coverage <= 1.0
    for q in result.questions.values():
        assert q.mean is None or 0.0 <= q.mean <= 5.0
        assert sum(q.distribution) == q.count
        assert q.count + q.not_applicable + q.unknown + q.unanswered == q.respondents
        assert q.coverage is None or 0.0 <= q.coverage <= 1.0
        assert not q.uncertain or q.value is not None


@settings(max_examples=300, deadline=None)
@given(answers=st.lists(respondent, min_size=1, max_size=6), data=st.data())
def test_raising_an_answer_never_lowers_a_score(mini: Catalog, answers: list[dict[str, Any]],
                                                data: st.DataObject) -> None:
    responses = as_responses(answers)
    who = data.draw(st.sampled_from(sorted(responses)))
    qid = data.draw(st.sampled_from(MINI_IDS))
    low = data.draw(st.integers(0, 4))
    high = data.draw(st.integers(low + 1, 5))
    before = run(mini, {**responses, who: {**responses[who], qid: low}})
    after = run(mini, {**responses, who: {**responses[who], qid: high}})
    for old, new in zip(all_scores(before), all_scores(after), strict=True):
        assert (old is None) == (new is None)
        if old is not None and new is not None:
            assert new >= old
    for old_stage, new_stage in zip(before.stages, after.stages, strict=True):
        if old_stage.level is not None and new_stage.level is not None:
            assert new_stage.level >= old_stage.level
            assert new_stage.gap is not None
            assert old_stage.gap is not None
            assert new_stage.gap <= old_stage.gap
    assert sum(p.priority for p in after.priorities) <= sum(p.priority for p in before.priorities)


@settings(max_examples=200, deadline=None)
@given(answers=responses_st, extra=st.dictionaries(st.sampled_from(MINI_IDS),
                                                    st.sampled_from([NA, UNKNOWN])))
def test_not_scored_answers_do_not_change_the_mean_of_the_others(
    mini: Catalog, answers: list[dict[str, Any]], extra: dict[str, Any]
) -> None:
    responses = as_responses(answers)
    before = run(mini, responses)
    after = run(mini, {**responses, "late": extra})
    for qid in MINI_IDS:
        assert after.questions[qid].mean == before.questions[qid].mean
    assert [s.score for s in after.stages] == [s.score for s in before.stages]
    assert after.maturity_index == before.maturity_index
    assert after.coverage <= before.coverage or not answers


@settings(max_examples=200, deadline=None)
@given(answers=responses_st, seed=st.randoms(use_true_random=False))
def test_respondent_order_does_not_matter(mini: Catalog, answers: list[dict[str, Any]],
                                          seed: Any) -> None:
    responses = as_responses(answers)
    names = list(responses)
    seed.shuffle(names)
    shuffled = {name: dict(reversed(list(responses[name].items()))) for name in names}
    assert run(mini, shuffled).to_dict() == run(mini, responses).to_dict()


MINI_INFORMS = {"plan": {"vision.1", "vision.2", "strategy.1", "strategy.2"}}
MINI_INFORMS["build"] = set(MINI_IDS) - MINI_INFORMS["plan"]


def model_stage_scores(result: AssessmentScore) -> dict[str, float | None]:
    return {f"{m.model}.{s.stage}": s.score for m in result.models for s in m.stages}


@settings(max_examples=300, deadline=None)
@given(answers=st.lists(respondent, min_size=1, max_size=6), data=st.data())
def test_one_question_moves_exactly_the_model_stages_it_informs(
    mini: Catalog, answers: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Rule 8: changing only one question's answers leaves every model stage it does not
    inform as it was, and moves those it informs whenever its value moves."""
    responses = as_responses(answers)
    qid = data.draw(st.sampled_from(MINI_IDS))
    changed = {who: ({**given, qid: data.draw(answer)} if data.draw(st.booleans())
                     else {k: v for k, v in given.items() if k != qid})
               for who, given in responses.items()}
    before, after = run(mini, responses), run(mini, changed)
    old_value, new_value = before.questions[qid].value, after.questions[qid].value
    informed = {f"mini.{stage}" for stage, ids in MINI_INFORMS.items() if qid in ids}
    old_scores, new_scores = model_stage_scores(before), model_stage_scores(after)
    for ref, old in old_scores.items():
        new = new_scores[ref]
        if ref not in informed:
            assert new == old
        elif old_value is not None and new_value is not None:
            assert new is not None
            assert old is not None
            # a weighted mean with positive weights moves with any of its values
            assert (new > old) == (new_value > old_value)
            assert (new < old) == (new_value < old_value)


@settings(max_examples=300, deadline=None)
@given(answers=st.lists(respondent, min_size=1, max_size=6), data=st.data())
def test_not_applicable_never_lowers_coverage_nor_moves_another_value(
    mini: Catalog, answers: list[dict[str, Any]], data: st.DataObject
) -> None:
    """Rule 1: a respondent who had not answered, or did not know, saying instead that the
    question does not apply never lowers any coverage and changes no question's value."""
    responses = as_responses(answers)
    who = data.draw(st.sampled_from(sorted(responses)))
    open_questions = [q for q in MINI_IDS if responses[who].get(q, UNKNOWN) == UNKNOWN]
    if not open_questions:
        return
    qid = data.draw(st.sampled_from(open_questions))
    before = run(mini, responses)
    after = run(mini, {**responses, who: {**responses[who], qid: NA}})

    def not_lower(new: float | None, old: float | None) -> bool:
        return new is None or (old is not None and new >= old - 1e-12)

    for q in MINI_IDS:
        assert after.questions[q].value == before.questions[q].value
        assert not_lower(after.questions[q].coverage, before.questions[q].coverage)
    for old_stage, new_stage in zip(before.stages, after.stages, strict=True):
        assert not_lower(new_stage.coverage, old_stage.coverage)
        assert new_stage.score == old_stage.score
    assert after.coverage >= before.coverage - 1e-12
    assert model_stage_scores(after) == model_stage_scores(before)


@settings(max_examples=200, deadline=None)
@given(answers=responses_st)
def test_model_stage_score_lies_within_its_evidence(
    mini: Catalog, answers: list[dict[str, Any]]
) -> None:
    result = run(mini, as_responses(answers))
    for model in result.models:
        for stage in model.stages:
            values = [v for q in stage.question_ids
                      if (v := result.questions[q].value) is not None]
            assert set(stage.question_ids) == MINI_INFORMS[stage.stage]
            if not values:
                assert stage.score is None
                continue
            assert stage.score is not None
            assert min(values) * 20 - 1e-9 <= stage.score <= max(values) * 20 + 1e-9
