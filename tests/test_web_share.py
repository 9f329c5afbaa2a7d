"""An executive's self-assessment link: one link is one respondent on every device; once the
assessment is complete its answers are read-only; the consultant revokes it, issues a new
one, sets its last day and reopens the assessment; report downloads are limited."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.extensions import db
from assessment.results import score_assessment
from assessment.tables import Answer, Assessment, Respondent, utcnow
from assessment.web import get_catalog

from .conftest import World
from .helpers import level_choices, login, text_of
from .isolation import changed, snapshot

Signed = tuple[FlaskClient, World, int]
Q1, Q2 = "exec.vision.01", "exec.data.01"
CLIENT_NAME, TITLE = "Acme Trading", "First look"


@pytest.fixture
def shared(signed_in: Signed) -> tuple[FlaskClient, World, int, str]:
    """A consultant signed in, and an executive self-assessment with a link:
    (consultant, world, assessment id, token)."""
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id, CLIENT_NAME), share=True)
    return client, world, aid, token_of(world, aid)


def token_of(world: World, aid: int) -> str:
    return world.query(lambda s: s.get(Assessment, aid).share_token)


def executive(app: Flask, token: str, name: str = "Sara") -> FlaskClient:
    """A device that opened the link and started (a fresh cookie jar)."""
    device = app.test_client()
    assert device.post(f"/s/{token}", data={"name": name, "role": "CEO"}).status_code == 302
    return device


def respondents(world: World) -> list[tuple[int, str, str]]:
    return world.query(lambda s: [(r.id, r.kind, r.name) for r in s.scalars(
        select(Respondent).order_by(Respondent.id))])


def answers(world: World) -> dict[str, tuple[int, str | None]]:
    return world.query(lambda s: {a.question_id: (a.respondent_id, a.value)
                                  for a in s.scalars(select(Answer))})


def index_of(app: Flask, aid: int) -> float | None:
    with app.app_context():
        return score_assessment(app.extensions["catalog"],
                                db.session.get(Assessment, aid)).maturity_index


def tables(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return snapshot(db)


def location(response: Any) -> str:
    return str(response.headers["Location"])


# --- one link, one respondent -----------------------------------------------------------


def test_a_second_device_continues_the_same_respondent(shared, app: Flask) -> None:
    _client, world, _aid, token = shared
    phone = executive(app, token, "Sara")
    assert phone.post(f"/s/{token}/answers/{Q1}", json={"value": 1}).status_code == 200
    laptop = app.test_client()
    start = laptop.get(f"/s/{token}?lang=en")
    page = start.get_data(as_text=True)
    assert start.status_code == 200
    assert "Continue where I left off" in page
    assert 'name="name"' not in page  # the name is asked only the first time
    # a form posted anyway (an old tab) starts nobody new and renames nobody
    assert location(laptop.post(f"/s/{token}", data={"name": "Intruder"})).endswith(
        f"/s/{token}/walk")
    assert len(respondents(world)) == 1
    stage = laptop.get(f"/s/{token}/walk/vision").get_data(as_text=True)
    assert re.search(rf'name="q-{Q1}"[^>]*value="1"[^>]*checked', stage), "the phone's answer"
    assert laptop.post(f"/s/{token}/answers/{Q2}", json={"value": 4}).status_code == 200
    ((rid, kind, name),) = respondents(world)
    assert (kind, name) == ("executive", "Sara")
    assert answers(world) == {Q1: (rid, "1"), Q2: (rid, "4")}


def test_the_executive_sees_what_each_level_means(shared, app: Flask) -> None:
    """The self-assessment through the link is the same walk: each level shows the
    question's own description, and an attitude question its extent names."""
    _client, _world, _aid, token = shared
    device = executive(app, token)
    page = device.get(f"/s/{token}/walk/vision?lang=fa").get_data(as_text=True)
    question = get_catalog(app).questionnaires["executive"].question(Q1)
    assert question.levels is not None
    choices = level_choices(page, Q1)
    assert [c.name for c in choices] == ["۰ ناموجود", "۱ آغازین", "۲ در حال شکل‌گیری",
                                         "۳ تعریف‌شده", "۴ مدیریت‌شده", "۵ بهینه‌شونده"]
    assert [c.description for c in choices] == [
        " ".join(question.levels[level].fa.split()) for level in range(6)]
    assert level_choices(page, "exec.vision.04")[3].name == "۳ تا حد زیادی"


