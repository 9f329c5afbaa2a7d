"""Live workshops in the browser's terms: join by code, answer, lock, close, agree, watch."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.tables import AgreedAnswer, Answer, Assessment, Respondent, Workshop
from assessment.web import get_catalog

from .conftest import Signed, World
from .helpers import LevelChoice, chunk, level_choices, login, persian_digits, text_of

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
    # The same answer as to a code that does not exist (see test_closed_and_unknown_...).
    assert closed.status_code == 404
    assert "no workshop with the code" in text_of(closed.get_data(as_text=True))
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


@pytest.mark.parametrize(("lang", "largely"), [("en", "Largely"), ("fa", "تا حد زیادی")])
def test_a_participants_phone_page_says_what_each_level_means(room, app: Flask,
                                                              lang: str, largely: str) -> None:
    """The page a participant answers on shows, for every question, each level's name on
    the question's scale and the question's own description of it."""
    _client, _world, _aid, code = room
    phone = participant(app, code, role="sales")
    page = phone.get(f"/w/{code}/walk/vision?lang={lang}").get_data(as_text=True)
    catalog = get_catalog(app)
    number = persian_digits if lang == "fa" else str
    questions = [q for q in catalog.questionnaires["workshop"].questions if q.stage == "vision"]
    for question in questions:
        assert question.levels is not None
        scale = catalog.scale_of(question)
        assert level_choices(page, question.id) == [LevelChoice(
            str(level), f"{number(level)} {scale.level(level).name.get(lang)}",
            " ".join(question.levels[level].get(lang).split())) for level in range(6)]
    # an attitude question, on the extent scale
    assert level_choices(page, "ws.vision.11")[3].name == f"{number(3)} {largely}"


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
    # The facilitator reads what each level means for the question the room discusses.
    question = world.catalog.questionnaires["workshop"].question(Q1)
    levels = chunk(html, f'data-testid="levels-{Q1}"', "</details>")
    assert all(question.levels[n].en in unescape(levels) for n in range(6))
    persian = client.get(f"/assessments/{aid}/workshop/live?lang=fa").get_data(as_text=True)
    levels = chunk(persian, f'data-testid="levels-{Q1}"', "</details>")
    assert all(question.levels[n].fa in unescape(levels) for n in range(6))
    assert "۵" in levels
    client.get(f"/assessments/{aid}/workshop/live?lang=en")  # the language sticks: back

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


# --- guessing codes -------------------------------------------------------------------


def _wrong_code_pages(phone: FlaskClient) -> list[int]:
    """One wrong code on each web route that takes one from a stranger."""
    return [phone.get("/w/AAAAAA").status_code,
            phone.post("/w", data={"code": "BBBBBB"}).status_code,
            phone.post("/w/CCCCCC", data={"name": "Guess"}).status_code,
            phone.get("/p/not-a-real-token").status_code]


def test_guessing_codes_on_the_web_is_limited_per_address(room, app: Flask) -> None:
    _client, _world, _aid, code = room
    app.config["API_RATELIMIT_JOIN_MISS"] = "4/minute"
    guesser = app.test_client()
    # A stranger on a walk page is sent to the join page whether the code exists or not,
    # and that costs nothing: the join page is where wrong codes count.
    for guess in ("DDDDDD", code):
        walk = guesser.get(f"/w/{guess}/walk/vision")
        assert walk.status_code == 302
        assert walk.headers["Location"].endswith(f"/w/{guess}")
    assert _wrong_code_pages(guesser) == [404, 400, 404, 404]
    refused = guesser.get("/w/EEEEEE")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert "Too many workshop codes that do not exist" in text_of(refused.get_data(as_text=True))
    persian = guesser.post("/w?lang=fa", data={"code": "FFFFFF"})
    assert persian.status_code == 429
    assert "ثانیه صبر کنید" in text_of(persian.get_data(as_text=True))
    assert "Too many" not in persian.get_data(as_text=True)
    # Once over the budget a right code is refused too: were it let through, the refusal
    # itself would tell which codes exist.
    assert guesser.get(f"/w/{code}").status_code == 429
    # Another address has its own budget.
    other = app.test_client()
    assert other.get(f"/w/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_web_and_api_share_one_budget_of_wrong_codes(room, app: Flask) -> None:
    _client, _world, _aid, _code = room
    app.config["API_RATELIMIT_JOIN_MISS"] = "6/minute"
    guesser = app.test_client()
    assert _wrong_code_pages(guesser) == [404, 400, 404, 404]
    for guess in ("GGGGGG", "HHHHHH"):
        assert guesser.post(f"/api/v1/workshops/{guess}/participants").status_code == 404
    api = guesser.post("/api/v1/workshops/JJJJJJ/participants")
    assert api.status_code == 429
    assert api.get_json()["error"] == "rate_limited"
    assert guesser.get("/w/KKKKKK").status_code == 429


def test_right_codes_never_count(room, app: Flask) -> None:
    _client, world, _aid, code = room
    app.config["API_RATELIMIT_JOIN_MISS"] = "2/minute"
    phone = app.test_client()
    for _ in range(5):
        assert phone.get(f"/w/{code}").status_code == 200
        assert phone.get(f"/w/{code.lower()}").status_code == 302
        assert phone.post("/w", data={"code": code}).status_code == 302
        assert phone.post(f"/w/{code}", data={"as": "new"}).status_code == 302
        assert phone.post(f"/api/v1/workshops/{code}/participants").status_code == 201
    token = world.query(lambda s: s.scalars(select(Respondent.token)).first())
    for _ in range(3):
        assert app.test_client().get(f"/p/{token}").status_code == 302
    assert world.count(Respondent) == 10
    assert phone.get("/w/LLLLLL").status_code == 404
    assert phone.get("/w/MMMMMM").status_code == 404
    assert phone.get("/w/NNNNNN").status_code == 429


def test_a_wrong_code_is_counted_at_once_so_racing_requests_cannot_pass_the_budget(
        app: Flask) -> None:
    """The check before the view lets requests that race each other through together;
    each wrong code is counted when the view finds it wrong, and one too many is refused."""
    from assessment.workshop.guessing import TooManyWrongCodes, missed

    app.config["API_RATELIMIT_JOIN_MISS"] = "2/minute"
    with app.test_request_context("/w/AAAAAA", environ_base={"REMOTE_ADDR": "10.0.0.7"}):
        missed()
        missed()
        with pytest.raises(TooManyWrongCodes):
            missed()
    assert app.test_client().get("/w/BBBBBB", environ_base={"REMOTE_ADDR": "10.0.0.7"}
                                 ).status_code == 429


# --- a closed or unknown code reveals nothing ---------------------------------------------


@pytest.mark.parametrize("language", ["en", "fa"])
def test_closed_and_unknown_codes_get_the_same_plain_page(room, app: Flask,
                                                          language: str) -> None:
    client, world, aid, code = room
    phone = participant(app, code, name="Sara")
    client.post(f"/assessments/{aid}/workshop/close")
    stranger = app.test_client()
    unknown = "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"
    pages = {}
    for label, typed in (("closed", code), ("unknown", unknown)):
        seen = stranger.get(f"/w/{typed}?lang={language}")
        posted = stranger.post(f"/w/{typed}?lang={language}", data={"name": "Late"})
        typed_in = stranger.post(f"/w?lang={language}", data={"code": typed})
        assert (seen.status_code, posted.status_code, typed_in.status_code) == (404, 404, 400)
        pages[label] = [text_of(r.get_data(as_text=True)).replace(typed, "CODE")
                        for r in (seen, posted, typed_in)]
    assert pages["closed"] == pages["unknown"]
    page = pages["closed"][0]
    for secret in ("Acme Trading", "First look", "Sara"):
        assert secret not in page
    if language == "fa":
        assert "کارگاهی" in page
    else:
        assert "no workshop with the code" in page
    assert world.count(Respondent) == 1

    # The participant who comes back sees that it is closed, without names either: on
    # their phone, and through their resume link on another device.
    token = world.query(lambda s: s.scalar(select(Respondent.token)))
    laptop = app.test_client()
    assert laptop.get(f"/p/{token}").status_code == 302
    for device in (phone, laptop):
        for url in (f"/w/{code}", f"/w/{code}/walk", f"/w/{code}/walk/vision",
                    f"/w/{code}/review", f"/w/{code}/done"):
            response = device.get(f"{url}?lang={language}", follow_redirects=True)
            assert response.status_code == 200, url
            html = response.get_data(as_text=True)
            assert 'data-testid="closed"' in html, url
            for secret in ("Acme Trading", "First look"):
                assert secret not in html, url
    assert phone.post(f"/w/{code}/walk/vision", data={f"q-{Q1}": "3"}).status_code == 409
    assert world.count(Answer) == 0


# --- removing a participant -----------------------------------------------------------


def _scores(app: Flask, world: World, aid: int) -> dict:
    from assessment.results import score_assessment

    return world.query(lambda s: score_assessment(app.extensions["catalog"],
                                                  s.get(Assessment, aid)).to_dict())


def _code_of(world: World, aid: int) -> str:
    return world.query(lambda s: s.scalar(select(Workshop.code).where(
        Workshop.assessment_id == aid)))


def test_a_removed_participant_leaves_every_score_and_can_no_longer_answer(
        signed_in: Signed, app: Flask) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    aid = world.assessment(client_id, questionnaire="workshop")
    without = world.assessment(client_id, questionnaire="workshop")
    client.post(f"/assessments/{aid}/workshop/open", data={"named": "1"})
    client.post(f"/assessments/{without}/workshop/open", data={"named": "1"})
    code, other_code = _code_of(world, aid), _code_of(world, without)
    answers = {"Ali": (1, 2, "Works well"), "Bita": (3, 3, ""), "Troll": (5, 0, "Rubbish")}
    phones = {}
    for name, (first, second, comment) in answers.items():
        phones[name] = phone = participant(app, code, name=name, role="sales")
        save(phone, code, Q1, first)
        phone.post(f"/w/{code}/answers/{Q2}", json={"value": second, "comment": comment})
        if name != "Troll":  # the same answers, in an assessment the troll never joined
            twin = participant(app, other_code, name=name, role="sales")
            save(twin, other_code, Q1, first)
            twin.post(f"/w/{other_code}/answers/{Q2}", json={"value": second,
                                                             "comment": comment})
    assert _scores(app, world, aid) != _scores(app, world, without)
    assert live(client, aid)["joined"] == 3

    troll = world.query(lambda s: s.scalar(select(Respondent).where(
        Respondent.assessment_id == aid, Respondent.name == "Troll")))
    page = client.get(f"/assessments/{aid}/workshop").get_data(as_text=True)
    assert f'data-testid="remove-{troll.id}"' in page
    assert 'data-testid="removed"' not in page
    removed = client.post(f"/assessments/{aid}/workshop/participants/{troll.id}/remove")
    assert removed.status_code == 302
    assert "Troll is removed" in text_of(client.get(removed.headers["Location"])
                                         .get_data(as_text=True))

    # The scores are those of the room without them, and so are the live view and exports.
    assert _scores(app, world, aid) == _scores(app, world, without)
    snapshot = live(client, aid)
    assert snapshot["joined"] == 2
    assert snapshot["answers"] == 4
    q1 = next(q for q in snapshot["questions"] if q["id"] == Q1)
    assert q1["counts"]["5"] == 0
    assert snapshot["divergent"] == []
    findings = client.get(f"/assessments/{aid}/export/findings.csv?lang=en").get_data(
        as_text=True)
    assert "Works well" in findings
    assert "Rubbish" not in findings
    assert "2 respondent(s)" in text_of(client.get(f"/assessments/{aid}/results")
                                      .get_data(as_text=True))
    page = client.get(f"/assessments/{aid}/workshop").get_data(as_text=True)
    assert "Removed participants (1)" in text_of(page)
    assert f'data-testid="remove-{troll.id}"' not in page

    # Their rows stay, marked removed.
    kept = world.query(lambda s: s.execute(
        select(Respondent.name, Respondent.removed_at.is_not(None), func.count(Answer.id))
        .join(Answer).where(Respondent.assessment_id == aid).group_by(Respondent.id)
        .order_by(Respondent.id)).all())
    assert kept == [("Ali", False, 2), ("Bita", False, 2), ("Troll", True, 2)]

    # They can no longer save, resume or join again with the same token.
    phone = phones["Troll"]
    status, body = save(phone, code, Q1, 1)
    assert status == 410
    assert "removed you" in body["message"]
    assert phone.post(f"/w/{code}/walk/vision", data={f"q-{Q1}": "1"}).status_code == 410
    for url in (f"/w/{code}/walk/vision", f"/w/{code}", f"/p/{troll.token}"):
        response = phone.get(url)
        assert response.status_code == 410, url
        assert 'data-testid="removed"' in response.get_data(as_text=True)
    assert phone.post(f"/w/{code}", data={"as": "new"}).status_code == 410
    again = app.test_client().get(f"/p/{troll.token}?lang=fa")
    assert again.status_code == 410
    assert "حذف" in text_of(again.get_data(as_text=True))
    api = app.test_client().put(f"/api/v1/participants/{troll.token}/answers/{Q1}",
                                json={"value": 1})
    assert api.status_code == 410
    assert api.get_json()["error"] == "gone"
    assert world.query(lambda s: s.scalar(select(func.count(Respondent.id)).where(
        Respondent.assessment_id == aid))) == 3
    assert _scores(app, world, aid) == _scores(app, world, without)
    # The others carry on.
    assert save(phones["Ali"], code, "ws.vision.03", 2)[0] == 200


def test_removing_needs_the_form_token(room, app: Flask) -> None:
    client, world, aid, code = room
    participant(app, code)
    rid = world.query(lambda s: s.scalar(select(Respondent.id)))
    app.config["WTF_CSRF_ENABLED"] = True
    refused = client.post(f"/assessments/{aid}/workshop/participants/{rid}/remove")
    assert refused.status_code == 400
    assert world.query(lambda s: s.scalar(select(Respondent.removed_at))) is None
