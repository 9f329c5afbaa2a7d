"""Re-assessment and trend: comparing a client's assessments, the projection, the pages."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.results import score_assessment
from assessment.tables import Assessment, Client, Roadmap
from assessment.trend.chart import trend_svg
from assessment.trend.operations import Trend, comparable_assessments, compare
from assessment.web import get_catalog

from .conftest import Signed, World
from .helpers import login, text_of

Q = "executive"
PERSIAN_DIGIT = re.compile(r"[۰-۹]")
LATIN_DIGIT = re.compile(r"[0-9]")


def persian_letters(text: str) -> str:
    """The Arabic-script letters in `text` (digits and separators are not letters)."""
    return "".join(ch for ch in text if ch.isalpha() and (
        "\u0600" <= ch <= "\u06ff" or "\ufb50" <= ch <= "\ufeff"))


def levels(app: Flask, by_stage: Mapping[str, int | str], **overrides: str) -> dict[str, str]:
    """An answer for every executive question: its stage's level, or an override by id
    (question ids with dots written with underscores: exec_data_01)."""
    wanted = {key.replace("_", "."): value for key, value in overrides.items()}
    return {q.id: wanted.get(q.id, str(by_stage[q.stage]))
            for q in get_catalog(app).questionnaires[Q].questions}


ALL_TWO = dict.fromkeys(("vision", "strategy", "process", "data", "technology", "metrics"), 2)


def trend_of(app: Flask, client_id: int, today: date, questionnaire: str = Q) -> Trend:
    from assessment.extensions import db

    with app.app_context():
        return compare(get_catalog(app), db.session.get(Client, client_id), questionnaire, today)


@pytest.fixture
def acme(app: Flask, world: World) -> tuple[int, int]:
    """A consultant's client: (user id, client id)."""
    user_id = world.user()
    return user_id, world.client(user_id)


# --- comparing ----------------------------------------------------------------------------


def test_change_per_stage_is_the_difference_of_the_engine_scores(
        app: Flask, world: World, acme: tuple[int, int]) -> None:
    _, client_id = acme
    first = world.answered(client_id, [levels(app, ALL_TWO)], title="Baseline",
                           completed_at=datetime(2026, 1, 10))
    raised = {**ALL_TWO, "data": 4}
    second = world.answered(client_id, [levels(app, raised, exec_metrics_01="1")],
                            title="Three months on", completed_at=datetime(2026, 4, 10))
    trend = trend_of(app, client_id, date(2026, 4, 20))

    from assessment.extensions import db

    with app.app_context():
        before = score_assessment(get_catalog(app), db.session.get(Assessment, first))
        after = score_assessment(get_catalog(app), db.session.get(Assessment, second))
    assert [p.assessment_id for p in trend.points] == [first, second]
    assert trend.since_previous is not None
    for stage in after.stages:
        expected = stage.score - before.stage(stage.stage).score
        assert trend.since_previous.stage(stage.stage).change == pytest.approx(expected)
    assert trend.since_previous.stage("data").change == pytest.approx(40.0)
    assert trend.since_previous.readiness_change == pytest.approx(
        after.maturity_index - before.maturity_index)
    assert [c.stage for c in trend.since_previous.improved_stages] == ["data"]
    assert [c.stage for c in trend.since_previous.declined_stages] == ["metrics"]
    metrics_weights = [q.weight for q in get_catalog(app).questionnaires[Q].questions
                       if q.stage == "metrics"]
    # exec.metrics.01 (weight 2) fell from 2 to 1
    expected_drop = -20 * 2 / math.fsum(metrics_weights)
    assert trend.since_previous.declined_stages[0].change == pytest.approx(expected_drop)
    improved = [c.question_id for c in trend.since_previous.improved_questions]
    assert improved == [f"exec.data.0{i}" for i in range(1, 6)]
    assert all(c.change == pytest.approx(2.0) for c in trend.since_previous.improved_questions)
    assert [c.question_id for c in trend.since_previous.declined_questions] == [
        "exec.metrics.01"]
    # with two points, first-to-latest is the same comparison
    assert trend.since_first is not None
    assert trend.since_first.before.assessment_id == first


