"""Nothing of one workspace is reachable from another, by any URL that takes an id."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.tables import Answer, Assessment, Client

from .conftest import World, login

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def owner_data(world: World) -> dict[str, int]:
    owner = world.user("owner@example.com")
    client_id = world.client(owner, name="Secret Client")
    assessment_id = world.assessment(client_id)
    return {"client_id": client_id, "assessment_id": assessment_id}


def routes_with_ids(app: Flask) -> list[tuple[str, str, set[str]]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.arguments & {"client_id", "assessment_id"}:
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                found.append((rule.rule, method, set(rule.arguments)))
    return found


def test_there_are_id_routes_to_check(app: Flask) -> None:
    rules = {rule for rule, _, _ in routes_with_ids(app)}
    assert len(rules) >= 12


def test_other_workspace_gets_404_on_every_id_route(app: Flask, client: FlaskClient,
                                                    world: World) -> None:
    ids = owner_data(world)
    world.user("intruder@example.com")
    login(client, "intruder@example.com")
    before = world.query(lambda s: (
        [(c.name, c.notes) for c in s.scalars(select(Client))],
        [(a.title, a.status, a.targets) for a in s.scalars(select(Assessment))],
        s.scalars(select(Answer.id)).all()))
    checked = 0
    for rule, method, arguments in routes_with_ids(app):
        values = {name: ids[name] for name in arguments if name in ids}
        values.update({"stage": "vision", "question_id": "exec.vision.01"})
        url = rule
        for name, value in values.items():
            url = url.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
        if method == "GET":
            response = client.get(url)
        else:
            response = client.open(url, method=method, data={
                "name": "Hijacked", "title": "Hijacked", "q-exec.vision.01": "5",
                "logo": (io.BytesIO(PNG), "x.png")}, content_type="multipart/form-data")
            json_response = client.open(url, method=method, json={"value": 5})
            assert json_response.status_code == 404, (url, method, "json")
        assert response.status_code == 404, (url, method)
        checked += 1
    assert checked >= 14
    after = world.query(lambda s: (
        [(c.name, c.notes) for c in s.scalars(select(Client))],
        [(a.title, a.status, a.targets) for a in s.scalars(select(Assessment))],
        s.scalars(select(Answer.id)).all()))
    assert after == before
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert "Secret Client" not in dashboard


def test_same_workspace_colleague_can_see_the_client(client: FlaskClient, world: World) -> None:
    ids = owner_data(world)
    world.user("colleague@example.com", join="owner@example.com")
    login(client, "colleague@example.com")
    assert client.get(f"/clients/{ids['client_id']}").status_code == 200
    assert client.get(f"/assessments/{ids['assessment_id']}/results").status_code == 200
