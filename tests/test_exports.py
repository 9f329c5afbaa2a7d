"""Findings and milestones as CSV and XLSX, in English and Persian."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

from assessment import i18n
from assessment.extensions import db
from assessment.rollout.exports import guard
from assessment.tables import Respondent, User
from assessment.web import get_catalog

TODAY = date(2025, 6, 1)
START = date(2025, 3, 21)  # 1 Farvardin 1404


def make_assessment(app: Flask, user_id: int, roadmap: bool = True) -> int:
    """An executive assessment answered by two people, with formula-like user text,
    and (optionally) a Gartner roadmap whose first milestone is overdue."""
    from assessment.clients.operations import create_assessment, save_client
    from assessment.rollout.operations import (
        add_file,
        add_link,
        propose_roadmap,
        save_member,
        save_milestone,
    )
    from assessment.walk.operations import save_answer

    app.config["TODAY"] = TODAY
    with app.app_context():
        catalog = get_catalog(app)
        user = db.session.get(User, user_id)
        client = save_client(user.workspace, {"name": "Acme Trading"})
        owner = save_member(client, {"name": "=Reza", "email": "reza@example.com",
                                     "role": "@lead"})
        assessment = create_assessment(catalog, client, title="Baseline",
                                       questionnaire_id="executive", targets={"vision": 4})
        one = Respondent(assessment=assessment, kind="consultant", user_id=user.id, name="Ana")
        two = Respondent(assessment=assessment, kind="executive", name="CEO")
        db.session.add_all([one, two])
        db.session.flush()
        questions = catalog.questionnaires["executive"].questions
        save_answer(catalog, one, questions[0].id, value="0", comment="=1+2")
        save_answer(catalog, two, questions[0].id, value="5", comment="ordinary words")
        save_answer(catalog, one, questions[1].id, value="2", comment="-10 percent")
        save_answer(catalog, two, questions[1].id, value="3")
        save_answer(catalog, one, questions[2].id, value="unknown")
        if roadmap:
            plan = propose_roadmap(catalog, assessment, "gartner", starts_on=START)
            first, second = plan.milestones[0], plan.milestones[1]
            save_milestone(catalog, plan, {
                "title_en": "+SUM(A1:A9)", "title_fa": "گام نخست", "stage": first.stage,
                "owner_id": owner.id, "start_on": START, "due_on": date(2025, 4, 20),
                "status": "in_progress", "progress": 30, "notes": "@cmd", "depends_on": []},
                first)
            save_milestone(catalog, plan, {
                "title_en": second.title_en, "title_fa": second.title_fa,
                "stage": second.stage, "start_on": second.start_on, "due_on": date(2025, 7, 1),
                "status": "not_started", "depends_on": [first.id]}, second)
            add_link(first, "https://example.com/charter")
            add_file(first, "notes.txt", b"what we agreed", "Minutes")
        db.session.commit()
        return int(assessment.id)


def fa(app: Flask, msgid: str, **values: str) -> str:
    """The Persian of an interface text, as the installed catalogue has it."""
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale("fa"):
        return str(gettext(msgid, **values))


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_findings_csv_in_english(signed_in: Any, app: Flask) -> None:
    client, _world, user_id = signed_in
    aid = make_assessment(app, user_id)
    response = client.get(f"/assessments/{aid}/export/findings.csv?lang=en")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="acme-trading-baseline-findings-en.csv"')
    rows = read_csv(response.data)
    header = rows[0]
    assert header[:4] == ["Stage", "Question ID", "Question", "Respondents"]
    assert len(rows) == 1 + len(get_catalog(app).questionnaires["executive"].questions)
    first = dict(zip(header, rows[1], strict=True))
    assert first["Question ID"] == "exec.vision.01"
    assert first["Stage"] == "Vision"
    assert (first["Respondents"], first["Mean"], first["Median"], first["Spread"]) == (
        "2", "2.50", "2.50", "2.50")
    assert (first["Level"], first["Stage target"], first["Gap"]) == ("2", "4", "1.50")
    assert first["Divergent"] == "Yes"
    assert (first["Don't know"], first["Uncertain"]) == ("0", "No")
    assert first["Priority rank"] == "1"
    assert first["Recommendation"]
    assert first["Comments (number)"] == "2"
    assert first["Comments"] == "'=1+2\nordinary words"  # the formula is defused
    second = dict(zip(header, rows[2], strict=True))
    assert second["Comments"] == "'-10 percent"
    third = dict(zip(header, rows[3], strict=True))
    assert (third["Respondents"], third["Don't know"], third["Uncertain"]) == ("1", "1", "No")
    unanswered = dict(zip(header, rows[-1], strict=True))
    assert (unanswered["Respondents"], unanswered["Mean"], unanswered["Level"]) == ("0", "", "")


def test_findings_csv_in_persian(signed_in: Any, app: Flask) -> None:
    client, _world, user_id = signed_in
    aid = make_assessment(app, user_id)
    response = client.get(f"/assessments/{aid}/export/findings.csv?lang=fa")
    assert response.headers["Content-Disposition"].endswith('-findings-fa.csv"')
    rows = read_csv(response.data)
    assert rows[0][0] == fa(app, "Stage") == "مرحله"
    assert rows[0][2] == fa(app, "Question") == "پرسش"
    question = get_catalog(app).questionnaires["executive"].questions[0]
    assert rows[1][2] == question.text.fa
    assert rows[1][4] == "2.50"  # numbers keep Latin digits, so they stay numbers


def test_language_defaults_to_the_request_language(signed_in: Any, app: Flask) -> None:
    client, _world, user_id = signed_in
    aid = make_assessment(app, user_id)
    client.set_cookie("lang", "fa", domain="crm.test")
    response = client.get(f"/assessments/{aid}/export/findings.csv")
    assert read_csv(response.data)[0][0] == "مرحله"
    assert response.headers["Content-Disposition"].endswith('-fa.csv"')


def test_milestones_csv_dates_both_ways(signed_in: Any, app: Flask) -> None:
    client, _world, user_id = signed_in
    aid = make_assessment(app, user_id)

    english = read_csv(client.get(f"/assessments/{aid}/export/milestones.csv?lang=en").data)
    header = english[0]
    assert "Start" in header
    assert not any("Solar Hijri" in column for column in header)
    first = dict(zip(header, english[1], strict=True))
    assert (first["Row"], first["Start"], first["Due"]) == ("1", "2025-03-21", "2025-04-20")
    assert first["Title"] == "'+SUM(A1:A9)"
    assert (first["Owner"], first["Owner e-mail"], first["Owner role"]) == (
        "'=Reza", "reza@example.com", "'@lead")
    assert (first["Status"], first["Progress %"], first["Overdue"]) == ("In progress", "30",
                                                                       "Yes")
    assert first["Notes"] == "'@cmd"
    assert first["Evidence (number)"] == "2"
    assert first["Evidence"] == "https://example.com/charter\nnotes.txt"
    second = dict(zip(header, english[2], strict=True))
    assert second["Depends on (rows)"] == "1"
    assert second["Overdue"] == "No"

    persian = read_csv(client.get(f"/assessments/{aid}/export/milestones.csv?lang=fa").data)
    header = persian[0]
    start = fa(app, "Start")
    jalali = header.index(fa(app, "%(column)s (Solar Hijri)", column=start))
    iso = header.index(start)
    assert iso == jalali + 1
    assert persian[1][jalali] == i18n.jalali_input(START) == "۱۴۰۴/۰۱/۰۱"
    assert persian[1][iso] == "2025-03-21"
    assert persian[1][header.index(fa(app, "Title"))] == "گام نخست"


def test_milestones_of_an_assessment_without_roadmap_is_just_the_header(
        signed_in: Any, app: Flask) -> None:
    client, _world, user_id = signed_in
    aid = make_assessment(app, user_id, roadmap=False)
    response = client.get(f"/assessments/{aid}/export/milestones.csv?lang=en")
    assert response.status_code == 200
    rows = read_csv(response.data)
    assert len(rows) == 1
    assert rows[0][:3] == ["Row", "Stage", "Title"]


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_workbook(signed_in: Any, app: Flask, lang: str) -> None:
    client, _world, user_id = signed_in
    aid = make_assessment(app, user_id)
    response = client.get(f"/assessments/{aid}/export.xlsx?lang={lang}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'-export-{lang}.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == 2
    findings, milestones = book.worksheets
    for sheet in (findings, milestones):
        assert bool(sheet.sheet_view.rightToLeft) is (lang == "fa")
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
    assert isinstance(findings["E2"].value, float)  # the mean: a number, not text
    assert findings["E2"].value == 2.5
    header = [cell.value for cell in milestones[1]]
    start = header.index("Start" if lang == "en" else fa(app, "Start"))
    date_cell = milestones.cell(row=2, column=start + 1)
    assert date_cell.is_date
    assert date_cell.value == datetime(2025, 3, 21)
    assert date_cell.number_format == "yyyy-mm-dd"
    if lang == "fa":
        assert milestones.cell(row=2, column=start).value == "۱۴۰۴/۰۱/۰۱"
    notes = milestones.cell(row=2, column=header.index("Notes" if lang == "en" else
                                                       fa(app, "Notes")) + 1)
    assert notes.value == "'@cmd"
    assert notes.data_type == "s"
    comment_column = [cell.value for cell in findings[1]].index(
        "Comments" if lang == "en" else fa(app, "Comments")) + 1
    assert findings.cell(row=2, column=comment_column).value.startswith("'=1+2")
    assert findings.column_dimensions["C"].width <= 60


def test_exports_belong_to_the_workspace(signed_in: Any, app: Flask) -> None:
    client, world, _user_id = signed_in
    theirs = make_assessment(app, world.user("bo@example.com"))
    for path in ("export/findings.csv", "export/milestones.csv", "export.xlsx"):
        assert client.get(f"/assessments/{theirs}/{path}").status_code == 404
    anonymous = app.test_client()
    response = anonymous.get(f"/assessments/{theirs}/export.xlsx")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "＝1"])
def test_guard_defuses_formula_starts(text: str) -> None:
    assert guard(text) == "'" + text


@pytest.mark.parametrize("text", ["plain", "1-2", "", "گام = نخست", "'quoted"])
def test_guard_leaves_other_text(text: str) -> None:
    assert guard(text) == text


def test_the_results_page_offers_the_findings_exports(signed_in: Any) -> None:
    client, world, user_id = signed_in
    assessment_id = world.assessment(world.client(user_id))
    page = client.get(f"/assessments/{assessment_id}/results?lang=en").get_data(as_text=True)
    assert f"/assessments/{assessment_id}/export.xlsx?lang=en" in page
    assert f"/assessments/{assessment_id}/export/findings.csv?lang=en" in page
