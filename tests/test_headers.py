"""Every response carries the security headers: pages, JSON, PDFs, downloads, errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from .conftest import World
from .helpers import login

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def policy(response: TestResponse) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    parts = (part.strip().split(None, 1) for part in
             response.headers["Content-Security-Policy"].split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def assert_protected(response: TestResponse, frames: str = "'none'") -> None:
    rules = policy(response)
    assert rules["script-src"] == "'self'"
    assert "unsafe" not in rules["script-src"]
    assert "unsafe-eval" not in str(rules)
    assert rules["frame-ancestors"] == frames
    assert response.headers["X-Frame-Options"] == ("DENY" if frames == "'none'"
                                                    else "SAMEORIGIN")
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_every_kind_of_response_is_protected(app: Flask, client: FlaskClient,
                                             world: World) -> None:
    user = world.user()
    aid = world.assessment(world.client(user))
    anonymous = app.test_client()
    for response in (anonymous.get("/models"), anonymous.get("/healthz"),
                     anonymous.get("/static/app.js"), anonymous.get("/nowhere"),
                     anonymous.get("/dashboard"), anonymous.get("/api/v1/clients"),
                     anonymous.get("/api/v1/openapi.json")):
        with response:
            assert_protected(response)
    login(client)
    for path in (f"/assessments/{aid}/results", f"/assessments/{aid}/export/findings.csv",
                 f"/assessments/{aid}/export.xlsx", "/clients/1/export.json"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_protected(response)


@pytest.mark.slow
def test_a_pdf_download_is_protected(client: FlaskClient, world: World) -> None:
    aid = world.assessment(world.client(world.user()))
    login(client)
    response = client.get(f"/assessments/{aid}/report.pdf?lang=en")
    assert response.mimetype == "application/pdf"
    assert_protected(response)


def test_only_the_projector_page_may_be_framed_and_only_by_the_app(
        client: FlaskClient, world: World) -> None:
    aid = world.assessment(world.client(world.user()), questionnaire="workshop")
    login(client)
    client.post(f"/assessments/{aid}/workshop/open")
    assert_protected(client.get(f"/assessments/{aid}/workshop/present"), frames="'self'")
    assert_protected(client.get(f"/assessments/{aid}/workshop"))


def test_a_stricter_policy_of_a_response_is_kept(app: Flask) -> None:
    """An uploaded file or a report's HTML keeps its own policy, with nothing to run."""
    from flask import Response

    from assessment.headers import protect

    with app.test_request_context("/evidence/1/download"):
        own = protect(Response(b"x", headers={
            "Content-Security-Policy": "sandbox; default-src 'none'"}))
        plain = protect(Response(b"x"))
    assert own.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert plain.headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_https_adds_hsts_and_secure_cookies(app: Flask, world: World) -> None:
    world.user()
    secure = app.test_client()
    response = secure.post("/login", base_url="https://crm.test",
                           data={"email": "ana@example.com", "password": "correct-horse"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie")
                          if c.startswith("session="))
    assert "Secure" in session_cookie


def test_forwarded_https_counts_only_behind_a_trusted_proxy(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch,
                                                            app: Flask) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    untrusted = app.test_client().get("/models", headers=forwarded)
    assert "Strict-Transport-Security" not in untrusted.headers

    from assessment.app import create_app

    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "proxied"))
    proxied = create_app({"TESTING": True, "SECRET_KEY": "test", "TRUSTED_PROXIES": 1,
                          "SERVER_NAME": "crm.test"})
    response = proxied.test_client().get("/models", headers=forwarded)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_no_template_has_inline_script_or_event_handlers() -> None:
    inline = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>", text):
            if "src=" not in match.group(1):
                inline.append(f"{template.relative_to(TEMPLATES)}: <script{match.group(1)}>")
        for match in re.finditer(r"\son[a-z]+\s*=", text):
            inline.append(f"{template.relative_to(TEMPLATES)}: {match.group(0).strip()}")
        if "javascript:" in text:
            inline.append(f"{template.relative_to(TEMPLATES)}: javascript: URL")
    assert inline == []
