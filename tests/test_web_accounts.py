"""Signing in and out, safe redirects, CSRF, and the users command."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.tables import User

from .conftest import World
from .helpers import login


def test_sign_in_and_out(client: FlaskClient, world: World) -> None:
    world.user()
    assert client.get("/dashboard").status_code == 302
    login(client)
    assert "Clients" in client.get("/dashboard").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # signing out is a POST
    assert client.post("/logout").status_code == 302
    assert client.get("/dashboard").status_code == 302


def test_wrong_password_is_refused_without_saying_which_part(client: FlaskClient,
                                                             world: World) -> None:
    world.user()
    page = client.post("/login", data={"email": "ana@example.com", "password": "nope"})
    assert page.status_code == 200
    assert "do not match an account" in page.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(("target", "followed"), [
    ("/clients/new", True),
    ("https://evil.example/", False),
    ("//evil.example/", False),
    ("/\\evil.example", False),
    ("javascript:alert(1)", False),
])
def test_next_redirect_only_stays_on_site(client: FlaskClient, world: World, target: str,
                                          followed: bool) -> None:
    world.user()
    response = client.post("/login", data={"email": "ana@example.com",
                                            "password": "correct-horse", "next": target})
    location = response.headers["Location"]
    assert (location == target) is followed
    if not followed:
        assert location.endswith("/dashboard")


def test_protected_page_sends_to_sign_in_with_next(client: FlaskClient) -> None:
    response = client.get("/clients/new")
    assert response.status_code == 302
    assert "/login?next=/clients/new" in response.headers["Location"]


def test_autosave_when_signed_out_gets_json_401(client: FlaskClient) -> None:
    response = client.post("/assessments/1/answers/exec.vision.01", json={"value": 3},
                           headers={"Accept": "application/json"})
    assert response.status_code == 401
    assert response.get_json()["error"] == "login"


def test_forms_need_a_csrf_token(app: Flask, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    world.user()
    client = app.test_client()
    response = client.post("/login", data={"email": "ana@example.com",
                                            "password": "correct-horse"})
    assert response.status_code == 400
    assert "session had expired" in response.get_data(as_text=True)


def test_users_create_from_the_command_line(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    from assessment.cli import main

    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "cli-instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    result = runner.invoke(main, ["users", "create", "Bo@Example.com", "--name", "Bo",
                                  "--password-stdin"], input="long-enough-pw\n")
    assert result.exit_code == 0, result.output
    assert "Created bo@example.com" in result.output
    again = runner.invoke(main, ["users", "create", "bo@example.com", "--password-stdin"],
                          input="long-enough-pw\n")
    assert again.exit_code != 0
    assert "already exists" in again.output
    short = runner.invoke(main, ["users", "create", "cy@example.com", "--password-stdin"],
                          input="short\n")
    assert "at least 8 characters" in short.output
    from assessment.app import create_app
    from assessment.extensions import db

    fresh = create_app()
    with fresh.app_context():
        emails = db.session.scalars(select(User.email)).all()
    assert emails == ["bo@example.com"]


@pytest.mark.parametrize("remember", [True, False])
def test_keep_me_signed_in_decides_whether_the_session_outlives_the_browser(
    client: FlaskClient, world: World, remember: bool
) -> None:
    world.user()
    data = {"email": "ana@example.com", "password": "correct-horse"}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert ("Expires=" in session_cookie) is remember
    assert any(c.startswith("remember_token=") for c in cookies) is remember
