"""Backups of the whole database while the app writes, and restoring them. Real SQLite files."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text, update

from assessment import backup as backups
from assessment.cli import main
from assessment.db import write_intent
from assessment.extensions import db
from assessment.tables import Answer, Client, Respondent
from assessment.web import get_catalog

HEAD, _KNOWN = backups.migration_revisions()


def make_app(instance: Path, **config: Any) -> Flask:
    from assessment.app import create_app

    return create_app({"TESTING": True, "SECRET_KEY": "test", "SERVER_NAME": "crm.test",
                       **config})


@pytest.fixture
def live(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Flask]:
    """The app on a migrated SQLite file (instance/crm.sqlite3, as `crm-maturity` finds it)."""
    from assessment.catalog import USER_DIR_ENV

    monkeypatch.delenv(USER_DIR_ENV, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_app(tmp_path / "instance")
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


def database_path(app: Flask) -> Path:
    return Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))


def seed(app: Flask, respondents: int = 200, name: str = "Acme Trading") -> tuple[int, int]:
    """A client whose assessment many people answered; returns the first two respondents."""
    from assessment.accounts.operations import create_user
    from assessment.clients.operations import create_assessment, save_client
    from assessment.tables import User

    with app.app_context():
        catalog = get_catalog(app)
        user = db.session.scalar(select(User).where(User.email == "ana@example.com"))
        user = user or create_user("ana@example.com", "correct-horse", name="Ana")
        client = save_client(user.workspace, {"name": name, "notes": "x" * 2000})
        assessment = create_assessment(catalog, client, title="Baseline",
                                       questionnaire_id="executive")
        people = [Respondent(assessment=assessment, kind="participant", name=f"P{index}")
                  for index in range(respondents)]
        db.session.add_all(people)
        db.session.flush()
        questions = [q.id for q in catalog.questionnaires["executive"].questions]
        db.session.execute(insert(Answer), [
            {"respondent_id": person.id, "question_id": question, "value": str(index % 6),
             "comment": "0"}
            for person in people for index, question in enumerate(questions)])
        db.session.commit()
        return people[0].id, people[-1].id


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (db.session.scalar(select(func.count()).select_from(Client)),
                db.session.scalar(select(func.count()).select_from(Answer)))


def keep_writing(app: Flask, pair: tuple[int, int], stop: threading.Event,
                 done: list[int]) -> None:
    """Like the app under load: each transaction sets the comment of every answer of two
    people to the same new number, so a consistent copy has one number on all of them."""
    with app.app_context():
        number = 0
        while not stop.is_set():
            number += 1
            db.session.execute(update(Answer).where(Answer.respondent_id.in_(pair))
                               .values(comment=str(number)))
            db.session.commit()
        done.append(number)


def comments_of(path: Path, pair: tuple[int, int]) -> set[str]:
    with closing(sqlite3.connect(path)) as copy:
        return {row[0] for row in copy.execute(
            "SELECT comment FROM answers WHERE respondent_id IN (?, ?)", pair)}


def test_backup_while_the_app_keeps_writing_is_consistent(live: Flask, tmp_path: Path) -> None:
    pair = seed(live)
    stop, done = threading.Event(), []
    writer = threading.Thread(target=keep_writing, args=(live, pair, stop, done))
    writer.start()
    seen: list[int] = []
    try:
        time.sleep(0.2)
        for index in range(5):
            info = backups.backup(live.config["SQLALCHEMY_DATABASE_URI"],
                                  tmp_path / f"backup-{index}.sqlite3")
            assert info.revision == HEAD
            copied = comments_of(info.path, pair)
            assert len(copied) == 1, f"a torn copy: {sorted(copied)[:5]}"  # one moment
            seen.append(int(copied.pop()))
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join()
    assert seen == sorted(seen)
    assert seen[-1] > seen[0]  # the writer went on meanwhile: the backup did not stop it
    assert done[0] >= seen[-1]
    for index in range(5):
        path = tmp_path / f"backup-{index}.sqlite3"
        with closing(sqlite3.connect(path)) as copy:
            assert copy.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        assert not Path(f"{path}-wal").exists()  # one self-contained file
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no leftovers


def test_restore_brings_back_the_data(live: Flask, tmp_path: Path) -> None:
    seed(live, respondents=20)
    saved = tmp_path / "saved.sqlite3"
    backups.backup(live.config["SQLALCHEMY_DATABASE_URI"], saved)
    before = counts(live)
    with live.app_context():
        db.session.execute(text("DELETE FROM clients"))
        db.session.commit()
    seed(live, respondents=3, name="Later Ltd")
    assert counts(live) != before

    info = backups.restore(saved, live.config["SQLALCHEMY_DATABASE_URI"])
    assert (info.revision, info.needs_upgrade) == (HEAD, False)
    assert counts(live) == before  # seen through the app's own (pooled) connections
    with live.app_context():
        assert db.session.scalars(select(Client.name)).all() == ["Acme Trading"]
    with closing(sqlite3.connect(database_path(live))) as check:
        assert check.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]


def test_readers_see_the_old_or_the_new_data_never_a_mix(live: Flask, tmp_path: Path) -> None:
    seed(live, respondents=300)
    saved = tmp_path / "saved.sqlite3"
    backups.backup(live.config["SQLALCHEMY_DATABASE_URI"], saved)
    old = counts(live)
    seed(live, respondents=150, name="Later Ltd")
    new = counts(live)
    pairs: set[tuple[int, int]] = set()
    stop = threading.Event()

    def read() -> None:
        token = write_intent.set(False)  # like a GET request: a read transaction
        try:
            with live.app_context():
                while not stop.is_set():
                    clients = db.session.scalar(select(func.count()).select_from(Client))
                    answers = db.session.scalar(select(func.count()).select_from(Answer))
                    pairs.add((clients, answers))
                    db.session.rollback()
        finally:
            write_intent.reset(token)

    reader = threading.Thread(target=read)
    reader.start()
    try:
        time.sleep(0.1)
        backups.restore(saved, live.config["SQLALCHEMY_DATABASE_URI"])
        time.sleep(0.1)
    finally:
        stop.set()
        reader.join()
    assert pairs == {new, old}


def test_restore_refuses_what_is_not_a_backup_of_this_app(live: Flask, tmp_path: Path) -> None:
    seed(live, respondents=5)
    url = live.config["SQLALCHEMY_DATABASE_URI"]
    before = counts(live)

    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello", encoding="utf-8")
    with pytest.raises(backups.BackupError, match="is not a SQLite database"):
        backups.restore(text_file, url)

    foreign = tmp_path / "foreign.sqlite3"
    with closing(sqlite3.connect(foreign)) as other:
        other.execute("CREATE TABLE songs (title TEXT)")
        other.commit()
    with pytest.raises(backups.BackupError, match="is a SQLite database, but not one of "
                                                   "crm-maturity"):
        backups.restore(foreign, url)

    newer = tmp_path / "newer.sqlite3"
    backups.backup(url, newer)
    with closing(sqlite3.connect(newer)) as future:
        future.execute("UPDATE alembic_version SET version_num = '9999_future'")
        future.commit()
    with pytest.raises(backups.BackupError) as caught:
        backups.restore(newer, url)
    assert str(caught.value) == (
        f"{newer} comes from a newer crm-maturity (database revision 9999_future; this "
        f"version knows up to {HEAD}): upgrade crm-maturity before restoring it")

    damaged = tmp_path / "damaged.sqlite3"
    backups.backup(url, damaged)
    data = bytearray(damaged.read_bytes())
    data[8192:16384] = os.urandom(8192)
    damaged.write_bytes(bytes(data))
    with pytest.raises(backups.BackupError, match=r"damaged|not a readable SQLite database"):
        backups.restore(damaged, url)

    with pytest.raises(backups.BackupError, match="there is no file"):
        backups.restore(tmp_path / "missing.sqlite3", url)
    assert counts(live) == before
    assert damaged.read_bytes() == bytes(data)  # the file given is never changed


def test_backup_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(backups.BackupError, match="there is no database at"):
        backups.backup(f"sqlite:///{tmp_path / 'nothing.sqlite3'}", tmp_path / "b.sqlite3")
    assert not (tmp_path / "nothing.sqlite3").exists()  # not created on the way
    with pytest.raises(backups.BackupError, match="only a SQLite database in a file"):
        backups.backup("sqlite://", tmp_path / "b.sqlite3")


def test_cli_backup_and_restore_with_confirmation(live: Flask, tmp_path: Path) -> None:
    seed(live, respondents=10)
    before = counts(live)
    runner = CliRunner()
    saved = tmp_path / "nightly.sqlite3"
    result = runner.invoke(main, ["backup", "-o", str(saved)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {saved}" in result.stdout
    assert f"revision {HEAD}" in result.stdout

    seed(live, respondents=2, name="Later Ltd")
    changed = counts(live)
    result = runner.invoke(main, ["restore", str(saved)], input="n\n")
    assert result.exit_code == 1
    assert "Replace everything in" in result.stderr
    assert counts(live) == changed

    result = runner.invoke(main, ["restore", str(saved)], input="y\n")
    assert result.exit_code == 0, result.output
    assert counts(live) == before

    result = runner.invoke(main, ["restore", str(tmp_path / "nope.txt"), "--yes"])
    assert result.exit_code == 1
    assert "there is no file" in result.stderr


def test_cli_restore_of_an_older_backup_upgrades_it(live: Flask, tmp_path: Path) -> None:
    old_app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with old_app.app_context():
        upgrade(revision="0002_workshops")
        db.session.execute(text("INSERT INTO workspaces (name, brand_colour, created_at) "
                                "VALUES ('Old times', '#1f6f8b', '2024-01-01 00:00:00')"))
        db.session.commit()
        old_backup = tmp_path / "old-backup.sqlite3"
        info = backups.backup(db.engine, old_backup)
        db.engine.dispose()
    assert info.revision == "0002_workshops"

    result = CliRunner().invoke(main, ["restore", str(old_backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"from revision 0002_workshops up to {HEAD}" in result.stdout
    with closing(sqlite3.connect(database_path(live))) as check:
        assert check.execute("SELECT version_num FROM alembic_version").fetchone() == (HEAD,)
        assert check.execute("SELECT name FROM workspaces").fetchall() == [("Old times",)]
        tables = {row[0] for row in check.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"roadmaps", "milestones", "evidence"} <= tables


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """CRM_TEST_POSTGRES_URL if set, else a throw-away local server from scripts/postgres.sh
    (which installs PostgreSQL when it is missing), stopped and deleted afterwards."""
    given = os.environ.get("CRM_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    import subprocess

    env = {**os.environ, "PGDIR": str(ROOT / "build" / "pg-test")}
    script = str(ROOT / "scripts" / "postgres.sh")
    subprocess.run(["bash", script, "start"], env=env, check=True, capture_output=True)
    try:
        yield subprocess.run(["bash", script, "url"], env=env, check=True,
                             capture_output=True, text=True).stdout.strip()
    finally:
        subprocess.run(["bash", script, "stop"], env=env, check=False, capture_output=True)


@pytest.mark.slow
def test_postgres_backup_and_restore(tmp_path: Path, postgres_url: str) -> None:
    url = postgres_url
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade()
        db.session.execute(text("DELETE FROM workspaces"))  # a database for tests only
        db.session.commit()
    try:
        seed(app, respondents=5, name="Postgres Ltd")
        before = counts(app)
        saved = tmp_path / "pg.dump"
        backups.backup(url, saved)
        seed(app, respondents=1, name="Later Ltd")
        with pytest.raises(backups.BackupError, match="not a PostgreSQL dump"):
            backups.restore(Path(__file__), url)
        info = backups.restore(saved, url)
        assert info.revision == HEAD
        assert counts(app) == before
    finally:
        with app.app_context():
            db.session.execute(text("DELETE FROM workspaces"))
            db.session.commit()
            db.engine.dispose()
