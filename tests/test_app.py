"""The web app starts only on a valid catalogue and shows it in both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.app import create_app
from assessment.catalog import USER_DIR_ENV, CatalogError


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Flask:
    monkeypatch.delenv(USER_DIR_ENV, raising=False)
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_home_lists_the_five_models_in_english(client: FlaskClient) -> None:
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    for name in ("Gartner", "Kalakota", "Swift"):
        assert name in page
    assert "Vision" in page


def test_home_in_persian_is_right_to_left_with_persian_digits(client: FlaskClient) -> None:
    response = client.get("/?lang=fa")
    page = response.get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert "چشم‌انداز" in page
    assert "۳۰ پرسش" in page
    assert "lang=fa" in response.headers["Set-Cookie"]
    # the choice is remembered
    again = client.get("/").get_data(as_text=True)
    assert 'dir="rtl"' in again


def test_model_page_shows_mapping_and_checklist(client: FlaskClient) -> None:
    page = client.get("/models/gartner?lang=en").get_data(as_text=True)
    assert "Maps onto:" in page
    assert "Checklist" in page
    assert client.get("/models/nope").status_code == 404


def test_app_refuses_to_start_on_a_broken_catalogue(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (tmp_path / "bad.yaml").write_text("kind: model\nid: bad\n", encoding="utf-8")
    monkeypatch.setenv(USER_DIR_ENV, str(tmp_path))
    with pytest.raises(CatalogError, match=r"bad\.yaml:1: name: required but missing"):
        create_app({"TESTING": True})
