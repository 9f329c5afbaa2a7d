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
        assert 0.0 <= stage.coverage <= 1.0
        assert stage.gap is None or 0.0 <= stage.gap <= 100.0
    assert 0.0 <= result.coverage <= 1.0
    for q in result.questions.values():
        assert q.mean is None or 0.0 <= q.mean <= 5.0
        assert sum(q.distribution) == q.count
        assert q.count + q.not_applicable + q.unknown + q.unanswered == q.respondents


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


@settings(max_examples=200, deadline=None)
@given(answers=responses_st)
def test_model_stage_score_lies_within_its_canonical_stage_scores(
    mini: Catalog, answers: list[dict[str, Any]]
) -> None:
    result = run(mini, as_responses(answers))
    by_stage = {s.stage: s.score for s in result.stages}
    for model in result.models:
        for stage in model.stages:
            sources = [by_stage[c] for c in stage.maps_to if by_stage[c] is not None]
            if not sources:
                assert stage.score is None
                continue
            assert stage.score is not None
            assert min(sources) <= stage.score <= max(sources)  # type: ignore[type-var]
