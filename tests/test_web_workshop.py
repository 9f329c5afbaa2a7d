"""Live workshops in the browser's terms: join by code, answer, lock, close, agree, watch."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.tables import AgreedAnswer, Answer, Assessment, Respondent, Workshop

from .conftest import Signed, World
from .helpers import login, text_of

Q1, Q2 = "ws.vision.01", "ws.vision.02"


@pytest.fixture
def room(signed_in: Signed) -> tuple[FlaskClient, World, int, str]:
    """A signed-in consultant with an open workshop on the 100-question set: (client,
    world, assessment id, code)."""
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id), questionnaire="workshop")
    response = client.post(f"/assessments/{aid}/workshop/open")
    assert response.status_code == 302
    code = world.query(lambda s: s.scalar(select(Workshop.code)))
    return client, world, aid, code


def participant(app: Flask, code: str, name: str = "", role: str = "") -> FlaskClient:
    """A phone: its own cookie jar, joined to the workshop."""
    phone = app.test_client()
    response = phone.post(f"/w/{code}", data={"name": name, "role": role})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert response.headers["Location"].endswith(f"/w/{code}/walk")
    return phone


def save(phone: FlaskClient, code: str, qid: str, value: object) -> tuple[int, dict]:
    response = phone.post(f"/w/{code}/answers/{qid}", json={"value": value})
    return response.status_code, response.get_json()


def live(client: FlaskClient, aid: int, role: str = "") -> dict:
    response = client.get(f"/assessments/{aid}/workshop/live" + (f"?role={role}" if role else ""),
                          headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.get_json()


def test_opening_gives_a_short_code_a_link_and_a_qr_code(room, app: Flask) -> None:
    client, _world, aid, code = room
    assert re.fullmatch(r"[A-HJKMNP-Z2-9]{6}", code)
    page = client.get(f"/assessments/{aid}/workshop").get_data(as_text=True)
    assert code in page
    assert f"http://crm.test/w/{code}" in page
    qr = client.get(f"/assessments/{aid}/workshop/qr.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert qr.get_data(as_text=True).lstrip().startswith("<svg")
    projector = client.get(f"/assessments/{aid}/workshop/present").get_data(as_text=True)
    assert code in projector
    assert "qr.svg" in projector
    # Opening again keeps the same code.
    client.post(f"/assessments/{aid}/workshop/open")
    assert code in client.get(f"/assessments/{aid}/workshop").get_data(as_text=True)


def test_a_participant_types_the_code_in_any_case_and_joins(room, app: Flask) -> None:
    _client, world, _aid, code = room
    phone = app.test_client()
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    response = phone.post("/w", data={"code": typed})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{code}")
    wrong = phone.post("/w", data={"code": "ZZZZZZ"})
    assert wrong.status_code == 400
    assert "no workshop with the code" in text_of(wrong.get_data(as_text=True))
    joined = phone.post(f"/w/{code}", data={"name": "Sara", "role": "sales"})
    assert joined.status_code == 302
    stage = phone.get(f"/w/{code}/walk/vision")
    assert stage.status_code == 200
    assert Q1 in stage.get_data(as_text=True)
    people = world.query(lambda s: [(r.kind, r.name, r.role)
                                    for r in s.scalars(select(Respondent))])
    assert people == [("participant", "Sara", "sales")]


def test_a_bad_role_or_a_closed_room_adds_nobody(room, app: Flask) -> None:
    client, world, aid, code = room
    phone = app.test_client()
    bad = phone.post(f"/w/{code}", data={"role": "astronaut"})
    assert bad.status_code == 400
    assert "Choose a role" in text_of(bad.get_data(as_text=True))
    client.post(f"/assessments/{aid}/workshop/close")
    closed = phone.post(f"/w/{code}", data={"name": "Late"})
    assert closed.status_code == 409
    assert world.count(Respondent) == 0


def test_answers_are_acknowledged_after_commit_and_a_retry_is_harmless(room, app: Flask) -> None:
    client, world, aid, code = room
    phone = participant(app, code, role="it")
    status, body = save(phone, code, Q1, 3)
    assert status == 200
    assert body["saved"]
    assert body["revision"] == 1
    # The same answer sent again (its acknowledgement was lost): same stored answer.
    again = phone.post(f"/w/{code}/answers/{Q1}", json={"value": 3, "base_revision": 0})
    assert again.status_code == 200
    assert again.get_json()["revision"] == 1
    assert world.query(lambda s: s.execute(select(Answer.value, Answer.revision)).all()) == [
        ("3", 1)]
    snapshot = live(client, aid)
    assert snapshot["joined"] == 1
    assert snapshot["answers"] == 1
    q1 = next(q for q in snapshot["questions"] if q["id"] == Q1)
    assert q1["counts"]["3"] == 1


def test_a_locked_stage_refuses_answers_with_a_clear_message(room, app: Flask) -> None:
    client, world, aid, code = room
    phone = participant(app, code)
    response = client.post(f"/assessments/{aid}/workshop/stages/vision", data={"locked": "1"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.get_json()["locked"] == ["vision"]
    status, body = save(phone, code, Q1, 4)
    assert status == 409
    assert "locked this stage" in body["message"]
    page = phone.get(f"/w/{code}/walk/vision").get_data(as_text=True)
    assert 'data-testid="locked"' in page
    assert "disabled" in page
    # Other stages still take answers; the consultant's own walk is never locked.
    assert save(phone, code, "ws.strategy.01", 2)[0] == 200
    assert client.post(f"/assessments/{aid}/answers/{Q1}", json={"value": 1}).status_code == 200
    client.post(f"/assessments/{aid}/workshop/stages/vision", data={"locked": "0"})
    assert save(phone, code, Q1, 4)[0] == 200
    assert world.count(Answer) == 3


def test_a_closed_workshop_keeps_answers_and_refuses_changes(room, app: Flask) -> None:
    client, world, aid, code = room
    phone = participant(app, code)
    save(phone, code, Q1, 2)
    client.post(f"/assessments/{aid}/workshop/close")
    status, body = save(phone, code, Q1, 5)
    assert status == 409
    assert "closed" in body["message"]
    assert world.query(lambda s: s.scalar(select(Answer.value))) == "2"
    assert 'data-testid="closed"' in phone.get(f"/w/{code}/walk/vision").get_data(as_text=True)
    client.post(f"/assessments/{aid}/workshop/open")
    assert save(phone, code, Q1, 5)[0] == 200


def test_divergence_agreed_answers_and_scores(room, app: Flask) -> None:
    client, world, aid, code = room
    low, high = participant(app, code, role="sales"), participant(app, code, role="it")
    save(low, code, Q1, 0)
    save(high, code, Q1, 5)
    save(low, code, Q2, 3)
    save(high, code, Q2, 3)
    snapshot = live(client, aid)
    assert snapshot["divergent"] == [Q1]
    assert live(client, aid, role="sales")["shown"] == 1
    sales_q1 = next(q for q in live(client, aid, role="sales")["questions"] if q["id"] == Q1)
    assert sales_q1["counts"]["0"] == 1
    assert sales_q1["counts"]["5"] == 0

    html = client.get(f"/assessments/{aid}/workshop/live").get_data(as_text=True)
    assert f'data-qid="{Q1}"' in html
    assert f'data-qid="{Q2}"' not in html

    bad = client.post(f"/assessments/{aid}/workshop/agreed/{Q1}", data={"value": "9"},
                      headers={"Accept": "application/json"})
    assert bad.status_code == 400
    assert world.count(AgreedAnswer) == 0
    ok = client.post(f"/assessments/{aid}/workshop/agreed/{Q1}",
                     data={"value": "4", "note": "After the sales demo"},
                     headers={"Accept": "application/json"})
    assert ok.status_code == 200
    assert world.query(lambda s: s.execute(select(AgreedAnswer.value, AgreedAnswer.note)).all()
                       ) == [("4", "After the sales demo")]
    # Individual answers stay; scoring uses the agreed level for that question.
    assert world.count(Answer) == 4

    def scored(session):
        from assessment.results import score_assessment
        from assessment.web import get_catalog

        assessment = session.get(Assessment, aid)
        return score_assessment(get_catalog(app), assessment).questions[Q1]

    q1 = world.query(scored)
    assert q1.agreed == 4
    assert q1.value == 4.0
    assert q1.mean == 2.5
    assert q1.divergent
    results = text_of(client.get(f"/assessments/{aid}/results").get_data(as_text=True))
    assert "Agreed by the room: 4" in results
    cleared = client.post(f"/assessments/{aid}/workshop/agreed/{Q1}", data={"value": ""},
                          headers={"Accept": "application/json"})
    assert cleared.status_code == 200
    assert world.count(AgreedAnswer) == 0


@pytest.mark.parametrize("named", [False, True])
def test_names_are_shown_only_in_a_named_workshop(signed_in: Signed, app: Flask,
                                                  named: bool) -> None:
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id), questionnaire="workshop")
    client.post(f"/assessments/{aid}/workshop/open", data={"named": "1"} if named else {})
    code = world.query(lambda s: s.scalar(select(Workshop.code)))
    join_page = app.test_client().get(f"/w/{code}").get_data(as_text=True)
    assert ("will see your name" in join_page) is named
    participant(app, code, name="Roxana Tehrani", role="service")
    for url in (f"/assessments/{aid}/workshop", f"/assessments/{aid}"):
        page = client.get(url).get_data(as_text=True)
        assert ("Roxana Tehrani" in page) is named
        assert "Participant 1" in page or named


def test_resume_link_continues_on_another_device(room, app: Flask) -> None:
    client, world, aid, code = room
    phone = participant(app, code, name="Ali")
    save(phone, code, Q1, 2)
    rid = world.query(lambda s: s.scalar(select(Respondent.id)))
    client.post(f"/assessments/{aid}/workshop/participants/{rid}/link")
    page = client.get(f"/assessments/{aid}/workshop").get_data(as_text=True)
    link = re.search(r'id="resume-url" readonly dir="ltr" value="([^"]+)"', page).group(1)
    laptop = app.test_client()
    response = laptop.get(link.replace("http://crm.test", ""))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/w/{code}/walk")
    assert save(laptop, code, Q2, 4)[0] == 200
    assert world.count(Respondent) == 1  # the same participant, not a new one
    # Coming back on the first phone resumes too (no second join).
    assert phone.get(f"/w/{code}").status_code == 200
    assert phone.post(f"/w/{code}", data={}).headers["Location"].endswith(f"/w/{code}/walk")
    assert world.count(Respondent) == 1


def test_a_participant_finishing_does_not_finish_the_assessment(room, app: Flask) -> None:
    _client, world, aid, code = room
    phone = participant(app, code)
    response = phone.post(f"/w/{code}/complete")
    assert response.headers["Location"].endswith(f"/w/{code}/done")
    assert "your answers are in" in phone.get(f"/w/{code}/done").get_data(as_text=True)
    assert world.query(lambda s: s.get(Assessment, aid).status) != "complete"


def test_without_joining_the_walk_sends_people_to_the_join_page(room, app: Flask) -> None:
    _client, _world, _aid, code = room
    stranger = app.test_client()
    response = stranger.get(f"/w/{code}/walk/vision")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{code}")
    assert stranger.post(f"/w/{code}/answers/{Q1}", json={"value": 1}).status_code == 302
    assert app.test_client().get("/w/NOPE42").status_code == 404


def test_facilitator_routes_are_private_to_the_workspace(room, app: Flask) -> None:
    _client, world, aid, code = room
    world.user("bo@example.com", "other-password")
    other = app.test_client()
    login(other, "bo@example.com", "other-password")
    phone = participant(app, code)
    save(phone, code, Q1, 1)
    rid = world.query(lambda s: s.scalar(select(Respondent.id)))
    for method, url in [
        ("get", f"/assessments/{aid}/workshop"), ("get", f"/assessments/{aid}/workshop/live"),
        ("get", f"/assessments/{aid}/workshop/qr.svg"),
        ("get", f"/assessments/{aid}/workshop/present"),
        ("post", f"/assessments/{aid}/workshop/open"),
        ("post", f"/assessments/{aid}/workshop/close"),
        ("post", f"/assessments/{aid}/workshop/stages/vision"),
        ("post", f"/assessments/{aid}/workshop/agreed/{Q1}"),
        ("post", f"/assessments/{aid}/workshop/participants/{rid}/link"),
    ]:
        assert getattr(other, method)(url, data={"locked": "1", "value": "3"}).status_code == 404
    assert world.query(lambda s: s.scalar(select(Workshop.status))) == "open"
    assert world.query(lambda s: s.scalar(select(Workshop.locked_stages))) == []
    assert world.count(AgreedAnswer) == 0


def test_save_limits_count_per_participant_not_per_room(app: Flask, world: World) -> None:
    app.config["WORKSHOP_RATELIMIT_SAVE"] = "2 per minute"
    user_id = world.user()
    aid = world.assessment(world.client(user_id), questionnaire="workshop")
    code = world.workshop(aid).code
    first, second = participant(app, code), participant(app, code)  # same IP
    assert save(first, code, Q1, 1)[0] == 200
    assert save(first, code, Q2, 1)[0] == 200
    assert save(second, code, Q1, 2)[0] == 200
    assert save(second, code, Q2, 2)[0] == 200
    limited = first.post(f"/w/{code}/answers/ws.vision.03", json={"value": 1})
    assert limited.status_code == 429
    assert world.count(Answer) == 4


def test_an_expired_token_on_a_participants_stage_form_keeps_the_answers(room,
                                                                         app: Flask) -> None:
    """A phone left on a stage past its token's life gets the stage back with its answers,
    and nothing saved; the room's other pages keep the app's own expired-token page."""
    _client, world, _aid, code = room
    phone = participant(app, code)
    app.config["WTF_CSRF_ENABLED"] = True
    form = {"csrf_token": "stale", f"q-{Q1}": "4", f"c-{Q1}": "Agreed at the offsite"}
    response = phone.post(f"/w/{code}/walk/vision?lang=en", data=form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "not saved yet" in page
    assert "Agreed at the offsite" in page
    assert world.count(Answer) == 0
    complete = phone.post(f"/w/{code}/complete?lang=en", data={"csrf_token": "stale"})
    assert complete.status_code == 400
    assert "session had expired" in complete.get_data(as_text=True)
