"""Every `next` the app follows stays on this site, and a bad one never costs a write."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.tables import TeamMember
from assessment.web import is_safe_next

from .conftest import World
from .helpers import login

#: Each is refused: another host once a browser (or `urlsplit`) has dropped the tab or
#: read the backslash as a slash, a scheme, or a line break that would split the header.
HOSTILE = ["/\t/evil.example", "/\\evil.example", "\\\\evil.example", "//evil.example",
           "https://evil.example/", "/a\r\nSet-Cookie: x=1", "/a\nX", "/a\x7f", "javascript:x"]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_are_refused(target: str) -> None:
    assert not is_safe_next(target)


@pytest.mark.parametrize("target", ["/", "/models", "/clients/1/team?tab=2#x", "/a/b%20c"])
def test_same_site_paths_are_followed(target: str) -> None:
    assert is_safe_next(target)


def _location(response: object) -> str:
    return str(response.headers["Location"])  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", HOSTILE)
def test_team_page_falls_back_and_still_adds_the_member(
        client: FlaskClient, world: World, target: str) -> None:
    world.client(world.user())
    login(client)
    response = client.post(f"/clients/1/team?next={quote(target, safe='')}",
                           data={"name": "Sara Ahmadi", "role": "Sales"})
    assert response.status_code == 302
    assert _location(response).endswith("/clients/1/team")
    assert world.query(lambda s: s.scalar(select(func.count()).select_from(TeamMember))) == 1


def test_team_page_follows_a_same_site_next(client: FlaskClient, world: World) -> None:
    world.client(world.user())
    login(client)
    response = client.post("/clients/1/team?next=/dashboard", data={"name": "Reza"})
    assert _location(response).endswith("/dashboard")


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_and_sign_in_fall_back(
        client: FlaskClient, world: World, target: str) -> None:
    switched = client.get(f"/language/fa?next={quote(target, safe='')}")
    assert switched.status_code == 302
    assert "evil" not in _location(switched)
    assert "\n" not in _location(switched)
    world.user()
    signed = client.post("/login", data={"email": "ana@example.com",
                                          "password": "correct-horse", "next": target})
    assert signed.status_code == 302
    assert _location(signed).endswith("/dashboard")