def test_small_question_changes_are_left_out(app: Flask, world: World,
                                             acme: tuple[int, int]) -> None:
    _, client_id = acme
    # five people; on vision.02 one says "not applicable", so four levels count there
    base = levels(app, ALL_TWO, exec_vision_02="2")
    na = levels(app, ALL_TWO, exec_vision_02="na")
    world.answered(client_id, [base, base, base, base, na], title="Before",
                   completed_at=datetime(2026, 1, 1))
    one_up = levels(app, ALL_TWO, exec_vision_01="3", exec_vision_02="3")
    world.answered(client_id, [one_up, base, base, base, na], title="After",
                   completed_at=datetime(2026, 3, 1))
    trend = trend_of(app, client_id, date(2026, 3, 2))
    comparison = trend.since_previous
    assert comparison is not None
    # vision.01: +1 of five answers = +0.2, under a quarter level; vision.02: +1 of four = +0.25
    assert comparison.questions[0].change == pytest.approx(0.2)
    assert [c.question_id for c in comparison.improved_questions] == ["exec.vision.02"]
    assert comparison.declined_questions == ()


def test_completed_assessments_are_compared_oldest_first(
        app: Flask, world: World, acme: tuple[int, int]) -> None:
    _, client_id = acme
    later = world.answered(client_id, [levels(app, ALL_TWO)],
                           title="Made first, finished later", completed_at=datetime(2026, 5, 1))
    earlier = world.answered(client_id, [levels(app, ALL_TWO)],
                             title="Made second, finished earlier",
                             completed_at=datetime(2026, 2, 1))
    unfinished = world.answered(client_id, [levels(app, ALL_TWO)], title="Not finished")
    world.answered(client_id, [levels(app, dict.fromkeys(ALL_TWO, "unknown"))],
                   title="Only don't know", completed_at=datetime(2026, 6, 1))
    # completed, with a level, but with the other questionnaire
    world.answered(client_id, lambda _person, n, _question: "3" if n == 0 else None,
                   questionnaire="workshop", completed_at=datetime(2026, 4, 1))
    from assessment.extensions import db

    with app.app_context():
        client = db.session.get(Client, client_id)
        found = [a.id for a in comparable_assessments(client, Q)]
        dates = [p.on for p in compare(get_catalog(app), client, Q, date(2026, 6, 2)).points]
    assert found == [earlier, later]
    assert dates == [date(2026, 2, 1), date(2026, 5, 1)]
    assert unfinished not in found


# --- the projection -----------------------------------------------------------------------


def _roadmap(world: World, assessment_id: int, starts_on: date) -> list[tuple[int, str, date]]:
    """A Gartner roadmap with a gap milestone for every question; (id, question, due) of
    those."""
    plan = world.roadmap(assessment_id, "gartner", starts_on=starts_on, gaps=100)
    return world.query(lambda s: [(m.id, m.origin_ref, m.due_on)
                                  for m in s.get(Roadmap, plan.roadmap_id).milestones
                                  if m.origin == "gap"])


