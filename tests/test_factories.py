"""The World builder's factories build what they promise: many tests rest on them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import Flask
from sqlalchemy import select

from assessment.results import score_assessment
from assessment.tables import AgreedAnswer, Answer, Assessment, Respondent, Roadmap, Workshop
from assessment.web import get_catalog

from .conftest import World


def test_answered_gives_every_person_their_answers_and_completes_on_the_day(
        app: Flask, world: World) -> None:
    client_id = world.client(world.user())
    questions = get_catalog(app).questionnaires["executive"].questions
    first, second = questions[0].id, questions[1].id
    aid = world.answered(client_id, [{first: "1", second: "na"}, {first: "4"}],
                         title="Baseline", targets={"vision": 4},
                         comments=lambda person, n, _q: "why" if (person, n) == (1, 0) else "",
                         flags=lambda person, n, _q: (person, n) == (0, 1),
                         completed_at=datetime(2026, 1, 10, 9, 30))
    draft = world.answered(client_id, "2", kind="executive")

    def read(session: Any) -> tuple[object, ...]:
        rows = session.execute(
            select(Respondent.name, Respondent.kind, Answer.question_id, Answer.value,
                   Answer.comment, Answer.flagged)
            .join(Answer).where(Respondent.assessment_id == aid).order_by(Answer.id)).all()
        assessment = session.get(Assessment, aid)
        other = session.get(Assessment, draft)
        return ([tuple(row) for row in rows], assessment.title, assessment.targets["vision"],
                assessment.status, assessment.completed_at, other.status,
                len(other.respondents[0].answers), other.respondents[0].kind)

    rows, title, target, status, completed_at, other_status, other_answers, other_kind = (
        world.query(read))
    assert rows == [("Person 1", "participant", first, "1", "", False),
                    ("Person 1", "participant", second, "na", "", True),
                    ("Person 2", "participant", first, "4", "why", False)]
    assert (title, target, status, completed_at) == (
        "Baseline", 4, "complete", datetime(2026, 1, 10, 9, 30))
    # answering through the walk moves a draft on, but only completing finishes it
    assert (other_status, other_answers, other_kind) == ("in_progress", len(questions),
                                                         "executive")


def test_workshop_joins_people_who_answer_then_locks_agrees_and_closes(
        app: Flask, world: World) -> None:
    aid = world.assessment(world.client(world.user()), questionnaire="workshop")
    catalog = get_catalog(app)
    questions = catalog.questionnaires["workshop"].questions
    settled = questions[0].id
    room = world.workshop(aid, [("Maryam", "sales"), "Reza"], named=True,
                          answers=lambda person, _n, _q: "1" if person == 0 else "5",
                          locked=["data"], agreed={settled: ("3", "After the demo")},
                          closed=True)

    def read(session: Any) -> tuple[object, ...]:
        workshop = session.get(Workshop, room.workshop_id)
        people = [(p.id, p.name, p.role, p.kind, len(p.answers))
                  for p in workshop.assessment.respondents]
        agreed = session.execute(
            select(AgreedAnswer.question_id, AgreedAnswer.value, AgreedAnswer.note)).all()
        scored = score_assessment(catalog, workshop.assessment).questions[settled]
        return (workshop.assessment_id, workshop.code, workshop.named, workshop.status,
                workshop.locked_stages, people, [tuple(row) for row in agreed],
                scored.agreed, scored.mean)

    assert world.query(read) == (
        aid, room.code, True, "closed", ["data"],
        [(room.participant_ids[0], "Maryam", "sales", "participant", len(questions)),
         (room.participant_ids[1], "Reza", "", "participant", len(questions))],
        [(settled, "3", "After the demo")], 3, 3.0)


def test_roadmap_owners_moves_and_edits_go_through_the_milestone_rules(
        app: Flask, world: World) -> None:
    client_id = world.client(world.user())
    aid = world.answered(client_id, "1")
    sara, reza = world.member(client_id, "Sara"), world.member(client_id, "Reza", role="IT")
    start = date(2026, 9, 1)
    plan = world.roadmap(aid, "kalakota", starts_on=start, stage_days=10, accepted=True,
                         owners=(sara, reza))
    first, second, third = plan.milestone_ids[:3]
    world.move([first, second], "done", on=date(2026, 9, 5))
    world.move(second, "in_progress", 30, on=date(2026, 9, 6))
    world.edit_milestone(third, on=date(2026, 9, 7), status="done", due_on=date(2026, 9, 8),
                         depends_on=[first])

    def read(session: Any) -> tuple[object, ...]:
        roadmap = session.get(Roadmap, plan.roadmap_id)
        rows = {m.id: (m.owner_id, m.status, m.progress, m.done_on, m.start_on, m.due_on,
                       [d.id for d in m.depends_on]) for m in roadmap.milestones}
        return (roadmap.assessment_id, roadmap.model_id, roadmap.accepted_at is not None,
                [m.id for m in roadmap.milestones], rows)

    assessment_id, model, accepted, order, rows = world.query(read)
    assert (assessment_id, model, accepted) == (aid, "kalakota", True)
    assert tuple(order) == plan.milestone_ids
    assert [rows[m][0] for m in plan.milestone_ids[:4]] == [sara, reza, sara, reza]
    assert rows[first][1:4] == ("done", 100, date(2026, 9, 5))
    # reopened: no done date, and the progress given
    assert rows[second][1:4] == ("in_progress", 30, None)
    assert rows[third][1:] == ("done", 100, date(2026, 9, 7), start, date(2026, 9, 8), [first])
