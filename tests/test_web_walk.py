"""The walk: autosave, the plain-form fallback, resume, review, completion and results."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.scoring import score
from assessment.tables import Answer, Assessment, Respondent
from assessment.web import get_catalog

from .conftest import Signed, World
from .helpers import LevelChoice, level_choices, persian_digits, text_of


def setup(signed_in: Signed, **kwargs: object) -> tuple[FlaskClient, World, int]:
    client, world, user_id = signed_in
    assessment_id = world.assessment(world.client(user_id), **kwargs)  # type: ignore[arg-type]
    return client, world, assessment_id


def answers(world: World) -> list[tuple[str, str | None, str, bool, int]]:
    return world.query(lambda s: [
        (a.question_id, a.value, a.comment, a.flagged, a.revision)
        for a in s.scalars(select(Answer).order_by(Answer.question_id))])


def test_autosave_stores_value_comment_and_flag(signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    url = f"/assessments/{aid}/answers/exec.vision.01"
    first = client.post(url, json={"value": 3})
    assert first.status_code == 200
    body = first.get_json()
    assert body["saved"] is True
    assert body["value"] == "3"
    assert body["progress"]["vision"] == [1, 5]
    client.post(url, json={"comment": "Only the sales director has seen it"})
    client.post(url, json={"flagged": True})
    assert answers(world) == [("exec.vision.01", "3", "Only the sales director has seen it",
                               True, 3)]
    assert world.query(lambda s: s.get(Assessment, aid).status) == "in_progress"


def test_saving_the_same_answer_twice_is_harmless(signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    url = f"/assessments/{aid}/answers/exec.data.02"
    for _ in range(3):
        assert client.post(url, json={"value": "na"}).status_code == 200
    stored = answers(world)
    assert len(stored) == 1
    assert stored[0][1] == "na"


def test_bad_answers_are_refused_and_change_nothing(signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    client.post(f"/assessments/{aid}/answers/exec.vision.01", json={"value": 2})
    before = answers(world)
    for payload in ({"value": 6}, {"value": "maybe"}, {"value": True}, {"flagged": "yes"},
                    {"comment": "x" * 2001}, {}, [1, 2]):
        response = client.post(f"/assessments/{aid}/answers/exec.vision.01", json=payload)
        assert response.status_code == 400, payload
        assert response.get_json()["message"]
    unknown = client.post(f"/assessments/{aid}/answers/ws.vision.01", json={"value": 2})
    assert unknown.status_code == 404
    assert answers(world) == before


def test_plain_form_post_saves_the_stage_and_moves_on(signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    form = {"q-exec.strategy.01": "2", "c-exec.strategy.01": "Written last year",
            "present-exec.strategy.01": "1", "f-exec.strategy.01": "1",
            "q-exec.strategy.02": "unknown", "present-exec.strategy.02": "1", "go": "process"}
    response = client.post(f"/assessments/{aid}/walk/strategy", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{aid}/walk/process")
    assert [(q, v, c, f) for q, v, c, f, _ in answers(world)] == [
        ("exec.strategy.01", "2", "Written last year", True),
        ("exec.strategy.02", "unknown", "", False),
    ]


def test_tampered_form_saves_nothing_and_keeps_what_was_typed(signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    form = {"q-exec.strategy.01": "2", "c-exec.strategy.01": "Keep me",
            "q-exec.strategy.02": "9", "q-exec.data.01": "3"}
    response = client.post(f"/assessments/{aid}/walk/strategy", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert "Keep me" in page  # what the user typed is still on the page
    assert answers(world) == []
    assert client.post(f"/assessments/{aid}/walk/nowhere", data=form).status_code == 404


def test_resume_goes_back_to_the_last_question(signed_in: Signed) -> None:
    client, _world, aid = setup(signed_in)
    first = client.get(f"/assessments/{aid}/walk")
    assert first.headers["Location"].endswith(f"/assessments/{aid}/walk/vision")
    client.post(f"/assessments/{aid}/answers/exec.data.03", json={"value": 1})
    again = client.get(f"/assessments/{aid}/walk")
    assert again.headers["Location"].endswith(f"/assessments/{aid}/walk/data#q-exec.data.03")
    page = client.get(f"/assessments/{aid}/walk/data").get_data(as_text=True)
    assert 'value="1" checked' in page


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_each_level_says_what_it_means_for_that_question(signed_in: Signed, app: Flask,
                                                         lang: str) -> None:
    """Every choice shows its number (Persian digits in Persian), the level's name on the
    question's scale and the question's own description of that level, all inside the
    radio's label; a screen reader gets the name and the description."""
    client, _, aid = setup(signed_in)
    page = client.get(f"/assessments/{aid}/walk/vision?lang={lang}").get_data(as_text=True)
    catalog = get_catalog(app)
    questions = [q for q in catalog.questionnaires["executive"].questions
                 if q.stage == "vision"]
    assert len(questions) == 5
    for question in questions:
        assert question.levels is not None
        scale = catalog.scale_of(question)
        number = persian_digits if lang == "fa" else str
        assert level_choices(page, question.id) == [LevelChoice(
            str(level), f"{number(level)} {scale.level(level).name.get(lang)}",
            words(question.levels[level].get(lang))) for level in range(6)]
    generic = catalog.scale.level(3).descriptor.get(lang)
    assert html.escape(generic, quote=True) not in page  # the question's own, not the scale's


