"""Answers to a question the questionnaire no longer has: a catalogue update removed or
merged it (docs/catalogue.md, "Question set, December 2026"). They stay stored, and every
score, page, report, export and trend leaves them out without error."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessment.api.auth import issue_token
from assessment.extensions import db
from assessment.printing.report import report_context
from assessment.results import score_assessment
from assessment.tables import AgreedAnswer, Answer, Assessment, Client, Respondent, User
from assessment.transfer.export import export_client
from assessment.transfer.schema import TransferError
from assessment.transfer.store import import_client
from assessment.trend.operations import compare
from assessment.web import get_catalog

from .conftest import Signed, World

GONE = "ws.gone.99"


def _leave_old_answers(world: World, assessment_id: int, gone: str = GONE) -> None:
    """What an older catalogue left in the tables: an answer to `gone` (with a comment and
    a review flag) from everyone who answered, a person who answered only `gone`, and an
    agreed answer for it. Written straight into the tables: the app no longer takes
    answers to a question its questionnaire does not have."""
    def write(session: Session) -> None:
        assessment = session.get(Assessment, assessment_id)
        for person in list(assessment.respondents):
            session.add(Answer(respondent_id=person.id, question_id=gone, value="0",
                               comment="Asked in the old question set", flagged=True))
        only = Respondent(assessment=assessment, kind="participant", name="Old set only",
                          last_stage="strategy", last_question=gone)
        session.add(only)
        session.flush()
        session.add(Answer(respondent_id=only.id, question_id=gone, value="5"))
        session.add(AgreedAnswer(assessment_id=assessment_id, question_id=gone, value="0",
                                 note="Settled before the question was merged"))
        session.commit()

    world.query(write)


def _room(world: World, client_id: int, title: str) -> int:
    """A workshop assessment scored for LIC only, answered by two participants (level 3
    everywhere, a 4 on one question), with one agreed answer."""
    assessment_id = world.assessment(client_id, questionnaire="workshop", title=title,
                                     model_ids=["lic"])
    world.workshop(assessment_id, participants=2,
                   answers=lambda _p, _n, q: "4" if q.id == "ws.vision.01" else "3",
                   agreed={"ws.vision.02": ("2", "After a long talk")})
    world.complete(assessment_id, at=datetime(2026, 11, 20))
    return assessment_id


def _stored(world: World) -> tuple[int, int]:
    return world.query(lambda s: (
        s.scalar(select(func.count()).select_from(Answer).where(Answer.question_id == GONE)),
        s.scalar(select(func.count()).select_from(AgreedAnswer)
                 .where(AgreedAnswer.question_id == GONE))))


def test_the_scores_leave_out_answers_to_a_removed_question(app: Flask, world: World) -> None:
    client_id = world.client(world.user())
    with_old = _room(world, client_id, "With old answers")
    without = _room(world, client_id, "Without")
    _leave_old_answers(world, with_old)

    def scored(assessment_id: int) -> dict[str, Any]:
        with app.app_context():
            return score_assessment(get_catalog(app),
                                    db.session.get(Assessment, assessment_id)).to_dict()

    kept = scored(with_old)
    assert kept == scored(without)
    assert kept["respondents"] == 2  # the person who answered only GONE is not counted
    assert GONE not in kept["questions"]
    assert kept["questions"]["ws.vision.02"]["agreed"] == 2
    assert _stored(world) == (3, 1)


def test_pages_reports_exports_and_the_trend_show_such_an_assessment(
        signed_in: Signed, app: Flask) -> None:
    client, world, user_id = signed_in
    client_id = world.client(user_id)
    first = _room(world, client_id, "Baseline")
    # A Gartner roadmap: the assessment was scored for LIC only, so the roadmap page
    # scores the Gartner gates again; the trend projects its gap milestones.
    world.roadmap(first, "gartner", starts_on=date(2026, 12, 1), gaps=100)
    latest = _room(world, client_id, "Three months on")
    world.roadmap(latest, "gartner", starts_on=date(2027, 1, 1), gaps=100)
    for assessment_id in (first, latest):
        _leave_old_answers(world, assessment_id)

    pages = [f"/assessments/{latest}/results", f"/assessments/{latest}/roadmap",
             f"/assessments/{latest}/roadmap/status.pdf",
             f"/assessments/{latest}/workshop", f"/assessments/{latest}/workshop/live",
             f"/assessments/{latest}/export/findings.csv", f"/assessments/{latest}/export.xlsx",
             f"/assessments/{latest}/review", f"/clients/{client_id}/trend",
             f"/clients/{client_id}/export.json"]
    for url in pages:
        for lang in ("en", "fa"):
            response = client.get(f"{url}?lang={lang}")
            assert response.status_code == 200, (url, lang)
    def token_for_api(session: Session) -> str:
        secret = issue_token(session.get(User, user_id), "test")[1]
        session.commit()
        return secret

    api = client.get(f"/api/v1/assessments/{latest}/scores",
                     headers={"Authorization": f"Bearer {world.query(token_for_api)}"})
    assert api.status_code == 200
    assert GONE not in api.get_json()["questions"]
    token = world.query(lambda s: s.scalar(select(Respondent.token).where(
        Respondent.assessment_id == latest, Respondent.name == "Old set only")))
    mine = client.get(f"/api/v1/participants/{token}/answers")
    assert mine.status_code == 200
    assert [a["question_id"] for a in mine.get_json()] == [GONE]  # their own, still stored
    findings = client.get(f"/assessments/{latest}/export/findings.csv").get_data(as_text=True)
    assert "ws.vision.01" in findings
    assert GONE not in findings

    catalog = get_catalog(app)
    with app.app_context():
        assessment = db.session.get(Assessment, latest)
        report = report_context(catalog, assessment, "fa")
        assert GONE not in report["rows"]
        assert report["respondent_count"] == 2
        trend = compare(catalog, db.session.get(Client, client_id), "workshop",
                        date(2027, 1, 10))
    assert [p.assessment_id for p in trend.points] == [first, latest]
    assert trend.since_previous is not None
    assert all(GONE not in point.questions for point in trend.points)
    assert trend.projection is not None
    assert _stored(world) == (6, 2)


def test_a_client_file_carries_answers_to_a_retired_question(app: Flask, world: World) -> None:
    """A file exported before a question was retired (or after: the answers stay) imports,
    with those answers: they are part of the client's record. A question id the
    questionnaire never had is still refused."""
    user_id = world.user()
    client_id = world.client(user_id)
    retired = "ws.strategy.07"  # merged into ws.data.16 (docs/catalogue.md)
    assessment_id = _room(world, client_id, "Before the merge")
    _leave_old_answers(world, assessment_id, retired)
    catalog = get_catalog(app)
    assert retired in catalog.questionnaires["workshop"].retired
    with app.app_context():
        data = export_client(db.session.get(Client, client_id))
        workspace = db.session.get(User, user_id).workspace
        copy = import_client(catalog, data, workspace)
        db.session.commit()
        (imported,) = copy.assessments
        old = db.session.scalars(select(Answer).join(Respondent).where(
            Respondent.assessment_id == imported.id, Answer.question_id == retired)).all()
        assert sorted(a.value for a in old) == ["0", "0", "5"]
        assert score_assessment(catalog, imported).to_dict() == score_assessment(
            catalog, db.session.get(Assessment, assessment_id)).to_dict()

        never = json.loads(json.dumps(data).replace(retired, GONE))
        with pytest.raises(TransferError) as refused:
            import_client(catalog, never, workspace)
    assert any(f"{GONE!r} is not a question of the questionnaire 'workshop'" in problem
               for problem in refused.value.problems)
