"""The JSON API under /api/v1: every route, its errors, limits and the tokens command."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from assessment.extensions import db
from assessment.tables import Answer, ApiToken, Assessment, Respondent, User, Workshop, utcnow
from assessment.web import get_catalog

from .conftest import World

Q = "exec.vision.01"


def make_token(world: World, user_id: int, name: str = "test") -> str:
    from assessment.api.auth import issue_token

    def issue(session: Any) -> str:
        _row, secret = issue_token(session.get(User, user_id), name)
        session.commit()
        return secret

    result: str = world.query(issue)
    return result


class Api:
    """A consultant talking to the API with a bearer token."""

    def __init__(self, client: FlaskClient, token: str | None):
        self.client = client
        self.token = token

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **kw: Any) -> TestResponse:
        return self.client.get("/api/v1" + path, headers=self.headers(kw.pop("headers", None)),
                               **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.post("/api/v1" + path, json=json,
                                headers=self.headers(kw.pop("headers", None)), **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> TestResponse:
        return self.client.put("/api/v1" + path, json=json,
                               headers=self.headers(kw.pop("headers", None)), **kw)


@pytest.fixture
def api(client: FlaskClient, world: World) -> Api:
    user_id = world.user()
    return Api(client, make_token(world, user_id))


def error_of(response: TestResponse, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert isinstance(body["error"], str)
    assert isinstance(body["message"], str)
    assert len(body["message"]) > 10
    assert body.get("field") == field, body
    return body


def new_assessment(api: Api, questionnaire: str = "executive") -> int:
    client_id = api.post("/clients", {"name": "Acme Trading"}).get_json()["id"]
    response = api.post("/assessments", {"client_id": client_id, "questionnaire": questionnaire})
    assert response.status_code == 201, response.get_json()
    result: int = response.get_json()["id"]
    return result


def open_room(api: Api, named: bool | None = None) -> tuple[int, str]:
    aid = new_assessment(api)
    response = api.post(f"/assessments/{aid}/workshop",
                        json=None if named is None else {"named": named})
    assert response.status_code == 201, response.get_json()
    return aid, response.get_json()["code"]


def join(client: FlaskClient, code: str, **body: Any) -> str:
    response = client.post(f"/api/v1/workshops/{code}/participants", json=body or None)
    assert response.status_code == 201, response.get_json()
    token: str = response.get_json()["token"]
    return token


def with_workshop(world: World, aid: int, action: Any) -> None:
    def run(session: Any) -> None:
        action(session.scalar(select(Workshop).where(Workshop.assessment_id == aid)))
        session.commit()

    world.query(run)


# --- authentication -------------------------------------------------------------------


def test_consultant_routes_need_a_token(client: FlaskClient, api: Api) -> None:
    aid = new_assessment(api)
    for method, path in (("get", "/clients"), ("post", "/clients"), ("post", "/assessments"),
                         ("get", f"/assessments/{aid}/questions"),
                         ("post", f"/assessments/{aid}/workshop"),
                         ("get", f"/assessments/{aid}/scores")):
        response = getattr(client, method)("/api/v1" + path, json={})
        body = error_of(response, 401)
        assert body["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    basic = client.get("/api/v1/clients", headers={"Authorization": "Basic YTpi"})
    error_of(basic, 401)


def test_unknown_and_revoked_tokens_are_refused(client: FlaskClient, api: Api,
                                                world: World) -> None:
    unknown = Api(client, "not-a-token").get("/clients")
    error_of(unknown, 401)
    assert 'error="invalid_token"' in unknown.headers["WWW-Authenticate"]
    assert api.get("/clients").status_code == 200

    def revoke(session: Any) -> None:
        for token in session.scalars(select(ApiToken)):
            token.revoked_at = utcnow()
        session.commit()

    world.query(revoke)
    revoked = api.get("/clients")
    error_of(revoked, 401)
    assert revoked.headers["WWW-Authenticate"].startswith("Bearer")


def test_last_used_is_written_at_most_once_a_minute(api: Api, world: World) -> None:
    def last_used(session: Any) -> Any:
        return session.scalar(select(ApiToken.last_used_at))

    assert world.query(last_used) is None
    assert api.get("/clients").status_code == 200
    first = world.query(last_used)
    assert first is not None
    assert api.get("/clients").status_code == 200
    assert world.query(last_used) == first

    def age(by: timedelta) -> None:
        def run(session: Any) -> None:
            session.scalar(select(ApiToken)).last_used_at = first - by
            session.commit()

        world.query(run)

    age(timedelta(seconds=30))
    api.get("/clients")
    assert world.query(last_used) == first - timedelta(seconds=30)  # not a minute yet
    age(timedelta(minutes=2))
    api.get("/clients")
    assert world.query(last_used) > first - timedelta(minutes=1)


# --- clients and assessments ----------------------------------------------------------


def test_clients_are_listed_and_created_per_workspace(client: FlaskClient, api: Api,
                                                      world: World) -> None:
    assert api.get("/clients").get_json() == []
    created = api.post("/clients", {"name": "  Acme Trading ", "sector": "Retail",
                                    "country": None})
    assert created.status_code == 201
    body = created.get_json()
    assert body["name"] == "Acme Trading"
    assert body["sector"] == "Retail"
    assert body["country"] == ""
    listed = api.get("/clients").get_json()
    assert [(c["id"], c["name"], c["sector"], c["assessments"]) for c in listed] == [
        (body["id"], "Acme Trading", "Retail", [])]

    other = Api(client, make_token(world, world.user("bo@example.com")))
    assert other.get("/clients").get_json() == []
    colleague = Api(client, make_token(world, world.user("cy@example.com",
                                                         join="ana@example.com")))
    assert [c["id"] for c in colleague.get("/clients").get_json()] == [body["id"]]


@pytest.mark.parametrize(("payload", "field"), [
    ({}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 5}, "name"),
    ({"name": "x" * 201}, "name"),
    ({"name": "Acme", "colour": "red"}, "colour"),
    ({"name": "Acme", "sector": "a\x00b"}, "sector"),
    ({"name": "Acme", "notes": 7}, "notes"),
])
def test_bad_client_bodies_name_the_field(api: Api, payload: dict[str, Any],
                                          field: str) -> None:
    error_of(api.post("/clients", payload), 400, field)
    assert api.get("/clients").get_json() == []


def test_bodies_that_are_not_json_objects_are_refused(api: Api) -> None:
    for data in (b"", b"{not json", b"[1, 2]", b'"Acme"', b'{"name": "\\ud800"}'):
        response = api.post("/clients", data=data, headers={"Content-Type": "application/json"})
        body = error_of(response, 400)
        assert body["error"] == "invalid"


def test_assessments_are_created_for_own_clients_only(client: FlaskClient, api: Api,
                                                      world: World) -> None:
    client_id = api.post("/clients", {"name": "Acme"}).get_json()["id"]
    created = api.post("/assessments", {"client_id": client_id, "questionnaire": "workshop",
                                        "title": "Spring workshop"})
    assert created.status_code == 201
    body = created.get_json()
    assert (body["client_id"], body["title"], body["questionnaire"], body["status"]) == (
        client_id, "Spring workshop", "workshop", "draft")
    untitled = api.post("/assessments", {"client_id": client_id, "questionnaire": "executive"})
    assert untitled.status_code == 201
    assert untitled.get_json()["title"]  # the questionnaire's name
    listed = api.get("/clients").get_json()[0]["assessments"]
    assert [a["id"] for a in listed] == [body["id"], untitled.get_json()["id"]]

    unknown = error_of(api.post("/assessments", {"client_id": client_id,
                                                 "questionnaire": "nope"}), 400, "questionnaire")
    assert set(unknown["choices"]) >= {"executive", "workshop"}
    assert "'executive'" not in unknown["message"]
    assert "executive, workshop" in unknown["message"]

    other = Api(client, make_token(world, world.user("bo@example.com")))
    error_of(other.post("/assessments", {"client_id": client_id,
                                         "questionnaire": "executive"}), 404, "client_id")
    error_of(api.post("/assessments", {"client_id": 999_999, "questionnaire": "executive"}),
             404, "client_id")
    error_of(api.post("/assessments", {"client_id": "1", "questionnaire": "executive"}),
             400, "client_id")
    error_of(api.post("/assessments", {"client_id": 2**64, "questionnaire": "executive"}),
             400, "client_id")
    error_of(api.post("/assessments", {"questionnaire": "executive"}), 400, "client_id")


def test_questions_of_an_assessment(client: FlaskClient, api: Api, world: World) -> None:
    aid = new_assessment(api)
    response = api.get(f"/assessments/{aid}/questions")
    assert response.status_code == 200
    questions = response.get_json()
    catalog = get_catalog(client.application)
    expected = catalog.questionnaires["executive"].questions
    assert [q["id"] for q in questions] == [q.id for q in expected]
    first = questions[0]
    assert first["stage"] == "vision"
    assert set(first["text"]) == {"en", "fa"}
    assert first["weight"] == expected[0].weight
    # what each level means for the question, its scale and the model stages it informs
    for listed, question in zip(questions, expected, strict=True):
        assert listed["levels"] == (None if question.levels is None else {
            str(level): {"en": text.en, "fa": text.fa} for level, text in question.levels.items()})
        assert listed["informs"] == list(question.informs)
        assert all(re.fullmatch(r"[a-z_]+\.[a-z_]+", ref) for ref in listed["informs"])
        assert listed["scale"]["id"] == question.scale
    assert first["levels"]["3"]["en"] == expected[0].levels[3].en
    assert list(first["levels"]) == ["0", "1", "2", "3", "4", "5"]
    maturity = first["scale"]
    assert maturity["id"] == "maturity"
    assert maturity["name"] == {"en": "CRM maturity", "fa": "بلوغ CRM"}
    assert maturity["level_names"]["3"] == {"en": "Defined", "fa": "تعریف‌شده"}
    attitude = next(q for q in questions if q["id"] == "exec.vision.04")
    assert attitude["scale"]["id"] == "extent"
    assert attitude["scale"]["level_names"]["3"] == {"en": "Largely", "fa": "تا حد زیادی"}

    other = Api(client, make_token(world, world.user("bo@example.com")))
    error_of(other.get(f"/assessments/{aid}/questions"), 404, "assessment_id")
    error_of(api.get("/assessments/999999/questions"), 404, "assessment_id")
    error_of(api.get(f"/assessments/{2**70}/questions"), 404)  # beyond any id: no route


# --- workshops and participants -------------------------------------------------------


def test_opening_a_workshop_twice_returns_the_same_code(api: Api, world: World) -> None:
    aid = new_assessment(api)
    first = api.post(f"/assessments/{aid}/workshop", json={"named": True})
    assert first.status_code == 201
    body = first.get_json()
    assert re.fullmatch(r"[A-Z0-9]{6}", body["code"])
    assert body["join_url"] == f"http://crm.test/w/{body['code']}"
    assert (body["status"], body["named"]) == ("open", True)
    again = api.post(f"/assessments/{aid}/workshop")
    assert again.status_code == 200
    assert again.get_json()["code"] == body["code"]
    assert again.get_json()["named"] is True  # left out: unchanged
    assert world.query(lambda s: s.get(Assessment, aid).status) == "in_progress"
    error_of(api.post(f"/assessments/{aid}/workshop", json={"named": "yes"}), 400, "named")


def test_workshop_of_another_workspace_is_not_found(client: FlaskClient, api: Api,
                                                    world: World) -> None:
    aid = new_assessment(api)
    other = Api(client, make_token(world, world.user("bo@example.com")))
    error_of(other.post(f"/assessments/{aid}/workshop"), 404, "assessment_id")
    error_of(other.get(f"/assessments/{aid}/scores"), 404, "assessment_id")
    assert world.query(lambda s: s.scalar(select(func.count(Workshop.id)))) == 0


def test_joining_a_workshop(client: FlaskClient, api: Api, world: World) -> None:
    aid, code = open_room(api)
    token = join(client, code, name="Sara", role="Sales")
    anonymous = join(client, code.lower()[:3] + "-" + code.lower()[3:])
    assert token != anonymous
    people = world.query(lambda s: [(r.kind, r.name, r.role, r.token) for r in s.scalars(
        select(Respondent).where(Respondent.assessment_id == aid).order_by(Respondent.id))])
    assert people == [("participant", "Sara", "sales", token),
                      ("participant", "", "", anonymous)]

    error_of(client.post("/api/v1/workshops/ZZZZZZ/participants", json={}), 404, "code")
    error_of(client.post(f"/api/v1/workshops/{code}/participants", json={"role": "chef"}),
             400, "role")
    error_of(client.post(f"/api/v1/workshops/{code}/participants", json={"name": 3}),
             400, "name")
    from assessment.workshop.operations import close_workshop

    with_workshop(world, aid, close_workshop)
    closed = error_of(client.post(f"/api/v1/workshops/{code}/participants"), 409, "workshop")
    assert closed["error"] == "conflict"


def test_participant_saves_and_reads_answers(client: FlaskClient, api: Api,
                                             world: World) -> None:
    aid, code = open_room(api)
    token = join(client, code)
    url = f"/api/v1/participants/{token}/answers/{Q}"
    saved = client.put(url, json={"value": 3, "comment": "Only sales has seen it"})
    assert saved.status_code == 200
    assert saved.get_json() == {"question_id": Q, "value": 3,
                                "comment": "Only sales has seen it", "revision": 1}
    again = client.put(url, json={"value": 3, "comment": "Only sales has seen it"})
    assert again.get_json() == saved.get_json()  # a retry changes nothing
    rows = world.query(lambda s: [(a.question_id, a.value, a.comment, a.revision)
                                  for a in s.scalars(select(Answer))])
    assert rows == [(Q, "3", "Only sales has seen it", 1)]

    changed = client.put(url, json={"value": "na"})
    assert changed.get_json() == {"question_id": Q, "value": "na",
                                  "comment": "Only sales has seen it", "revision": 2}
    client.put(f"/api/v1/participants/{token}/answers/exec.data.02",
               json={"value": "unknown", "comment": None})
    client.put(f"/api/v1/participants/{token}/answers/exec.vision.02", json={"value": 0})
    listed = client.get(f"/api/v1/participants/{token}/answers")
    assert listed.status_code == 200
    assert listed.get_json() == [
        {"question_id": Q, "value": "na", "comment": "Only sales has seen it", "revision": 2},
        {"question_id": "exec.vision.02", "value": 0, "comment": "", "revision": 1},
        {"question_id": "exec.data.02", "value": "unknown", "comment": "", "revision": 1},
    ]
    cleared = client.put(url, json={"value": None, "comment": ""})
    assert cleared.get_json() == {"question_id": Q, "value": None, "comment": "", "revision": 3}

    questions = client.get(f"/api/v1/participants/{token}/questions")
    assert questions.status_code == 200
    assert Q in [q["id"] for q in questions.get_json()]
    # the same list, levels, scales and evidence included, as the consultant's
    assert questions.get_json() == api.get(f"/assessments/{aid}/questions").get_json()
    assert world.query(lambda s: s.get(Assessment, aid).status) == "in_progress"


@pytest.mark.parametrize("value", ["3", 6, -1, True, 2.5, "maybe", [3], {"v": 3}])
def test_invalid_answers_are_refused(client: FlaskClient, api: Api, world: World,
                                     value: Any) -> None:
    _aid, code = open_room(api)
    token = join(client, code)
    body = error_of(client.put(f"/api/v1/participants/{token}/answers/{Q}",
                               json={"value": value}), 400, "value")
    assert "0-5" in body["message"]
    assert world.query(lambda s: s.scalar(select(func.count(Answer.id)))) == 0


def test_answer_body_errors(client: FlaskClient, api: Api) -> None:
    _aid, code = open_room(api)
    token = join(client, code)
    url = f"/api/v1/participants/{token}/answers/{Q}"
    error_of(client.put(url, json={"comment": "no value"}), 400, "value")
    error_of(client.put(url, json={"value": 3, "comment": "x" * 2001}), 400, "comment")
    error_of(client.put(url, json={"value": 3, "flagged": True}), 400, "flagged")
    error_of(client.put(url, data="value=3"), 400)


def test_answer_messages_follow_the_language(client: FlaskClient, api: Api) -> None:
    _aid, code = open_room(api)
    token = join(client, code)
    response = client.put(f"/api/v1/participants/{token}/answers/{Q}", json={"value": 9},
                          headers={"Accept-Language": "fa"})
    assert re.search("[\u0600-\u06ff]", error_of(response, 400, "value")["message"])


def test_unknown_participant_or_question_is_not_found(client: FlaskClient, api: Api) -> None:
    _aid, code = open_room(api)
    token = join(client, code)
    error_of(client.put(f"/api/v1/participants/nobody/answers/{Q}", json={"value": 3}),
             404, "token")
    error_of(client.get("/api/v1/participants/nobody/answers"), 404, "token")
    error_of(client.get("/api/v1/participants/nobody/questions"), 404, "token")
    error_of(client.put(f"/api/v1/participants/{token}/answers/exec.nope.99",
                        json={"value": 3}), 404, "question_id")


def test_consultant_tokens_are_not_participant_tokens(client: FlaskClient, api: Api,
                                                      world: World) -> None:
    aid, code = open_room(api)
    join(client, code)
    walker = world.query(lambda s: s.scalar(select(Respondent.token).where(
        Respondent.kind == "participant")))
    assert client.get(f"/api/v1/participants/{walker}/answers").status_code == 200

    def add_executive(session: Any) -> str:
        person = Respondent(assessment_id=aid, kind="executive")
        session.add(person)
        session.commit()
        return str(person.token)

    executive = world.query(add_executive)
    error_of(client.get(f"/api/v1/participants/{executive}/answers"), 404, "token")


def test_closed_workshop_and_locked_stage_refuse_answers(client: FlaskClient, api: Api,
                                                         world: World) -> None:
    from assessment.workshop.operations import close_workshop, open_workshop, set_stage_lock

    aid, code = open_room(api)
    token = join(client, code)
    url = f"/api/v1/participants/{token}/answers/{Q}"
    with_workshop(world, aid, lambda w: set_stage_lock(w, "vision", True))
    locked = error_of(client.put(url, json={"value": 2}), 409, "stage")
    assert locked["error"] == "conflict"
    other_stage = client.put(f"/api/v1/participants/{token}/answers/exec.data.02",
                             json={"value": 2})
    assert other_stage.status_code == 200
    with_workshop(world, aid, lambda w: set_stage_lock(w, "vision", False))
    assert client.put(url, json={"value": 2}).status_code == 200
    with_workshop(world, aid, close_workshop)
    error_of(client.put(url, json={"value": 4}), 409, "workshop")
    assert world.query(lambda s: s.scalar(select(Answer.value).where(
        Answer.question_id == Q))) == "2"
    with_workshop(world, aid, lambda w: open_workshop(w.assessment))
    assert client.put(url, json={"value": 4}).status_code == 200


def test_a_removed_participant_token_is_gone(client: FlaskClient, api: Api,
                                             world: World) -> None:
    from assessment.workshop.operations import remove_participant

    aid, code = open_room(api)
    token, other = join(client, code), join(client, code)
    for person, value in ((token, 5), (other, 1)):
        assert client.put(f"/api/v1/participants/{person}/answers/{Q}",
                          json={"value": value}).status_code == 200

    def remove(session: Any) -> None:
        remove_participant(session.scalar(select(Respondent).where(Respondent.token == token)))
        session.commit()

    world.query(remove)
    for response in (client.put(f"/api/v1/participants/{token}/answers/{Q}", json={"value": 2}),
                     client.get(f"/api/v1/participants/{token}/answers"),
                     client.get(f"/api/v1/participants/{token}/questions")):
        body = error_of(response, 410, "respondent")
        assert body["error"] == "gone"
        assert "removed you" in body["message"]
    persian = client.put(f"/api/v1/participants/{token}/answers/{Q}?lang=fa", json={"value": 2})
    assert "حذف" in error_of(persian, 410, "respondent")["message"]
    assert world.query(lambda s: s.scalars(select(Answer.value).order_by(Answer.id)).all()
                       ) == ["5", "1"]
    scores = api.get(f"/assessments/{aid}/scores").get_json()
    assert scores["respondents"] == 1
    assert client.put(f"/api/v1/participants/{other}/answers/{Q}",
                      json={"value": 2}).status_code == 200


def test_scores(client: FlaskClient, api: Api) -> None:
    aid, code = open_room(api)
    for value in (2, 4):
        token = join(client, code)
        assert client.put(f"/api/v1/participants/{token}/answers/{Q}",
                          json={"value": value}).status_code == 200
    response = api.get(f"/assessments/{aid}/scores")
    assert response.status_code == 200
    scores = response.get_json()
    assert scores["questionnaire"] == "executive"
    assert scores["respondents"] == 2
    assert scores["questions"][Q]["mean"] == 3.0
    assert scores["questions"][Q]["distribution"] == [0, 0, 1, 0, 1, 0]
    assert [s["stage"] for s in scores["stages"]] == [
        "vision", "strategy", "process", "data", "technology", "metrics"]
    # rules version 2: the maturity index, and its v1 name beside it
    assert scores["maturity_index"] is not None
    assert scores["readiness_index"] == scores["maturity_index"]
    assert (scores["self_reported"], scores["confidence"]) == (False, "low")
    assert isinstance(scores["further"], list)


def answer_all(client: FlaskClient, token: str, values: dict[str, Any]) -> None:
    for question_id, value in values.items():
        assert client.put(f"/api/v1/participants/{token}/answers/{question_id}",
                          json={"value": value}).status_code == 200


def test_scores_carry_readiness_verdicts_with_reasons_in_the_request_s_language(
        client: FlaskClient, api: Api) -> None:
    catalog = get_catalog(client.application)
    questions = [q.id for q in catalog.questionnaires["executive"].questions]
    aid, code = open_room(api)
    for level in (1, 3):
        answer_all(client, join(client, code), dict.fromkeys(questions, level))
    english = api.get(f"/assessments/{aid}/scores").get_json()
    persian = api.get(f"/assessments/{aid}/scores", headers={"Accept-Language": "fa"}).get_json()
    also_persian = api.get(f"/assessments/{aid}/scores?lang=fa").get_json()
    assert also_persian == persian
    assert [m["model"] for m in english["models"]] == list(catalog.models)
    for en, fa in zip(english["models"], persian["models"], strict=True):
        verdict = en["readiness"]["verdict"]
        assert verdict in ("ready", "conditional", "not_ready")
        assert fa["readiness"]["verdict"] == verdict
        reasons = en["readiness"]["reasons"]
        assert reasons
        for reason, in_persian in zip(reasons, fa["readiness"]["reasons"], strict=True):
            assert {key: value for key, value in reason.items() if key != "text"} == {
                key: value for key, value in in_persian.items() if key != "text"}
            assert re.search(r"[A-Za-z]{3}", reason["text"])
            assert re.search(r"[\u0600-\u06FF]{3}", in_persian["text"])
            assert not re.search(r"[0-9]", in_persian["text"])  # Persian digits
        for stage in en["stages"]:
            assert "maps_to" not in stage
            assert stage["question_ids"]
    # every stage at level 2 against the default target of 3: gates on level 2 pass,
    # but the stages they name are below target, so no model is simply ready
    assert {m["readiness"]["verdict"] for m in english["models"]} == {"conditional"}
    assert english["models"][0]["readiness"]["reasons"][0]["code"] == "below_target"
    assert english["stages"][0]["gap"] == 1.0  # in levels


def test_scores_mark_uncertain_questions_and_self_reported_answers(
        client: FlaskClient, api: Api) -> None:
    aid, code = open_room(api)
    alone = join(client, code)
    answer_all(client, alone, {Q: 3, "exec.vision.02": "na"})
    scores = api.get(f"/assessments/{aid}/scores").get_json()
    assert (scores["confidence"], scores["self_reported"]) == ("self_reported", True)
    assert scores["questions"]["exec.vision.02"]["applicable"] == 0
    assert scores["questions"]["exec.vision.02"]["coverage"] is None
    for _ in range(2):  # two more, who do not know
        answer_all(client, join(client, code), {Q: "unknown"})
    scores = api.get(f"/assessments/{aid}/scores").get_json()
    question = scores["questions"][Q]
    assert (question["value"], question["applicable"], question["uncertain"]) == (3.0, 3, True)
    assert question["unknown_share"] == pytest.approx(2 / 3)
    vision = scores["stages"][0]
    assert vision["uncertain_questions"] == 1
    assert vision["unknown_share"] > 0
    assert scores["self_reported"] is False
    informed = [s for m in scores["models"] for s in m["stages"] if Q in s["question_ids"]]
    assert informed
    assert all(s["uncertain_questions"] >= 1 for s in informed)


# --- general errors -------------------------------------------------------------------


def test_a_body_over_64_kib_is_refused(client: FlaskClient, api: Api) -> None:
    big = {"name": "Acme", "notes": "x" * (65 * 1024)}
    body = error_of(api.post("/clients", big), 413)
    assert body["error"] == "too_large"
    _aid, code = open_room(api)
    token = join(client, code)
    error_of(client.put(f"/api/v1/participants/{token}/answers/{Q}",
                        json={"value": 3, "comment": "y" * (70 * 1024)}), 413)
    assert api.get("/clients").get_json()[0]["notes"] == ""
    # the web app's own limit (2 MiB) still applies elsewhere
    assert client.application.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024


def test_unknown_addresses_and_methods_answer_in_json(client: FlaskClient, api: Api) -> None:
    error_of(api.get("/nothing-here"), 404)
    error_of(client.get("/api/v1"), 404)
    wrong = api.client.delete("/api/v1/clients", headers=api.headers())
    body = error_of(wrong, 405)
    assert body["error"] == "method_not_allowed"
    assert set(wrong.headers["Allow"].split(", ")) >= {"GET", "POST"}
    page = client.get("/no-such-page")
    assert page.status_code == 404
    assert page.mimetype == "text/html"  # outside the API: the web app's own page


def test_server_errors_answer_in_json(app: Flask, api: Api,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment import results

    aid = new_assessment(api)

    def broken(*_args: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(results, "score_assessment", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    body = error_of(api.get(f"/assessments/{aid}/scores"), 500)
    assert body["error"] == "server_error"
    assert "boom" not in body["message"]


def test_the_api_needs_no_csrf_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment.app import create_app

    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "csrf"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": True})
    assert app.config["WTF_CSRF_ENABLED"]
    with app.app_context():
        db.create_all()
    world = World(app)
    api = Api(app.test_client(), make_token(world, world.user()))
    assert api.post("/clients", {"name": "Acme"}).status_code == 201
    with app.app_context():
        db.engine.dispose()


# --- rate limits ----------------------------------------------------------------------


def test_saves_are_limited_per_participant_not_per_address(app: Flask, client: FlaskClient,
                                                           api: Api) -> None:
    _aid, code = open_room(api)
    first, second = join(client, code), join(client, code)
    app.config["API_RATELIMIT_SAVE"] = "2/minute"
    for value in (1, 2):
        assert client.put(f"/api/v1/participants/{first}/answers/{Q}",
                          json={"value": value}).status_code == 200
    limited = client.put(f"/api/v1/participants/{first}/answers/{Q}", json={"value": 3})
    body = error_of(limited, 429)
    assert body["error"] == "rate_limited"
    assert 0 < int(limited.headers["Retry-After"]) <= 60
    # the same address, another participant: their own allowance
    for value in (1, 2):
        assert client.put(f"/api/v1/participants/{second}/answers/{Q}",
                          json={"value": value}).status_code == 200


def test_joining_is_limited_per_workshop_code(app: Flask, client: FlaskClient,
                                              api: Api) -> None:
    _aid, code = open_room(api)
    _other, other_code = open_room(api)
    app.config["API_RATELIMIT_JOIN"] = "2/minute"
    join(client, code)
    join(client, code.lower())
    limited = client.post(f"/api/v1/workshops/{code}/participants")
    error_of(limited, 429)
    assert "Retry-After" in limited.headers
    join(client, other_code)


def test_guessing_codes_is_limited_per_address(app: Flask, client: FlaskClient,
                                               api: Api) -> None:
    _aid, code = open_room(api)
    app.config["API_RATELIMIT_JOIN_MISS"] = "3/minute"
    join(client, code)  # real codes do not count
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        error_of(client.post(f"/api/v1/workshops/{guess}/participants"), 404, "code")
    error_of(client.post("/api/v1/workshops/DDDDDD/participants"), 429)


def test_consultants_are_limited_per_token(app: Flask, client: FlaskClient, api: Api,
                                           world: World) -> None:
    colleague = Api(client, make_token(world, world.user("cy@example.com",
                                                         join="ana@example.com")))
    app.config["API_RATELIMIT_CONSULTANT"] = "2/minute"
    assert api.get("/clients").status_code == 200
    assert api.get("/clients").status_code == 200
    error_of(api.get("/clients"), 429)
    assert colleague.get("/clients").status_code == 200


def test_a_room_behind_one_address_is_never_limited(client: FlaskClient, api: Api) -> None:
    """200 people join in the same minute and answer in a burst, all from one address."""
    _aid, code = open_room(api)
    tokens = [join(client, code) for _ in range(200)]
    questions = ("exec.vision.01", "exec.vision.02", "exec.data.02")
    for question in questions:
        for token in tokens:
            response = client.put(f"/api/v1/participants/{token}/answers/{question}",
                                  json={"value": 3})
            assert response.status_code == 200, response.get_json()


# --- the tokens command ---------------------------------------------------------------


def test_tokens_command_creates_lists_and_revokes(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    from assessment.app import create_app
    from assessment.cli import main

    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    made = runner.invoke(main, ["users", "create", "bo@example.com", "--password-stdin"],
                         input="long-enough-pw\n")
    assert made.exit_code == 0, made.output

    created = runner.invoke(main, ["tokens", "create", "Bo@Example.com", "--name", "laptop"])
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"crm_[A-Za-z0-9_-]{43}", secret)
    assert "not shown again" in created.output
    second = runner.invoke(main, ["tokens", "create", "bo@example.com"]).stdout.strip()

    app = create_app()
    with app.app_context():
        rows = db.session.execute(select(ApiToken.token_hash, ApiToken.prefix, ApiToken.name)
                                  .order_by(ApiToken.id)).all()
    assert rows[0] == (hashlib.sha256(secret.encode()).hexdigest(), secret[:8], "laptop")
    database_bytes = b"".join(p.read_bytes() for p in (tmp_path / "cli-instance").glob("crm*"))
    assert secret.encode() not in database_bytes
    assert second.encode() not in database_bytes

    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/clients", headers=headers).status_code == 200

    listed = runner.invoke(main, ["tokens", "list"])
    assert listed.exit_code == 0, listed.output
    assert secret[:8] in listed.output
    assert "laptop" in listed.output
    assert secret not in listed.output
    assert second not in listed.output
    assert "active" in listed.output
    assert runner.invoke(main, ["tokens", "list", "bo@example.com"]).exit_code == 0
    assert runner.invoke(main, ["tokens", "list", "nobody@example.com"]).exit_code != 0
    assert runner.invoke(main, ["tokens", "create", "nobody@example.com"]).exit_code != 0

    assert all(token.startswith("crm_") for token in (secret, second))
    revoked = runner.invoke(main, ["tokens", "revoke", secret[:8]])
    assert revoked.exit_code == 0, revoked.output
    assert "Revoked token 1" in revoked.output
    refused = client.get("/api/v1/clients", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in runner.invoke(main, ["tokens", "list"]).output
    assert "already revoked" in runner.invoke(main, ["tokens", "revoke", "1"]).output
    assert runner.invoke(main, ["tokens", "revoke", "nope-nope"]).exit_code != 0
    by_secret = runner.invoke(main, ["tokens", "revoke", second])
    assert "Revoked token 2" in by_secret.output
    assert client.get("/api/v1/clients",
                      headers={"Authorization": f"Bearer {second}"}).status_code == 401
    with app.app_context():
        db.engine.dispose()
