"""Nothing of one workspace is reachable from another, by any address that names a row.

Generated from the URL map (see tests/isolation.py): a new route is checked as soon as it
exists, and a new kind of path argument fails the first test until isolation.py says what
it names and the data set gives it a real row.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.access import OWNER_ENDPOINTS
from assessment.extensions import db

from .conftest import World
from .isolation import (
    ROW_IDS,
    build_workspace,
    changed,
    crossings,
    is_api,
    login,
    names_a_row,
    routes,
    send,
    snapshot,
    unknown_arguments,
)

SECRET_CLIENT = "Secret Client Ltd"
#: (route, method) pairs that name a row, at the time of writing: fewer means the
#: generator lost some
AT_LEAST = 56
#: of which GET, for the control inside the workspace
GETS_AT_LEAST = 29
#: written by any authenticated API request: the intruder's own token's last use
BOOKKEEPING = ("api_tokens.last_used_at",)


@pytest.fixture
def victim(app: Flask) -> dict[str, Any]:
    return build_workspace(app, "owner@example.com", SECRET_CLIENT)


def _api_headers(values: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {values['api_token']}"}


def test_every_path_argument_is_known_and_has_a_value(app: Flask,
                                                      victim: dict[str, Any]) -> None:
    """A route with a new kind of argument fails here until isolation.py describes it and
    build_workspace gives it a value (a real row, for an id)."""
    assert unknown_arguments(app) == set()
    found = {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    assert found - set(victim) == set()


def test_another_workspace_reaches_no_row(app: Flask, client: FlaskClient,
                                          victim: dict[str, Any]) -> None:
    intruder = build_workspace(app, "intruder@example.com", "Intruder Trading")
    login(client, "intruder@example.com")
    with app.app_context():
        before = snapshot(db, ignore=BOOKKEEPING)
    checked: set[tuple[str, str]] = set()
    for route in crossings(app, intruder, victim):
        headers = _api_headers(intruder) if is_api(route.rule) else {}
        for response in send(client, route, victim, headers):
            assert response.status_code == 404, (str(route), response.status_code)
            assert SECRET_CLIENT not in response.get_data(as_text=True), str(route)
        checked.add((route.rule.endpoint, route.method))
    assert len(checked) >= AT_LEAST
    with app.app_context():
        assert changed(before, snapshot(db, ignore=BOOKKEEPING)) == []
    assert SECRET_CLIENT not in client.get("/dashboard").get_data(as_text=True)
    listed = client.get("/api/v1/clients", headers=_api_headers(intruder)).get_json()
    assert [c["name"] for c in listed] == ["Intruder Trading"]


def test_a_colleague_reaches_every_row(app: Flask, client: FlaskClient, world: World,
                                       victim: dict[str, Any]) -> None:
    """The control: inside the workspace every page that names a row finds it, so the
    404s above come from the scope and not from a row missing in the data set."""
    world.user("colleague@example.com", join="owner@example.com")
    login(client, "colleague@example.com")
    pages = [route for route in routes(app, victim, names_a_row) if route.method == "GET"]
    assert len(pages) >= GETS_AT_LEAST
    for route in pages:
        headers = _api_headers(victim) if is_api(route.rule) else {}
        (response,) = send(client, route, victim, headers)
        # a consultant, not the owner: the owner's pages refuse them, and nothing else does
        expected = (403,) if route.rule.endpoint in OWNER_ENDPOINTS else (200, 302)
        assert response.status_code in expected, (str(route), response.status_code)


def test_an_id_too_large_for_the_database_names_no_row(app: Flask, client: FlaskClient,
                                                       victim: dict[str, Any]) -> None:
    """The API's converters refuse such ids before any lookup; the web's lookups answer."""
    login(client, "owner@example.com")
    too_large = {**victim, **dict.fromkeys(ROW_IDS, 2**63)}
    with app.app_context():
        before = snapshot(db)
    web = list(routes(app, too_large, lambda rule: names_a_row(rule) and not is_api(rule)))
    assert web
    for route in web:
        for response in send(client, route, too_large):
            assert response.status_code == 404, (str(route), response.status_code)
    with app.app_context():
        assert changed(before, snapshot(db)) == []
