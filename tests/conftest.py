from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from assessment.catalog import Catalog, data_dir, load_catalog, load_files

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped catalogue, as users get it."""
    return load_catalog(include_user_dir=False)


@pytest.fixture(scope="session")
def mini() -> Catalog:
    """Shipped stages and scale plus a tiny model and questionnaire with known numbers."""
    return load_files([
        data_dir("models") / "stages.yaml",
        data_dir("models") / "scale.yaml",
        FIXTURES / "mini" / "model.yaml",
        FIXTURES / "mini" / "questionnaire.yaml",
    ])


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a YAML file into a fresh folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


# --- the web app --------------------------------------------------------------------




@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """A fresh app on a fresh SQLite file in its own instance folder."""
    from assessment.app import create_app
    from assessment.catalog import USER_DIR_ENV
    from assessment.extensions import db

    monkeypatch.delenv(USER_DIR_ENV, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                      "SERVER_NAME": "crm.test"})
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class World:
    """Builds accounts, clients and assessments; returns ids (no detached objects)."""

    def __init__(self, app: Flask):
        self.app = app

    def user(self, email: str = "ana@example.com", password: str = "correct-horse",
             join: str | None = None) -> int:
        from sqlalchemy import select

        from assessment.accounts.operations import create_user
        from assessment.extensions import db
        from assessment.tables import User

        with self.app.app_context():
            workspace = None
            if join:
                workspace = db.session.scalar(select(User).where(User.email == join)).workspace
            user = create_user(email, password, name=email.split("@")[0], workspace=workspace)
            db.session.commit()
            return user.id

    def client(self, user_id: int, name: str = "Acme Trading") -> int:
        from assessment.clients.operations import save_client
        from assessment.extensions import db
        from assessment.tables import User

        with self.app.app_context():
            user = db.session.get(User, user_id)
            client = save_client(user.workspace, {"name": name, "sector": "Retail"})
            db.session.commit()
            return client.id

    def assessment(self, client_id: int, questionnaire: str = "mini_or_executive",
                   share: bool = False, **kwargs: Any) -> int:
        from assessment.clients.operations import create_assessment
        from assessment.extensions import db
        from assessment.tables import Client

        with self.app.app_context():
            catalog = self.app.extensions["catalog"]
            qid = "executive" if questionnaire == "mini_or_executive" else questionnaire
            assessment = create_assessment(catalog, db.session.get(Client, client_id),
                                           title="First look", questionnaire_id=qid,
                                           share=share, **kwargs)
            db.session.commit()
            return assessment.id

    def query(self, fn: Any) -> Any:
        from assessment.extensions import db

        with self.app.app_context():
            return fn(db.session)


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


def login(client: FlaskClient, email: str = "ana@example.com",
          password: str = "correct-horse") -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


@pytest.fixture
def signed_in(client: FlaskClient, world: World) -> tuple[FlaskClient, World, int]:
    """A consultant signed in: (client, world, user id)."""
    user_id = world.user()
    login(client)
    return client, world, user_id


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