def test_projection_lifts_exactly_the_open_gap_questions(
        app: Flask, world: World, acme: tuple[int, int]) -> None:
    _, client_id = acme
    catalog = get_catalog(app)
    baseline = world.answered(client_id, [levels(app, ALL_TWO)], title="Baseline",
                              completed_at=datetime(2026, 1, 10))
    gaps = _roadmap(world, baseline, date(2026, 1, 15))
    assert {question for _, question, _ in gaps} == {
        q.id for q in catalog.questionnaires[Q].questions}
    # the team closed every metrics gap; the re-assessment still reads 2 there (the rule:
    # done milestones are taken as already reflected), and vision.03 is now above target
    done = [mid for mid, question, _ in gaps if question.startswith("exec.metrics.")]
    world.move(done, "done", on=date(2026, 3, 1))
    world.answered(client_id, [levels(app, ALL_TWO, exec_vision_03="4")], title="Re-assessment",
                   completed_at=datetime(2026, 3, 20))
    trend = trend_of(app, client_id, date(2026, 3, 25))

    projection = trend.projection
    assert projection is not None
    assert trend.no_projection is None
    open_questions = {q for mid, q, _ in gaps if mid not in done}
    assert {q.question_id for q in projection.questions} == open_questions
    # six metrics questions since December 2026 (exec.metrics.03 was split in two)
    assert projection.done == len(done) == 6
    assert projection.counted == len(gaps) - len(done) == 24
    above = next(q for q in projection.questions if q.question_id == "exec.vision.03")
    assert above.current == 4.0
    assert above.lifted is False
    assert above.projected == 4.0
    final = projection.final.stages
    vision = [q for q in catalog.questionnaires[Q].questions if q.stage == "vision"]
    expected_vision = 20 * math.fsum(
        q.weight * (4 if q.id == "exec.vision.03" else 3) for q in vision) / math.fsum(
        q.weight for q in vision)
    assert final["vision"] == pytest.approx(expected_vision)
    for stage in ("strategy", "process", "data", "technology"):
        assert final[stage] == pytest.approx(60.0)
    assert final["metrics"] == pytest.approx(40.0)
    expected_index = (expected_vision + 4 * 60 + 40) / 6
    assert projection.final.maturity_index == pytest.approx(expected_index)
    assert projection.base.maturity_index == pytest.approx(trend.points[-1].maturity_index)


def test_projection_steps_follow_the_due_dates(app: Flask, world: World,
                                                acme: tuple[int, int]) -> None:
    _, client_id = acme
    baseline = world.answered(client_id, [levels(app, ALL_TWO)], title="Baseline",
                              completed_at=datetime(2026, 1, 10))
    gaps = _roadmap(world, baseline, date(2026, 1, 15))
    today = date(2026, 3, 1)  # after the first model stage's due date
    trend = trend_of(app, client_id, today)
    projection = trend.projection
    assert projection is not None
    dates = [step.on for step in projection.steps]
    assert dates == sorted(set(dates))
    assert dates[0] == today
    due_dates = {due for _, _, due in gaps}
    assert set(dates[1:]) == {due for due in due_dates if due > today}
    indexes = [step.maturity_index for step in projection.steps]
    assert indexes == sorted(indexes)
    assert indexes[0] > trend.points[-1].maturity_index
    late = {q for _, q, due in gaps if due < today}
    assert late
    assert {q.question_id for q in projection.questions if q.late} == late
    assert set(projection.steps[0].questions) == late
    assert projection.late == len(late)
    for step in projection.steps[1:]:
        assert set(step.questions) == {q for _, q, due in gaps if due == step.on}
    assert projection.final.maturity_index == pytest.approx(60.0)


def test_no_projection_without_a_roadmap_or_open_gaps(app: Flask, world: World,
                                                      acme: tuple[int, int]) -> None:
    _, client_id = acme
    baseline = world.answered(client_id, [levels(app, ALL_TWO)], title="Baseline",
                              completed_at=datetime(2026, 1, 10))
    trend = trend_of(app, client_id, date(2026, 2, 1))
    assert trend.projection is None
    assert trend.no_projection == "no_roadmap"
    gaps = _roadmap(world, baseline, date(2026, 1, 15))
    # the team removed the due dates of all but the done ones
    world.edit_milestone([mid for mid, _, _ in gaps], due_on=None)
    assert trend_of(app, client_id, date(2026, 2, 1)).no_projection == "undated"
    world.move([mid for mid, _, _ in gaps], "done", on=date(2026, 2, 1))
    trend = trend_of(app, client_id, date(2026, 2, 1))
    assert trend.projection is None
    assert trend.no_projection == "no_open_gaps"
    assert trend_of(app, client_id, date(2026, 2, 1), "workshop").no_projection == (
        "no_assessment")


# --- the chart ----------------------------------------------------------------------------


def _point_xs(svg: str) -> dict[int, float]:
    return {int(m.group(2)): float(m.group(1)) for m in re.finditer(
        r'<circle cx="([\d.]+)"[^>]*class="point" data-assessment="(\d+)"', svg)}