def test_the_first_time_the_start_page_asks_for_a_name(shared, app: Flask) -> None:
    _client, world, _aid, token = shared
    page = app.test_client().get(f"/s/{token}?lang=en").get_data(as_text=True)
    assert 'name="name"' in page
    assert "Continue where I left off" not in page
    assert respondents(world) == []


def test_with_several_executives_from_old_data_the_link_answers_as_the_first(
        shared, app: Flask) -> None:
    _client, world, aid, token = shared

    def two(session: Any) -> None:
        session.add_all([Respondent(assessment_id=aid, kind="executive", name="First"),
                         Respondent(assessment_id=aid, kind="executive", name="Second")])
        session.commit()

    world.query(two)
    device = app.test_client()
    assert device.post(f"/s/{token}/answers/{Q1}", json={"value": 2}).status_code == 200
    first = min(rid for rid, _kind, _name in respondents(world))
    assert answers(world) == {Q1: (first, "2")}


# --- complete: read-only ---------------------------------------------------------------


def test_writes_after_completion_are_refused_and_change_nothing(shared, app: Flask) -> None:
    _client, world, aid, token = shared
    device = executive(app, token)
    device.post(f"/s/{token}/answers/{Q1}", json={"value": 1})
    assert location(device.post(f"/s/{token}/complete")).endswith(f"/s/{token}/results")
    before, index = tables(app), index_of(app, aid)

    autosave = device.post(f"/s/{token}/answers/{Q1}?lang=en", json={"value": 5})
    assert autosave.status_code == 409
    assert "complete" in autosave.get_json()["message"]
    persian = device.post(f"/s/{token}/answers/{Q2}?lang=fa", json={"value": 5})
    assert persian.status_code == 409
    assert "تکمیل" in persian.get_json()["message"]
    form = device.post(f"/s/{token}/walk/vision?lang=en", data={f"q-{Q1}": "5", "go": "review"})
    assert form.status_code == 409
    page = text_of(form.get_data(as_text=True))
    assert "can no longer be changed" in page
    assert f"/s/{token}/results" in form.get_data(as_text=True)
    assert device.post(f"/s/{token}/complete").status_code == 409
    assert app.test_client().post(f"/s/{token}", data={"name": "Colleague"}).status_code == 409

    assert changed(before, tables(app)) == []
    assert index_of(app, aid) == index
    assert world.query(lambda s: s.get(Assessment, aid).status) == "complete"


def test_a_finished_link_opens_the_results(shared, app: Flask) -> None:
    _client, _world, _aid, token = shared
    device = executive(app, token)
    device.post(f"/s/{token}/complete")
    for path in ("", "/walk", "/walk/vision", "/review"):
        assert location(app.test_client().get(f"/s/{token}{path}")).endswith(
            f"/s/{token}/results"), path
    results = app.test_client().get(f"/s/{token}/results?lang=en")
    assert results.status_code == 200
    assert "Maturity index" in results.get_data(as_text=True)


def test_the_consultant_reopens_the_assessment(shared, app: Flask) -> None:
    client, world, aid, token = shared
    device = executive(app, token)
    device.post(f"/s/{token}/complete")
    page = client.get(f"/assessments/{aid}?lang=en").get_data(as_text=True)
    assert f"/assessments/{aid}/reopen" in page
    reopened = client.post(f"/assessments/{aid}/reopen?lang=en")
    assert location(reopened).endswith(f"/assessments/{aid}")
    assert world.query(lambda s: s.get(Assessment, aid).status) == "in_progress"
    assert f"/assessments/{aid}/reopen" not in client.get(f"/assessments/{aid}").get_data(
        as_text=True)
    assert device.post(f"/s/{token}/answers/{Q1}", json={"value": 3}).status_code == 200
    assert device.get(f"/s/{token}").status_code == 200


# --- revoke, a new link, the last day ----------------------------------------------------


def test_a_revoked_link_stops_working_and_the_answers_stay(shared, app: Flask) -> None:
    client, world, aid, token = shared
    device = executive(app, token)
    device.post(f"/s/{token}/answers/{Q1}", json={"value": 2})
    assert location(client.post(f"/assessments/{aid}/share/revoke")).endswith(
        f"/assessments/{aid}")
    assert token_of(world, aid) is None
    assert device.get(f"/s/{token}").status_code == 404
    assert device.post(f"/s/{token}/answers/{Q1}", json={"value": 5}).status_code == 404
    assert device.get(f"/s/{token}/results").status_code == 404
    assert [value for _rid, value in answers(world).values()] == ["2"]
    assert len(respondents(world)) == 1
    page = client.get(f"/assessments/{aid}?lang=en").get_data(as_text=True)
    assert "No link works for this assessment" in text_of(page)


