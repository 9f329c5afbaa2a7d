"""The forms' shared plumbing: one submit helper, one date message, refusals on no field."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, get_flashed_messages, render_template_string
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import StringField
from wtforms.validators import DataRequired

from assessment.clients.operations import save_client
from assessment.errors import FieldError
from assessment.extensions import db
from assessment.tables import Assessment, Client, User
from assessment.web import submit

from .conftest import Signed, World
from .test_web_rollout import _form, _milestones, _propose

ENGLISH = "Write the date as year-month-day, for example 2026-12-15."
PERSIAN = "تاریخ را به‌صورت سال/ماه/روز به تقویم هجری شمسی بنویسید، مثلاً ۱۴۰۵/۰۹/۱۵."
TARGETS = {f"target_{s}": "3" for s in ("vision", "strategy", "process", "data", "technology",
                                         "metrics")}


@pytest.mark.parametrize(("lang", "typed", "message", "other"), [
    ("en", "15/12/2026", ENGLISH, PERSIAN),
    ("fa", "2026-12-15", PERSIAN, ENGLISH),  # a Gregorian date on a Persian page
], ids=["en", "fa"])
def test_a_bad_date_gets_the_same_message_in_every_form(signed_in: Signed, lang: str,
                                                       typed: str, message: str,
                                                       other: str) -> None:
    client, world, user_id = signed_in
    assessment_id = world.answered(world.client(user_id), "1")
    _propose(client, assessment_id)
    milestone = _milestones(world, assessment_id)[0]
    client_id = world.query(lambda s: s.get(Assessment, assessment_id).client_id)

    def stored() -> Any:
        return (world.query(lambda s: [(a.id, a.title, a.due_on)
                                       for a in s.scalars(select(Assessment))]),
                _milestones(world, assessment_id))

    before = stored()
    assessment = {"title": "Baseline", "questionnaire": "executive", "models": ["gartner"],
                  "due_on": typed, **TARGETS}
    forms = {
        f"/clients/{client_id}/assessments/new": assessment,
        f"/assessments/{assessment_id}/edit": assessment,
        f"/assessments/{assessment_id}/roadmap/milestones/new": {
            "title_en": "Train the branches", "stage": milestone["stage"], "start_on": typed,
            "due_on": typed, "status": "not_started", "progress": "0"},
        f"/milestones/{milestone['id']}": _form(milestone, start_on=typed, due_on=typed),
    }
    for url, data in forms.items():
        response = client.post(f"{url}?lang={lang}", data=data)
        assert response.status_code == 400, url
        page = response.get_data(as_text=True)
        assert message in page, url
        assert other not in page, url
    assert stored() == before


class NameForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired()])


def _clients(world: World) -> list[str]:
    return world.query(lambda s: list(s.scalars(select(Client.name).order_by(Client.id))))


@pytest.mark.parametrize("field", ["budget", "data", "errors"])
def test_a_refusal_on_a_field_the_form_lacks_is_a_form_error(app: Flask, world: World,
                                                             field: str) -> None:
    """An operation may judge more than the form asks for; its refusal is still shown, on
    the form (even when the field's name is one of the form's own attributes)."""
    user_id = world.user()
    with app.test_request_context("/clients/new", method="POST", data={"name": "Ghost Ltd"}):
        form = NameForm()

        def create() -> tuple[str, str]:
            save_client(db.session.get_one(User, user_id).workspace, {"name": form.name.data})
            raise FieldError(field, "This client has no budget for a CRM yet.")

        assert submit(form, create) is None
        assert form.form_errors == ["This client has no budget for a CRM yet."]
        assert form.name.errors == []
        assert form.errors  # the page is answered with 400
        shown = render_template_string(
            '{% from "macros/forms.html" import form_errors %}{{ form_errors(form) }}',
            form=form)
        assert "This client has no budget for a CRM yet." in shown
        assert get_flashed_messages() == []
    assert _clients(world) == []


def test_a_refusal_goes_beside_its_field_and_a_success_is_stored(app: Flask,
                                                                 world: World) -> None:
    user_id = world.user()
    with app.test_request_context("/clients/new", method="POST", data={"name": "Ghost Ltd"}):
        form = NameForm()

        def refused() -> tuple[str, str]:
            save_client(db.session.get_one(User, user_id).workspace, {"name": form.name.data})
            raise FieldError("name", "That name is taken.")

        assert submit(form, refused) is None
        assert form.name.errors == ["That name is taken."]
        assert form.form_errors == []
    assert _clients(world) == []

    with app.test_request_context("/clients/new", method="POST", data={"name": "Real Ltd"}):
        form = NameForm()

        def create() -> tuple[str, str]:
            save_client(db.session.get_one(User, user_id).workspace, {"name": form.name.data})
            return "/dashboard", "Client created."

        done = submit(form, create)
        assert done is not None
        assert done.status_code == 302
        assert done.headers["Location"] == "/dashboard"
        assert get_flashed_messages(with_categories=True) == [("success", "Client created.")]
    assert _clients(world) == ["Real Ltd"]


def test_nothing_runs_without_a_valid_submission(app: Flask, world: World) -> None:
    ran: list[bool] = []

    def action() -> tuple[str, str]:
        ran.append(True)
        return "/dashboard", "Done."

    with app.test_request_context("/clients/new"):
        assert submit(NameForm(), action) is None
    with app.test_request_context("/clients/new", method="POST", data={"name": ""}):
        form = NameForm()
        assert submit(form, action) is None
        assert form.name.errors
    assert ran == []


def test_a_reassessment_refused_on_a_copied_setting_says_why(signed_in: Signed) -> None:
    """The operation refuses a target the form has no field for: a message, not a 500."""
    client, world, user_id = signed_in
    source = world.assessment(world.client(user_id))

    def break_targets(session: Any) -> None:
        session.get(Assessment, source).targets = {"vision": 9}
        session.commit()

    world.query(break_targets)
    count = world.query(lambda s: s.scalar(select(func.count(Assessment.id))))
    response = client.post(f"/assessments/{source}/reassess?lang=en", data={"title": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{source}")
    page = client.get(f"/assessments/{source}?lang=en").get_data(as_text=True)
    assert "A target must be a level from 0 to 5." in page
    assert world.query(lambda s: s.scalar(select(func.count(Assessment.id)))) == count


def test_a_share_link_needs_a_title(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    refused = client.post(f"/clients/{client_id}/share?lang=en", data={"title": "  "})
    assert refused.status_code == 302
    assert refused.headers["Location"].endswith(f"/clients/{client_id}")
    page = client.get(f"/clients/{client_id}?lang=en").get_data(as_text=True)
    assert "Give the self-assessment a title." in page
    assert world.query(lambda s: s.scalar(select(func.count(Assessment.id)))) == 0
    made = client.post(f"/clients/{client_id}/share?lang=en", data={"title": "CEO check"})
    assert made.status_code == 302
    created = world.query(lambda s: s.execute(select(Assessment.id, Assessment.title).where(
        Assessment.share_token.is_not(None))).all())
    assert [title for _id, title in created] == ["CEO check"]
    assert made.headers["Location"].endswith(f"/assessments/{created[0][0]}")