def test_chart_runs_right_to_left_in_persian_and_prints_without_persian_letters(
        app: Flask, world: World, acme: tuple[int, int]) -> None:
    _, client_id = acme
    first = world.answered(client_id, [levels(app, ALL_TWO)], title="ارزیابی نخست <b>&",
                           completed_at=datetime(2026, 1, 10))
    _roadmap(world, first, date(2026, 1, 15))
    latest = world.answered(client_id, [levels(app, {**ALL_TWO, "data": 4})],
                            title="ارزیابی دوباره", completed_at=datetime(2026, 4, 10))
    trend = trend_of(app, client_id, date(2026, 4, 12))
    with app.test_request_context():
        english = trend_svg(trend, "en", title="Trend")
        persian = trend_svg(trend, "fa", title="روند")
        printed = trend_svg(trend, "fa", for_print=True, title="روند")
    en_x, fa_x = _point_xs(english), _point_xs(persian)
    assert en_x[latest] > en_x[first]
    assert fa_x[latest] < fa_x[first]
    assert fa_x[first] == pytest.approx(760 - en_x[first])
    assert "<b>" not in english
    assert "&lt;b&gt;" in english
    assert 'class="projection"' in english
    assert persian_letters(persian)  # on screen the tooltips carry the titles
    assert persian_letters(printed) == ""
    words = "".join(re.findall(r">([^<]+)<", printed))
    assert PERSIAN_DIGIT.search(words)
    assert not LATIN_DIGIT.search(words)
    assert _point_xs(printed) == fa_x


# --- the pages ----------------------------------------------------------------------------


def test_trend_page_in_english_and_persian(signed_in: Signed, app: Flask) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    first = world.answered(client_id, [levels(app, ALL_TWO)], title="Baseline",
                           completed_at=datetime(2026, 1, 10))
    _roadmap(world, first, date(2026, 1, 15))
    world.answered(client_id, [levels(app, {**ALL_TWO, "data": 4})], title="Spring check",
                   completed_at=datetime(2026, 4, 10))
    app.config["TODAY"] = date(2026, 4, 12)
    response = client.get(f"/clients/{client_id}/trend")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = text_of(html)
    assert "<svg" in html
    assert "Most improved stages" in text
    assert "10 January 2026" in text
    assert "Spring check" in text
    improved = re.search(r'data-testid="improved-stages">(.*?)</ol>', html, re.S)
    assert improved is not None
    assert 'data-stage="data"' in improved.group(1)
    assert "+40" in improved.group(1)
    assert 'data-testid="too-few"' not in html
    assert 'data-testid="projected-index"' in html

    persian = client.get(f"/clients/{client_id}/trend?lang=fa")
    assert persian.status_code == 200
    page = persian.get_data(as_text=True)
    assert 'dir="rtl"' in page
    # the English request compiled the template first: no digits frozen in its language
    latest = re.search(r'data-testid="latest-index">(.*?)</div>', page)
    assert latest is not None
    assert latest.group(1).endswith(" از ۱۰۰</span>")
    assert not LATIN_DIGIT.search(text_of(latest.group(1)))
    assert "+۴۰" in page
    assert "۲۰ دی ۱۴۰۴" in text_of(page)  # 10 January 2026 in the Solar Hijri calendar
    assert "داده" in text_of(page)  # a stage name from the catalogue


def test_one_assessment_asks_for_a_reassessment(signed_in: Signed, app: Flask) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    only = world.answered(client_id, [levels(app, ALL_TWO)], title="Baseline",
                          completed_at=datetime(2026, 1, 10))
    empty = world.assessment(client_id, questionnaire=Q)
    html = client.get(f"/clients/{client_id}/trend").get_data(as_text=True)
    assert 'data-testid="too-few"' in html
    assert "Only one assessment so far" in text_of(html)
    assert f'action="/assessments/{only}/reassess"' in html
    waiting = re.search(r'data-testid="waiting">(.*?)</div>', html, re.S)
    assert waiting is not None
    assert f"/assessments/{empty}" in waiting.group(1)
    assert 'data-reason="no_roadmap"' in html
    persian = client.get(f"/clients/{client_id}/trend?lang=fa")
    assert persian.status_code == 200
    none_yet = client.get(f"/clients/{client_id}/trend?questionnaire=workshop&lang=en")
    assert "No assessment of this client with this questionnaire has answers yet" in text_of(
        none_yet.get_data(as_text=True))
    assert client.get(f"/clients/{client_id}/trend?questionnaire=nope").status_code == 404