def test_a_new_link_replaces_the_old_one_for_the_same_respondent(shared, app: Flask) -> None:
    client, world, aid, old = shared
    device = executive(app, old)
    device.post(f"/s/{old}/answers/{Q1}", json={"value": 2})
    client.post(f"/assessments/{aid}/share/new")
    new = token_of(world, aid)
    assert new
    assert new != old
    assert device.get(f"/s/{old}").status_code == 404
    assert device.post(f"/s/{old}/answers/{Q2}", json={"value": 5}).status_code == 404
    elsewhere = app.test_client()
    assert "Continue where I left off" in elsewhere.get(f"/s/{new}?lang=en").get_data(
        as_text=True)
    assert elsewhere.post(f"/s/{new}/answers/{Q2}", json={"value": 4}).status_code == 200
    ((rid, _kind, _name),) = respondents(world)
    assert answers(world) == {Q1: (rid, "2"), Q2: (rid, "4")}
    assert new in client.get(f"/assessments/{aid}").get_data(as_text=True)


def test_a_link_that_is_gone_names_neither_the_client_nor_the_assessment(
        shared, app: Flask) -> None:
    _client, world, aid, token = shared
    executive(app, token)

    def expire(session: Any) -> None:
        session.get(Assessment, aid).share_expires_at = utcnow() - timedelta(seconds=1)
        session.commit()

    world.query(expire)
    stranger = app.test_client()
    for url in (f"/s/{token}?lang=en", f"/s/{token}/walk/vision?lang=en",
                f"/s/{token}/results?lang=en", f"/s/{token}/report.pdf?lang=en",
                f"/s/{token}/answers/{Q1}?lang=en", "/s/no-such-link?lang=en"):
        response = (stranger.post(url, json={"value": 5}) if "/answers/" in url
                    else stranger.get(url))
        body = response.get_data(as_text=True)
        assert response.status_code == 404, url
        assert CLIENT_NAME not in body, url
        assert TITLE not in body, url
    page = text_of(stranger.get(f"/s/{token}?lang=en").get_data(as_text=True))
    assert "This link does not work" in page
    persian = stranger.get(f"/s/{token}?lang=fa")
    assert persian.status_code == 404
    assert "این پیوند" in persian.get_data(as_text=True)
    assert CLIENT_NAME not in persian.get_data(as_text=True)
    assert answers(world) == {}


def test_a_new_link_works_for_thirty_days_by_default(shared, app: Flask) -> None:
    client, world, aid, _token = shared
    expires = world.query(lambda s: s.get(Assessment, aid).share_expires_at)
    assert expires.date() == utcnow().date() + timedelta(days=30)
    page = text_of(client.get(f"/assessments/{aid}?lang=en").get_data(as_text=True))
    last = expires.date()
    assert f"works until the end of {last.day} " in page
    app.config["SHARE_LINK_DAYS"] = 7
    client.post(f"/assessments/{aid}/share/new")
    assert world.query(lambda s: s.get(Assessment, aid).share_expires_at).date() == \
        utcnow().date() + timedelta(days=7)


def test_the_link_still_works_on_its_last_day(shared, app: Flask) -> None:
    client, world, aid, token = shared
    today = utcnow().date()
    assert client.post(f"/assessments/{aid}/share/last-day?lang=en",
                       data={"last_day": today.isoformat()}).status_code == 302
    assert world.query(lambda s: s.get(Assessment, aid).share_expires_at) == \
        datetime.combine(today, datetime.max.time())
    assert app.test_client().get(f"/s/{token}").status_code == 200


@pytest.mark.parametrize(("lang", "typed", "stored"), [
    ("en", "2031-01-31", date(2031, 1, 31)),
    ("fa", "۱۴۰۹/۱۱/۱۱", date(2031, 1, 31)),
])
def test_the_consultant_sets_the_last_day_in_the_calendar_of_the_page(
        shared, lang: str, typed: str, stored: date) -> None:
    client, world, aid, _token = shared
    response = client.post(f"/assessments/{aid}/share/last-day?lang={lang}",
                           data={"last_day": typed})
    assert location(response).endswith(f"/assessments/{aid}")
    assert world.query(lambda s: s.get(Assessment, aid).share_expires_at).date() == stored
    page = client.get(f"/assessments/{aid}?lang={lang}").get_data(as_text=True)
    assert typed in page  # shown again as the field's value, as it was typed
    assert ("۱۱ بهمن ۱۴۰۹" if lang == "fa" else "31 January 2031") in page


