"""The executive summary that opens the results of an executive self-assessment: the index
and its level, one readiness verdict (worded by verdicts.py), three strengths, three next
steps, the PDF; the detail one tap below. Which pages open on it, in both languages."""

from __future__ import annotations

from datetime import date
from html import unescape

from flask import Flask
from flask_babel import force_locale

from assessment import results as scored
from assessment import verdicts
from assessment.extensions import db
from assessment.schema import CANONICAL_STAGE_IDS, Question
from assessment.tables import Assessment

from .conftest import Signed, World
from .helpers import chunk, text_of
from .persian import foreign_in_persian
from .test_web_results import Rule, by_stage, results

TARGETS = {stage: 3 for stage in CANONICAL_STAGE_IDS}


def levels(default: str | None, **by_question: str) -> Rule:
    """Each question's level by id (dots as underscores), `default` for the rest."""
    chosen = {qid.replace("_", "."): value for qid, value in by_question.items()}
    return lambda _person, _n, question: chosen.get(question.id, default)


def summary_of(world: World, aid: int, lang: str = "en") -> scored.ExecutiveSummary:
    with world.app.test_request_context(), force_locale(lang):
        assessment = db.session.get(Assessment, aid)
        result = scored.score_assessment(world.catalog, assessment)
        return scored.executive_summary(world.catalog, assessment, result, lang)


def summary_html(page: str) -> str:
    return chunk(page, '<section class="exec-summary', "</section>")


def words(html: str) -> str:
    return unescape(text_of(html))


def question(world: World, qid: str) -> Question:
    return world.catalog.questionnaires["executive"].question(qid)