@pytest.mark.parametrize(("lang", "largely", "defined"), [
    ("en", "Largely", "Defined"), ("fa", "تا حد زیادی", "تعریف‌شده")])
def test_a_question_on_the_extent_scale_names_its_levels_on_that_scale(
        signed_in: Signed, lang: str, largely: str, defined: str) -> None:
    client, _, aid = setup(signed_in)
    page = client.get(f"/assessments/{aid}/walk/vision?lang={lang}").get_data(as_text=True)
    three = persian_digits(3) if lang == "fa" else "3"
    extent = level_choices(page, "exec.vision.04")  # an attitude, on the extent scale
    assert extent[3].name == f"{three} {largely}"
    assert all(defined not in choice.name for choice in extent)
    assert level_choices(page, "exec.vision.01")[3].name == f"{three} {defined}"


def test_stage_page_shows_the_answers_without_a_level(signed_in: Signed) -> None:
    client, _, aid = setup(signed_in)
    page = client.get(f"/assessments/{aid}/walk/vision?lang=en").get_data(as_text=True)
    assert "Not applicable" in page
    assert "Don&#39;t know" in page or "Don't know" in page
    assert 'aria-current="step"' in page
    assert page.count('class="question card') == 5


def test_review_lists_unanswered_and_flagged_then_completes(signed_in: Signed,
                                                            app: Flask) -> None:
    client, world, aid = setup(signed_in)
    client.post(f"/assessments/{aid}/answers/exec.vision.01", json={"value": 4,
                                                                   "flagged": True})
    review = client.get(f"/assessments/{aid}/review?lang=en").get_data(as_text=True)
    assert "Not answered yet (29)" in text_of(review)
    assert "Marked for review (1)" in text_of(review)
    done = client.post(f"/assessments/{aid}/complete")
    assert done.headers["Location"].endswith(f"/assessments/{aid}/results")
    assert world.query(lambda s: s.get(Assessment, aid).status) == "complete"
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Respondent).where(
        Respondent.finished_at.is_not(None)))) == 1


def test_results_match_the_scoring_engine(signed_in: Signed, app: Flask) -> None:
    client, _, aid = setup(signed_in, targets={"vision": 5})
    levels = {"exec.vision.01": 4, "exec.vision.02": 2, "exec.data.01": 1, "exec.metrics.01": 0}
    for qid, value in levels.items():
        client.post(f"/assessments/{aid}/answers/{qid}", json={"value": value})
    catalog = get_catalog(app)
    expected = score(catalog, catalog.questionnaires["executive"], {"me": levels},
                     targets={"vision": 5})
    page = client.get(f"/assessments/{aid}/results?lang=en").get_data(as_text=True)
    assert f"{round(expected.maturity_index)}" in text_of(page)
    assert "<svg" in page
    assert "class=\"radar\"" in page
    for model in catalog.models.values():
        assert model.name.en in page
    # the summary on top names one model's verdict; the detail lists them all in order
    detail = page[page.index('data-testid="results-detail"'):]
    positions = [detail.index(m.name.en) for m in catalog.models.values()]
    assert positions == sorted(positions)
    vision = expected.stage("vision")
    assert vision.gap is not None
    assert f'title="{vision.gap:.1f} levels"' in page
    assert "How these scores are computed" in page


def test_results_of_an_empty_assessment_say_so(signed_in: Signed) -> None:
    client, _, aid = setup(signed_in)
    page = client.get(f"/assessments/{aid}/results?lang=en").get_data(as_text=True)
    assert "No answers with a level yet" in page


def test_expired_token_on_autosave_gets_a_fresh_token_and_the_retry_saves(
    app: Flask, signed_in: Signed
) -> None:
    client, world, aid = setup(signed_in)
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/assessments/{aid}/answers/exec.vision.02"
    refused = client.post(url, json={"value": 3}, headers={"X-CSRFToken": "stale"})
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["error"] == "csrf"
    assert "expired" in body["message"]
    assert answers(world) == []
    retried = client.post(url, json={"value": 3}, headers={"X-CSRFToken": body["csrf_token"]})
    assert retried.status_code == 200
    assert [a[:2] for a in answers(world)] == [("exec.vision.02", "3")]


