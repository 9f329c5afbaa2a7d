"""The database: SQLite tuned for a web app, migrations from empty to head, demo data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, inspect, select, text

from assessment.extensions import db
from assessment.tables import AgreedAnswer, Answer, Assessment, Client, User, Workshop
from assessment.web import get_catalog


def test_sqlite_connection_is_set_up_for_a_web_app(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as connection:
        pragmas = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                   for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 10000,
                       "synchronous": 1}
    assert Path(app.instance_path, "crm.sqlite3").exists()


def test_writes_begin_immediate_and_reads_do_not(app: Flask, world: Any) -> None:
    user_id = world.user()
    aid = world.assessment(world.client(user_id))
    statements: list[str] = []
    with app.app_context():
        @event.listens_for(db.engine, "before_cursor_execute")
        def _record(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
            if statement.startswith("BEGIN"):
                statements.append(statement)

    client = app.test_client()
    client.post("/login", data={"email": "ana@example.com", "password": "correct-horse"})
    client.get(f"/assessments/{aid}/walk/vision")  # first visit: adds the consultant (a write)
    assert "BEGIN IMMEDIATE" in statements
    statements.clear()
    client.get(f"/assessments/{aid}/walk/vision")
    assert statements
    assert set(statements) == {"BEGIN"}
    statements.clear()
    client.post(f"/assessments/{aid}/answers/exec.vision.01", json={"value": 2})
    assert statements
    assert set(statements) == {"BEGIN IMMEDIATE"}


def test_foreign_keys_are_enforced(app: Flask, world: Any) -> None:
    user_id = world.user()
    client_id = world.client(user_id)
    with app.app_context():
        db.session.execute(text("DELETE FROM workspaces"))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Client)) == 0
        assert db.session.get(User, user_id) is None
    assert client_id


def test_migrations_upgrade_empty_database_to_the_models(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment.app import create_app

    monkeypatch.delenv("DATABASE_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t", "TESTING": True})
    with app.app_context():
        upgrade()
        upgrade()  # running it again is harmless
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"render_as_batch": True})
            differences = compare_metadata(context, db.metadata)
            tables = set(inspect(connection).get_table_names())
        db.engine.dispose()
    assert differences == []
    assert {"workspaces", "users", "clients", "assessments", "respondents", "answers",
            "alembic_version"} <= tables


def test_demo_data_is_created_once(app: Flask) -> None:
    from assessment.demo import DEMO_EMAIL, create_demo

    with app.app_context():
        catalog = get_catalog(app)
        first = create_demo(catalog)
        db.session.commit()
        second = create_demo(catalog)
        db.session.commit()
        statuses = db.session.execute(
            select(Assessment.questionnaire_id, Assessment.status).order_by(Assessment.id)).all()
        answers = db.session.scalar(select(func.count()).select_from(Answer))
        share = db.session.scalar(select(Assessment.share_token).where(
            Assessment.questionnaire_id == "executive"))
        workshops = db.session.execute(
            select(Workshop.assessment_id, Workshop.status, Workshop.named)
            .order_by(Workshop.assessment_id)).all()
        agreed = db.session.scalar(select(func.count()).select_from(AgreedAnswer))
    assert (first.created, second.created, first.email) == (True, False, DEMO_EMAIL)
    assert [tuple(row) for row in statuses] == [("workshop", "complete"),
                                                ("workshop", "in_progress"),
                                                ("executive", "in_progress"),
                                                ("workshop", "complete")]
    # The finished workshop ran anonymously and settled one question; one room is open.
    assert [tuple(row) for row in workshops] == [(1, "closed", False), (2, "open", True)]
    assert agreed == 1
    assert answers > 1000
    assert share
    client = app.test_client()
    client.post("/login", data={"email": first.email, "password": first.password})
    page = client.get("/assessments/1/results?lang=en").get_data(as_text=True)
    assert "Maturity index" in page
    assert "divergent" in page