@pytest.mark.parametrize(("lang", "typed", "says"), [
    ("en", "yesterday", "year-month-day"),
    ("fa", "2031-01-31", "هجری شمسی"),  # a Gregorian date typed on a Persian page
    ("en", "2020-01-01", "cannot be in the past"),
    ("en", "", "required"),
])
def test_a_wrong_last_day_is_refused_and_changes_nothing(shared, lang: str, typed: str,
                                                        says: str) -> None:
    client, world, aid, _token = shared
    before = world.query(lambda s: s.get(Assessment, aid).share_expires_at)
    response = client.post(f"/assessments/{aid}/share/last-day?lang={lang}",
                           data={"last_day": typed})
    assert response.status_code == 400
    assert says in text_of(response.get_data(as_text=True))
    assert world.query(lambda s: s.get(Assessment, aid).share_expires_at) == before


def test_the_share_controls_are_the_workspaces_own(shared, app: Flask, world: World) -> None:
    _client, _world, aid, token = shared
    world.user("mallory@example.com")
    other = app.test_client()
    login(other, "mallory@example.com")
    for path in ("share/revoke", "share/new", "reopen"):
        assert other.post(f"/assessments/{aid}/{path}").status_code == 404
    assert other.post(f"/assessments/{aid}/share/last-day",
                      data={"last_day": "2031-01-31"}).status_code == 404
    assert token_of(world, aid) == token


# --- report downloads --------------------------------------------------------------------


def test_the_eleventh_download_in_a_minute_waits(signed_in: Signed, app: Flask,
                                                  world: World) -> None:
    client, _world, user_id = signed_in
    client_id = world.client(user_id)
    aid = world.assessment(client_id)
    downloads = [f"/clients/{client_id}/export.json",
                 f"/assessments/{aid}/export/findings.csv",
                 f"/assessments/{aid}/export/milestones.csv"]
    for n in range(10):  # the kinds of download count together
        assert client.get(downloads[n % 3]).status_code == 200, n
    refused = client.get(f"/assessments/{aid}/export.xlsx?lang=en")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 <= wait <= 60
    said = re.search(r"Too many downloads in a short time\. Wait (\d+) seconds, then try again",
                     text_of(refused.get_data(as_text=True)))
    assert said
    assert abs(int(said.group(1)) - max(1, wait)) <= 1  # as Retry-After says
    persian = client.get(f"/clients/{client_id}/export.json?lang=fa")
    assert persian.status_code == 429
    assert "ثانیه صبر کنید" in persian.get_data(as_text=True)
    # per account: a colleague is not held up, and pages still open
    world.user("colleague@example.com", join="ana@example.com")
    colleague = app.test_client()
    login(colleague, "colleague@example.com")
    assert colleague.get(f"/clients/{client_id}/export.json").status_code == 200
    assert client.get(f"/assessments/{aid}").status_code == 200


def test_report_downloads_through_a_link_are_limited_per_link(shared, app: Flask) -> None:
    client, _world, aid, token = shared
    app.config["REPORT_RATELIMIT_DOWNLOAD"] = "1 per minute"
    device = executive(app, token)
    device.post(f"/s/{token}/answers/{Q1}", json={"value": 3})
    assert device.get(f"/s/{token}/report.pdf?lang=en").status_code == 200
    again = app.test_client().get(f"/s/{token}/report.pdf?lang=en")  # any device: one link
    assert again.status_code == 429
    assert "Retry-After" in again.headers
    # the consultant's own count is another
    assert client.get(f"/clients/{_client_id(app, aid)}/export.json").status_code == 200


def _client_id(app: Flask, aid: int) -> int:
    with app.app_context():
        return db.session.get(Assessment, aid).client_id


def test_looking_at_the_link_adds_nobody(shared, app: Flask) -> None:
    _client, world, _aid, token = shared
    for _ in range(3):
        app.test_client().get(f"/s/{token}")
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(Respondent))) == 0
