"""Fixtures, and the World builder whose factories make test data through the app's own
operations. Plain helpers (signing in, page and PDF text...) are in helpers.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from assessment.accounts.operations import create_user
from assessment.catalog import Catalog, data_dir, load_catalog, load_files
from assessment.clients.operations import create_assessment, save_client
from assessment.extensions import db
from assessment.rollout.operations import (
    accept_roadmap,
    propose_roadmap,
    save_member,
    save_milestone,
    set_status,
)
from assessment.schema import Question
from assessment.tables import Assessment, Client, Milestone, Respondent, User
from assessment.walk.operations import complete as complete_assessment
from assessment.walk.operations import save_answer
from assessment.web import get_catalog
from assessment.workshop import operations as workshop_ops

from .helpers import login
from .mailsink import MailSink

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




TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
               "SERVER_NAME": "crm.test"}


@contextmanager
def app_in(folder: Path, *, demo: bool = False) -> Iterator[Flask]:
    """A fresh app on a fresh SQLite file in its own instance folder under `folder`, with
    the demo's data when `demo`; for fixtures wider than one test, which cannot use the
    `app` fixture's monkeypatch."""
    from assessment.app import create_app
    from assessment.catalog import USER_DIR_ENV
    from assessment.demo import create_demo
    from assessment.web import get_catalog

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv(USER_DIR_ENV, raising=False)
        patch.delenv("DATABASE_URL", raising=False)
        patch.setenv("CRM_INSTANCE_PATH", str(folder / "instance"))
        app = create_app(dict(TEST_CONFIG))
        with app.app_context():
            db.create_all()
            if demo:
                create_demo(get_catalog(app))
                db.session.commit()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """A fresh app on a fresh SQLite file in its own instance folder."""
    with app_in(tmp_path) as fresh:
        yield fresh


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


#: How respondents answer: one value for every question; one mapping of question id to
#: value per respondent; or a function of (respondent index, question index, question)
#: giving the value, or None to leave that question unanswered.
Answers = str | Sequence[Mapping[str, str]] | Callable[[int, int, Question], str | None]
#: Something about one answer, as a function of (respondent index, question index, question).
PerAnswer = Callable[[int, int, Question], Any]


@dataclass(frozen=True)
class Room:
    """A workshop built by `World.workshop`."""

    assessment_id: int
    workshop_id: int
    code: str
    participant_ids: tuple[int, ...]


@dataclass(frozen=True)
class Plan:
    """A roadmap built by `World.roadmap`; its milestones in the roadmap's order."""

    roadmap_id: int
    milestone_ids: tuple[int, ...]


def _rule(answers: Answers) -> Callable[[int, int, Question], str | None]:
    if isinstance(answers, str):
        return lambda _person, _n, _question: answers
    if callable(answers):
        return answers
    sets = list(answers)
    return lambda person, _n, question: sets[person].get(question.id)


def _answer(catalog: Catalog, people: Sequence[Respondent], questions: Sequence[Question],
            answers: Answers, comments: PerAnswer | None, flags: PerAnswer | None) -> None:
    """Everyone answers through the walk's own `save_answer`."""
    rule = _rule(answers)
    for person_index, person in enumerate(people):
        for n, question in enumerate(questions):
            fields: dict[str, Any] = {}
            value = rule(person_index, n, question)
            if value is not None:
                fields["value"] = value
            if comments is not None and (comment := comments(person_index, n, question)):
                fields["comment"] = comment
            if flags is not None and flags(person_index, n, question):
                fields["flagged"] = True
            if fields:
                save_answer(catalog, person, question.id, **fields)


def _milestone_values(milestone: Milestone) -> dict[str, Any]:
    """A milestone as the values `save_milestone` takes, to change some and keep the rest."""
    return {"title_en": milestone.title_en, "title_fa": milestone.title_fa,
            "stage": milestone.stage, "owner_id": milestone.owner_id,
            "start_on": milestone.start_on, "due_on": milestone.due_on,
            "status": milestone.status, "progress": milestone.progress,
            "notes": milestone.notes, "depends_on": [d.id for d in milestone.depends_on]}