def test_reassess_copies_questionnaire_models_and_targets(signed_in: Signed,
                                                          app: Flask) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    source = world.assessment(client_id, questionnaire=Q, model_ids=["gartner", "swift"],
                              targets={"vision": 4, "data": 2})
    app.config["TODAY"] = date(2026, 4, 12)
    response = client.post(f"/assessments/{source}/reassess", data={"title": ""})
    assert response.status_code == 302
    created = world.query(lambda s: s.scalar(select(func.max(Assessment.id))))
    assert response.headers["Location"].endswith(f"/assessments/{created}")

    def settings(assessment_id: int) -> tuple[Any, ...]:
        return world.query(lambda s: (lambda a: (
            a.client_id, a.questionnaire_id, a.model_ids, a.targets, a.title, a.status))(
            s.get(Assessment, assessment_id)))

    copied, original = settings(created), settings(source)
    assert copied[:4] == original[:4]
    assert copied[3]["vision"] == 4
    assert copied[4] == "Re-assessment 12 April 2026"
    assert copied[5] == "draft"
    page = client.get(f"/assessments/{created}").get_data(as_text=True)
    assert "Re-assessment created" in text_of(page)

    client.post(f"/assessments/{source}/reassess?lang=fa", data={"title": ""})
    newest = world.query(lambda s: s.scalar(select(func.max(Assessment.id))))
    assert settings(newest)[4].endswith("۲۳ فروردین ۱۴۰۵")  # the date as a Persian reads it

    client.post(f"/assessments/{source}/reassess", data={"title": "  Autumn check  "})
    named = world.query(lambda s: s.scalar(select(func.max(Assessment.id))))
    assert settings(named)[4] == "Autumn check"
    before = world.count(Assessment)
    too_long = client.post(f"/assessments/{source}/reassess", data={"title": "x" * 201})
    assert too_long.status_code == 302
    assert too_long.headers["Location"].endswith(f"/assessments/{source}")
    assert world.count(Assessment) == before


def test_another_workspace_cannot_reassess_or_see_the_trend(client: FlaskClient,
                                                            world: World) -> None:
    owner = world.user("owner@example.com")
    client_id = world.client(owner)
    source = world.assessment(client_id, questionnaire=Q)
    world.user("stranger@example.com")
    login(client, "stranger@example.com")
    before = world.count(Assessment)
    assert client.post(f"/assessments/{source}/reassess", data={"title": "Mine"}).status_code \
        == 404
    assert client.get(f"/clients/{client_id}/trend").status_code == 404
    assert world.count(Assessment) == before


def test_reassess_needs_a_csrf_token(app: Flask, client: FlaskClient, world: World) -> None:
    user_id = world.user()
    source = world.assessment(world.client(user_id), questionnaire=Q)
    login(client)
    app.config["WTF_CSRF_ENABLED"] = True
    before = world.count(Assessment)
    response = client.post(f"/assessments/{source}/reassess", data={"title": "No token"})
    assert response.status_code == 400
    assert world.count(Assessment) == before


def test_reassess_partial_needs_only_the_assessment(app: Flask, world: World) -> None:
    from flask import render_template_string

    from assessment.extensions import db

    user_id = world.user()
    source = world.assessment(world.client(user_id), questionnaire=Q)
    app.config["TODAY"] = date(2026, 4, 12)
    with app.test_request_context("/?lang=fa"):
        app.preprocess_request()
        html = render_template_string('{% include "trend/_reassess.html" %}',
                                      assessment=db.session.get(Assessment, source))
    assert f'action="/assessments/{source}/reassess"' in html
    assert 'name="csrf_token"' in html
    assert "۲۳ فروردین ۱۴۰۵" in html  # the default title, as a placeholder
    assert f"/clients/{world.query(lambda s: s.get(Assessment, source).client_id)}/trend" in html