def test_the_strongest_answers_and_the_largest_gaps_are_chosen(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    aid = world.answered(world.client(user_id), levels(
        "2", exec_data_02="5", exec_metrics_01="4", exec_vision_03="4", exec_process_04="4",
        exec_vision_04="3", exec_technology_01="0", exec_strategy_02="0"), targets=TARGETS)
    summary = summary_of(world, aid)
    # the highest value first; among equals the heavier weight (metrics.01 weighs 2), then
    # the questionnaire's order (vision.03 before process.04)
    assert [s.question.id for s in summary.strengths] == [
        "exec.data.02", "exec.metrics.01", "exec.vision.03"]
    assert [s.level for s in summary.strengths] == [5, 4, 4]
    assert summary.strengths[0].statement == question(world, "exec.data.02").levels[5].en
    # the largest gap times weight first: 3 x 1.5, 3 x 1, then the first weight-2 question
    # one level short
    steps = [row.question.id for row in summary.next_steps]
    assert steps == ["exec.technology.01", "exec.strategy.02", "exec.vision.01"]
    advice = question(world, "exec.vision.01").recommendation_for(2)
    assert advice is not None
    assert summary.next_steps[2].recommendation == advice.text.en
    page = summary_html(results(client, aid))
    assert page.index('data-question="exec.data.02"') < page.index(
        'data-question="exec.metrics.01"') < page.index('data-question="exec.vision.03"')
    assert 'data-question="exec.process.04"' not in page
    assert advice.text.en in words(page)
    persian = summary_of(world, aid, "fa")
    assert persian.strengths[0].statement == question(world, "exec.data.02").levels[5].fa
    assert persian.next_steps[2].recommendation == advice.text.fa


def test_the_verdict_is_the_roadmaps_model_else_the_only_one_else_the_nearest_to_ready(
        signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    # data at level 1 fails a LIC gate (not ready) while Gartner's gates pass (ready)
    both = world.answered(client_id, by_stage(data="1"), model_ids=["lic", "gartner"])
    summary = summary_of(world, both)
    assert summary.verdict is not None
    assert (summary.verdict.model.model, summary.basis, summary.models) == ("gartner",
                                                                           "nearest", 2)
    assert summary.verdict.label == verdicts.verdict_label(summary.verdict.model.readiness.verdict)
    assert summary.verdict.label == "Ready"
    page = words(chunk(summary_html(results(client, both)), 'data-testid="summary-verdict"',
                         "</div>"))
    assert "Ready" in page
    assert "Not ready" not in page
    assert "the nearest to ready of the 2 models assessed" in page
    persian = words(chunk(summary_html(results(client, both, "fa")),
                            'data-testid="summary-verdict"', "</div>"))
    assert str(verdicts.VERDICTS["ready"]) not in persian  # worded in Persian, not English
    assert "آماده" in persian
    assert "۲ مدل" in persian

    only = world.answered(client_id, by_stage(data="1"), model_ids=["lic"])
    alone = summary_of(world, only)
    assert alone.verdict is not None
    assert (alone.verdict.model.model, alone.basis, alone.verdict.label) == (
        "lic", "only", "Not ready")

    # the client rolls out LIC: its verdict heads the summary, though Gartner is ready
    world.roadmap(both, "lic", starts_on=date(2026, 1, 10), accepted=True)
    later = world.answered(client_id, by_stage(data="1"), model_ids=["lic", "gartner"])
    planned = summary_of(world, later)
    assert planned.verdict is not None
    assert (planned.verdict.model.model, planned.basis, planned.verdict.label) == (
        "lic", "roadmap", "Not ready")
    assert planned.verdict.reasons == verdicts.reasons_of(planned.verdict.model,
                                                          world.catalog, "en")


def test_fewer_than_three_are_shown_as_they_are(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    aid = world.answered(world.client(user_id),
                         levels(None, exec_vision_01="4", exec_data_01="1"), targets=TARGETS)
    summary = summary_of(world, aid)
    assert [s.question.id for s in summary.strengths] == ["exec.vision.01"]
    # the one gap; the strength is not offered again as a step "to go further"
    assert [row.question.id for row in summary.next_steps] == ["exec.data.01"]
    page = summary_html(results(client, aid))
    assert page.count("<li ") == 2

    low = world.answered(world.client(user_id, "Low Co"), "1", targets=TARGETS)
    weak = summary_of(world, low)
    assert weak.strengths == []  # level 1 everywhere: nothing reached its target
    assert len(weak.next_steps) == 3
    assert "No question has reached its stage's target yet." in words(summary_html(
        results(client, low)))


def test_level_zero_is_no_strength_even_against_a_target_of_zero(signed_in: Signed) -> None:
    _client, world, user_id = signed_in
    zero = {stage: 0 for stage in CANONICAL_STAGE_IDS}
    aid = world.answered(world.client(user_id), levels("0", exec_vision_01="2"), targets=zero)
    assert [s.question.id for s in summary_of(world, aid).strengths] == ["exec.vision.01"]


def test_no_answers_give_a_notice_not_good_news(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    aid = world.answered(world.client(user_id), levels(None), targets=TARGETS)
    summary = summary_of(world, aid)
    assert not summary.scored
    assert (summary.verdict, summary.strengths, summary.next_steps) == (None, [], [])
    page = words(summary_html(results(client, aid)))
    assert "No answers with a level yet. Until questions are answered" in page
    for good_news in ("Ready", "Strengths", "target", "No gate"):
        assert good_news not in page
    persian = words(summary_html(results(client, aid, "fa")))
    assert "چیزی برای داوری نیست" in persian
    assert foreign_in_persian(persian,
                              allowed=["Acme Trading", "First look", "PDF (English)"]) == []


def test_who_opens_on_the_summary(signed_in: Signed, app: Flask) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    executive = world.answered(client_id, by_stage(), targets=TARGETS)
    page = results(client, executive)
    # the consultant too: the summary first, every detail behind one tap
    assert page.index('data-testid="summary"') < page.index('data-testid="results-detail"') \
        < page.index('id="readiness"') < page.index('id="models"')
    assert page.count('data-testid="maturity-index"') == 1
    workshop = world.answered(client_id, by_stage(), questionnaire="workshop")
    full = results(client, workshop)
    assert 'data-testid="summary"' not in full
    assert '<details class="results-detail"' not in full
    # a share link opens on the summary, whatever its questionnaire
    shared = world.assessment(client_id, questionnaire="workshop", share=True)
    with app.app_context():
        token = db.session.get(Assessment, shared).share_token
    phone = app.test_client()
    assert phone.post(f"/s/{token}", data={"name": "Sara"}).status_code == 302
    link = phone.get(f"/s/{token}/results?lang=en").get_data(as_text=True)
    assert 'data-testid="summary"' in link
    assert 'data-testid="summary-pdf"' in link


def test_the_persian_summary_is_persian(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    aid = world.answered(world.client(user_id, "Acme & Co (تهران)"), by_stage(data="1"),
                         targets=TARGETS, title="Check-in با مدیرعامل")
    page = results(client, aid, "fa")
    summary = summary_html(page)
    assert "<bdi>Acme &amp; Co (تهران)</bdi>" in summary
    assert "<bdi>Check-in با مدیرعامل</bdi>" in summary
    text = words(summary)
    assert foreign_in_persian(text, allowed=["Acme & Co (تهران)", "Check-in با مدیرعامل",
                                             "PDF (English)"]) == []
    assert "از ۱۰۰" in text