def _ids(ids: int | Iterable[int]) -> list[int]:
    return [ids] if isinstance(ids, int) else list(ids)


class World:
    """Builds accounts, clients, assessments, answers, workshops and roadmaps through the
    app's own operations, each in its own committed transaction; returns ids (never
    detached objects)."""

    def __init__(self, app: Flask):
        self.app = app

    @property
    def catalog(self) -> Catalog:
        return get_catalog(self.app)

    def user(self, email: str = "ana@example.com", password: str = "correct-horse",
             join: str | None = None) -> int:
        with self.app.app_context():
            workspace = None
            if join:
                workspace = db.session.scalar(select(User).where(User.email == join)).workspace
            user = create_user(email, password, name=email.split("@")[0], workspace=workspace)
            db.session.commit()
            return user.id

    def client(self, user_id: int, name: str = "Acme Trading") -> int:
        with self.app.app_context():
            user = db.session.get(User, user_id)
            client = save_client(user.workspace, {"name": name, "sector": "Retail"})
            db.session.commit()
            return client.id

    def assessment(self, client_id: int, questionnaire: str = "mini_or_executive",
                   share: bool = False, title: str = "First look", **kwargs: Any) -> int:
        with self.app.app_context():
            qid = "executive" if questionnaire == "mini_or_executive" else questionnaire
            assessment = create_assessment(self.catalog, db.session.get(Client, client_id),
                                           title=title, questionnaire_id=qid,
                                           share=share, **kwargs)
            db.session.commit()
            return assessment.id

    def answered(self, client_id: int, answers: Answers, *, respondents: int | None = None,
                 questionnaire: str = "executive", kind: str = "participant",
                 comments: PerAnswer | None = None, flags: PerAnswer | None = None,
                 complete: bool = False, completed_at: datetime | None = None,
                 **settings: Any) -> int:
        """A new assessment of the client answered by `respondents` people ("Person 1",
        ...; as many as answer sets when `answers` is a list of them, else one).

        `comments` gives an answer's comment ("" for none), `flags` whether it is flagged
        for review. Completed when `complete` or a `completed_at` is given; `settings`
        (title, targets, model_ids...) go to `create_assessment`.
        """
        if respondents is None:
            respondents = 1 if isinstance(answers, str) or callable(answers) else len(answers)
        assessment_id = self.assessment(client_id, questionnaire=questionnaire, **settings)
        with self.app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            # The app has no operation adding a respondent outside a workshop (the share
            # link and imports make them in place): made here, answered by the walk's own.
            people = [Respondent(assessment=assessment, kind=kind, name=f"Person {n + 1}")
                      for n in range(respondents)]
            db.session.add_all(people)
            db.session.flush()
            questions = self.catalog.questionnaires[questionnaire].questions
            _answer(self.catalog, people, questions, answers, comments, flags)
            if completed_at is not None:
                assessment.completed_at = completed_at
            if complete or completed_at is not None:
                complete_assessment(assessment)
            db.session.commit()
        return assessment_id

    def complete(self, assessment_id: int, at: datetime | None = None) -> None:
        """Complete the assessment, at `at` (default: now)."""
        with self.app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            if at is not None:
                assessment.completed_at = at
            complete_assessment(assessment)
            db.session.commit()

    def workshop(self, assessment_id: int,
                 participants: int | Sequence[str | tuple[str, str]] = 0, *,
                 named: bool = False, answers: Answers | None = None,
                 comments: PerAnswer | None = None, flags: PerAnswer | None = None,
                 locked: Iterable[str] = (),
                 agreed: Mapping[str, str | tuple[str, str]] | None = None,
                 closed: bool = False) -> Room:
        """The assessment's live workshop, opened (`named` or anonymous); `participants`
        join (a number of people without a name, or names, or (name, role) pairs) and
        answer; then the `locked` stages are locked, the room's `agreed` answers (value, or
        (value, note), by question id) recorded, and the workshop closed if `closed`."""
        with self.app.app_context():
            assessment = db.session.get(Assessment, assessment_id)
            room = workshop_ops.open_workshop(assessment, named=named)
            people_given = [""] * participants if isinstance(participants, int) else participants
            people = [workshop_ops.join(room, *((person,) if isinstance(person, str) else person))
                      for person in people_given]
            if answers is not None:
                questions = self.catalog.questionnaires[assessment.questionnaire_id].questions
                _answer(self.catalog, people, questions, answers, comments, flags)
            for stage in locked:
                workshop_ops.set_stage_lock(room, stage, True)
            for question_id, given in (agreed or {}).items():
                value, note = (given, "") if isinstance(given, str) else given
                workshop_ops.record_agreed(self.catalog, assessment, question_id, value, note)
            if closed:
                workshop_ops.close_workshop(room)
            db.session.commit()
            return Room(assessment_id, room.id, room.code, tuple(p.id for p in people))

    def member(self, client_id: int, name: str, role: str = "", email: str = "") -> int:
        """A person of the client's team."""
        with self.app.app_context():
            person = save_member(db.session.get(Client, client_id),
                                 {"name": name, "role": role, "email": email})
            db.session.commit()
            return person.id

    def roadmap(self, assessment_id: int, model: str = "gartner", *, starts_on: date,
                title: str = "", stage_days: int = 30, gaps: int = 10,
                accepted: bool = False, owners: Sequence[int] = ()) -> Plan:
        """The roadmap proposed from the assessment for `model` (accepted if `accepted`);
        `owners` (team member ids) take its milestones in turn."""
        with self.app.app_context():
            proposed = propose_roadmap(self.catalog, db.session.get(Assessment, assessment_id),
                                       model, starts_on=starts_on, title=title,
                                       stage_days=stage_days, gaps=gaps)
            if accepted:
                accept_roadmap(proposed)
            db.session.commit()
            for index, milestone in enumerate(proposed.milestones if owners else ()):
                save_milestone(self.catalog, proposed, {
                    **_milestone_values(milestone), "owner_id": owners[index % len(owners)]},
                    milestone)
            db.session.commit()
            return Plan(proposed.id, tuple(m.id for m in proposed.milestones))

    def move(self, milestone_ids: int | Iterable[int], status: str,
             progress: int | None = None, *, on: date | None = None) -> None:
        """Move milestones on the board, as on the day `on` (default: the app's today)."""
        with self.app.app_context():
            for milestone_id in _ids(milestone_ids):
                set_status(db.session.get(Milestone, milestone_id), status, progress, today=on)
            db.session.commit()

    def edit_milestone(self, milestone_ids: int | Iterable[int], *, on: date | None = None,
                       **changes: Any) -> None:
        """Change some of the milestones' fields through the milestone form's operation
        (`depends_on` and `owner_id` as ids), keeping the others."""
        with self.app.app_context():
            for milestone_id in _ids(milestone_ids):
                milestone = db.session.get(Milestone, milestone_id)
                save_milestone(self.catalog, milestone.roadmap,
                               {**_milestone_values(milestone), **changes}, milestone, today=on)
            db.session.commit()

    def count(self, table: type) -> int:
        """How many rows the table has."""
        return int(self.query(lambda s: s.scalar(select(func.count()).select_from(table))))

    def query(self, fn: Any) -> Any:
        with self.app.app_context():
            return fn(db.session)


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)


#: what `signed_in` gives
Signed = tuple[FlaskClient, World, int]


@pytest.fixture
def signed_in(client: FlaskClient, world: World) -> Signed:
    """A consultant signed in: (client, world, user id)."""
    user_id = world.user()
    login(client)
    return client, world, user_id


@pytest.fixture
def mailbox(app: Flask) -> Iterator[MailSink]:
    """A local SMTP server the app sends its mail to (`SMTP_TLS` none), and what it got."""
    sink = MailSink()
    controller, port = sink.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_TLS="none",
                      SMTP_FROM="crm@example.com")
    try:
        yield sink
    finally:
        controller.stop()