def test_expired_token_on_a_stage_form_keeps_what_was_chosen(app: Flask,
                                                             signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    app.config["WTF_CSRF_ENABLED"] = True
    form = {"csrf_token": "stale", "q-exec.data.02": "4", "c-exec.data.02": "Two CRMs today",
            "go": "technology"}
    response = client.post(f"/assessments/{aid}/walk/data?lang=en", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not saved yet" in page
    assert "Two CRMs today" in page
    assert 'id="q-exec.data.02-4" value="4" checked' in page
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert fresh is not None
    saved = client.post(f"/assessments/{aid}/walk/data", data={**form,
                                                               "csrf_token": fresh.group(1)})
    assert saved.status_code == 302
    assert [a[:3] for a in answers(world)] == [("exec.data.02", "4", "Two CRMs today")]


def test_database_url_chooses_another_database(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment.app import create_app

    other = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"SECRET_KEY": "t"})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    assert other.exists()
    assert not (tmp_path / "instance" / "crm.sqlite3").exists()


def test_looking_at_results_adds_no_respondent(signed_in: Signed) -> None:
    client, world, aid = setup(signed_in)
    for url in (f"/assessments/{aid}", f"/assessments/{aid}/results"):
        assert client.get(url).status_code == 200
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Respondent))) == 0
    client.get(f"/assessments/{aid}/walk/vision")
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Respondent))) == 1


def test_someone_who_answered_nothing_does_not_lower_coverage(app: Flask,
                                                              signed_in: Signed) -> None:
    client, world, aid = setup(signed_in, share=True)
    token = world.query(lambda s: s.get(Assessment, aid).share_token)
    executive = app.test_client()
    executive.post(f"/s/{token}", data={"name": "Sara"})
    for question in get_catalog(app).questionnaires["executive"].questions:
        executive.post(f"/s/{token}/answers/{question.id}", json={"value": 3})
    client.get(f"/assessments/{aid}/walk/vision")  # the consultant only looks
    app.test_client().post(f"/s/{token}", data={"name": "Left at once"})
    from assessment.results import score_assessment

    with app.app_context():
        result = score_assessment(get_catalog(app), db.session.get(Assessment, aid))
    assert result.respondents == 1
    assert result.coverage == 1.0
    assert result.confidence == "self_reported"  # one person answered, whatever the coverage


def test_expired_token_without_a_session_is_sent_on_not_crashed(app: Flask,
                                                                signed_in: Signed) -> None:
    _client, world, aid = setup(signed_in, share=True)
    token = world.query(lambda s: s.get(Assessment, aid).share_token)
    app.config["WTF_CSRF_ENABLED"] = True
    stranger = app.test_client()
    response = stranger.post(f"/s/{token}/walk/vision", data={"q-exec.vision.01": "3"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/s/{token}")
    # without a started session, any stage sends the person to the start page first
    assert stranger.post(f"/s/{token}/walk/nowhere", data={}).headers["Location"].endswith(
        f"/s/{token}")
    signed_out = app.test_client()
    to_login = signed_out.post(f"/assessments/{aid}/walk/vision", data={"q-exec.vision.01": "3"})
    assert to_login.status_code == 302
    assert "/login" in to_login.headers["Location"]
    assert answers(world) == []


def test_a_change_made_on_an_old_copy_does_not_overwrite_a_newer_answer(
    signed_in: Signed,
) -> None:
    client, world, aid = setup(signed_in)
    url = f"/assessments/{aid}/answers/exec.vision.03"
    assert client.post(url, json={"value": 1, "base_revision": 0}).get_json()["revision"] == 1
    assert client.post(url, json={"value": 4, "base_revision": 1}).get_json()["revision"] == 2
    stale = client.post(url, json={"value": 2, "base_revision": 1})
    assert stale.status_code == 409
    body = stale.get_json()
    assert body["error"] == "conflict"
    assert body["current"] == {"value": "4", "comment": "", "flagged": False, "revision": 2}
    assert [a[:2] for a in answers(world)] == [("exec.vision.03", "4")]
    new_elsewhere = client.post(f"/assessments/{aid}/answers/exec.vision.04",
                                json={"value": 3, "base_revision": 5})
    assert new_elsewhere.status_code == 409
    assert new_elsewhere.get_json()["current"] is None
    assert client.post(url, json={"value": 2, "base_revision": "1"}).status_code == 400
    assert client.post(url, json={"value": 2}).status_code == 200  # no base: last write wins
