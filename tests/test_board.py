"""The board page that opens the readiness report: its verdict line, the change since the
client's previous assessment and the decision it asks for, on the demo's workshops and on
constructed cases (the PDF's pages are checked in tests/test_report_quality.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask

from assessment.extensions import db
from assessment.printing.board import Board, board_of, first_sentence
from assessment.printing.render import report_language
from assessment.printing.report import build_html
from assessment.results import score_assessment
from assessment.schema import Question
from assessment.tables import Assessment, User, utcnow
from assessment.web import get_catalog

from .conftest import World, app_in
from .persian import foreign_in_persian

GARTNER = "Gartner CRM model (eight building blocks)"


def board(app: Flask, assessment_id: int, lang: str = "en") -> Board:
    with app.app_context(), report_language(app, lang):
        assessment = db.session.get(Assessment, assessment_id)
        catalog = get_catalog(app)
        return board_of(catalog, assessment, score_assessment(catalog, assessment), lang)


def index_of(app: Flask, assessment_id: int) -> float:
    with app.app_context():
        result = score_assessment(get_catalog(app), db.session.get(Assessment, assessment_id))
        assert result.maturity_index is not None
        return result.maturity_index


def by_stage(levels: dict[str, str], others: str = "3"):  # type: ignore[no-untyped-def]
    """An answer rule: every question of a stage at that stage's level, the rest at `others`."""
    return lambda _person, _n, question: levels.get(question.stage, others)


# --- the demo -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with app_in(tmp_path_factory.mktemp("board-demo"), demo=True) as app:
        yield app


def demo_ids(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {a.title: a.id for a in db.session.scalars(db.select(Assessment))}


def test_the_demo_reassessment_is_compared_with_the_baseline(demo: Flask) -> None:
    """Pars Retail's two completed workshops: the re-assessment (4) against the baseline
    workshop (1); the insurer's (6) against its own baseline (5)."""
    ids = demo_ids(demo)
    assert ids["Baseline workshop"] == 1
    assert ids["Three-month re-assessment"] == 4
    page = board(demo, 4)
    assert page.previous is not None
    assert page.previous.assessment_id == 1
    assert page.previous.title == "Baseline workshop"
    change = index_of(demo, 4) - index_of(demo, 1)
    assert page.change == pytest.approx(change)
    assert change > 0  # the demo's team improved
    assert page.change_text == f"+{round(change)}"
    assert set(page.stage_changes) == {"vision", "strategy", "process", "data", "technology",
                                       "metrics"}
    with demo.app_context():
        catalog = get_catalog(demo)
        before, after = (score_assessment(catalog, db.session.get(Assessment, aid))
                         for aid in (1, 4))
    for stage in page.stage_changes:
        assert page.stage_changes[stage] == pytest.approx(
            (after.stage(stage).score or 0) - (before.stage(stage).score or 0))
    assert page.stage_change_texts["vision"] == f"+{round(page.stage_changes['vision'] or 0)}"
    # the verdict of the roadmap's model, Gartner's, and what holds it back
    assert page.model_id == "gartner"
    assert page.basis == "This is the model of the client's roadmap."
    assert page.verdict == "conditional"
    assert page.line == (f"Ready with conditions for the rollout by {GARTNER}: Strategy and "
                         "Process are below their targets.")
    # the decision: from Gartner's first stage that is not ready, in its own words
    assert page.next is not None
    assert page.next.stage_id == "vision"
    assert page.next.decision == ("Endorse a one-page CRM vision and name the executive sponsor "
                                  "who answers for it.")
    # and why that stage, in figures a board can check against the model's own score: the
    # canonical Vision stage may be on target while Gartner's vision stage is not
    assert not page.next.blocked
    assert page.next.score is not None
    assert page.next.target is not None
    assert page.next.score < page.next.target
    with demo.app_context():
        html = build_html(db.session.get(Assessment, 4), "en")
    assert (f"in this model it scores {round(page.next.score)} against a target of "
            f"{round(page.next.target)}") in html
    persian = board(demo, 6, "fa")
    assert persian.previous is not None
    assert persian.previous.assessment_id == 5
    assert persian.change_text == "+" + "".join("۰۱۲۳۴۵۶۷۸۹"[int(d)] for d in str(
        round(index_of(demo, 6) - index_of(demo, 5))))
    assert persian.model_id == "kalakota"
    assert persian.line.startswith("سازمان برای استقرار بر پایه‌ی مدل چرخه‌ی حیات CRM")
    assert foreign_in_persian(persian.line, ["CRM"]) == []
    assert persian.next is not None
    assert persian.next.decision == get_catalog(demo).models["kalakota"].stage(
        persian.next.stage_id).decision.fa


def test_the_demo_baselines_are_first_assessments(demo: Flask) -> None:
    for baseline in (1, 5):
        page = board(demo, baseline)
        assert page.previous is None
        assert page.change is None
        assert set(page.stage_changes.values()) == {None}
    with demo.app_context():
        html = build_html(db.session.get(Assessment, 1), "en")
    board_html = html[html.index('id="board"'):html.index('id="summary"')]
    assert "First assessment" in board_html
    assert 'class="previous"' not in board_html  # no faint marks without a previous score


def test_an_open_assessment_compares_with_the_newest_completed_one(demo: Flask) -> None:
    ids = demo_ids(demo)
    follow_up = ids["Follow-up workshop (open)"]
    page = board(demo, follow_up)
    assert page.previous is not None
    assert page.previous.assessment_id == 4  # completed two days ago: the newest before now
    # the executive check-in uses another questionnaire: nothing to compare with
    assert board(demo, ids["Executive check-in"]).previous is None


# --- constructed cases --------------------------------------------------------------------


def test_improved_and_declined_changes_in_points(app: Flask, world: World) -> None:
    client = world.client(world.user())
    now = utcnow()
    low = world.answered(client, "2", completed_at=now - timedelta(days=30), title="Low")
    high = world.answered(client, "3", completed_at=now - timedelta(days=10), title="High")
    lower = world.answered(client, "1", completed_at=now - timedelta(days=1), title="Lower")
    improved = board(app, high)
    assert improved.previous is not None
    assert improved.previous.assessment_id == low
    assert improved.change == pytest.approx(20)
    assert improved.change_text == "+20"
    assert improved.stage_changes == {stage: pytest.approx(20) for stage in improved.stage_changes}
    assert improved.stage_change_texts["data"] == "+20"
    declined = board(app, lower)
    assert declined.previous is not None
    assert declined.previous.assessment_id == high  # the newest earlier one, not the first
    assert declined.change == pytest.approx(-40)
    assert declined.change_text == "\u221240"
    assert board(app, lower, "fa").change_text == "\u2212۴۰"
    # the first one has none; one completed later is never "previous"
    assert board(app, low).previous is None
    with app.app_context():
        html = build_html(db.session.get(Assessment, lower), "en")
    start = html.index('<table class="board-figures">')
    figures = html[start:html.index("</table>", start)]
    assert "\u221240" in figures
    assert "board-change down" in figures
    assert "High" in figures  # the previous assessment's title (isolated as user text)


def test_a_previous_assessment_on_another_questionnaire_is_ignored(app: Flask,
                                                                  world: World) -> None:
    client = world.client(world.user())
    world.answered(client, "1", questionnaire="workshop",
                   completed_at=utcnow() - timedelta(days=20))
    later = world.answered(client, "3", completed_at=utcnow() - timedelta(days=1))
    page = board(app, later)
    assert page.previous is None
    assert page.change is None


def test_an_unfinished_or_unanswered_earlier_assessment_is_not_previous(app: Flask,
                                                                      world: World) -> None:
    client = world.client(world.user())
    earlier = world.answered(client, "2", completed_at=utcnow() - timedelta(days=40))
    world.answered(client, "4")  # answered but never completed
    empty = world.assessment(client)
    world.complete(empty, utcnow() - timedelta(days=5))  # completed with no answers
    current = world.answered(client, "3")  # open: compared with what was completed before now
    page = board(app, current)
    assert page.previous is not None
    assert page.previous.assessment_id == earlier


def only_gartner(world: World, answers: object, **settings: object) -> tuple[int, int]:
    """A new client (of the one user) with an assessment reporting on Gartner's model only."""
    with world.app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == "ana@example.com"))
    user_id = user.id if user is not None else world.user()
    client = world.client(user_id)
    return client, world.answered(client, answers, model_ids=["gartner"],  # type: ignore[arg-type]
                                  **settings)  # type: ignore[arg-type]


def test_ready(app: Flask, world: World) -> None:
    _client, aid = only_gartner(world, "3")
    page = board(app, aid)
    assert page.verdict == "ready"
    assert page.basis == ""  # the only model chosen: nothing to explain
    assert page.line == (f"Ready to start the rollout by {GARTNER}: every gate passes and the "
                         "stages its gates name are at or above their targets.")
    assert page.next is None
    assert page.gaps == []
    with app.app_context():
        html = build_html(db.session.get(Assessment, aid), "en")
    assert "no decision waits on this assessment" in html


def test_not_ready_names_the_stages_and_their_level(app: Flask, world: World) -> None:
    _client, aid = only_gartner(world, by_stage({"strategy": "1", "process": "1"}))
    page = board(app, aid)
    assert page.verdict == "not_ready"
    assert page.line == (f"Not ready to start the rollout by {GARTNER}: Strategy and Process "
                         "are at the Initial level.")
    assert board(app, aid, "fa").line == (
        "سازمان برای آغاز استقرار بر پایه‌ی مدل CRM گارتنر (هشت بلوک سازنده) آماده نیست: "
        "سطح راهبرد و فرایند «آغازین» است.")
    # the decision of the first Gartner stage that is not ready
    assert page.next is not None
    stage = get_catalog(app).models["gartner"].stage(page.next.stage_id)
    assert page.next.decision == stage.decision.en
    assert board(app, aid, "fa").next.decision == stage.decision.fa  # type: ignore[union-attr]


def test_not_ready_at_different_levels_names_each(app: Flask, world: World) -> None:
    _client, aid = only_gartner(world, by_stage({"strategy": "0", "process": "1"}))
    assert board(app, aid).line == (
        f"Not ready to start the rollout by {GARTNER}: Strategy (Absent) and Process (Initial) "
        "are below the levels its gates require.")


def test_conditional_names_the_condition(app: Flask, world: World) -> None:
    _client, below = only_gartner(world, "3", targets={"strategy": 4})
    assert board(app, below).verdict == "conditional"
    assert board(app, below).line == (f"Ready with conditions for the rollout by {GARTNER}: "
                                      "Strategy is below its target.")
    _client, unknown = only_gartner(world, by_stage({"strategy": "na"}))
    assert board(app, unknown).line == (f"Ready with conditions for the rollout by {GARTNER}: "
                                        "Strategy has not been assessed.")
    _client, both = only_gartner(world, by_stage({"strategy": "na"}), targets={"process": 4})
    assert board(app, both).line == (f"Ready with conditions for the rollout by {GARTNER}: "
                                     "Strategy has not been assessed and Process is below its "
                                     "target.")


def test_the_nearest_model_is_named_when_several_are_reported(app: Flask,
                                                             world: World) -> None:
    client = world.client(world.user())
    aid = world.answered(client, by_stage({"strategy": "1", "process": "1"}))
    page = board(app, aid)
    assert page.basis == "This is the nearest to ready of the 5 models this report covers."
    assert len(page.models) == 5
    assert page.model_id in {m.model.model for m in page.models}


def test_an_empty_assessment_has_no_verdict(app: Flask, world: World) -> None:
    aid = world.assessment(world.client(world.user()))
    page = board(app, aid)
    assert page.verdict is None
    assert page.next is None
    assert page.maturity_index is None
    assert page.line.startswith("No verdict yet: no question has an answer with a level")
    assert foreign_in_persian(board(app, aid, "fa").line) == []
    with app.app_context():
        html = build_html(db.session.get(Assessment, aid), "en")
    assert 'id="board"' not in html  # the page saying what is missing takes its place


def test_a_thin_assessment_says_so_before_its_first_impression(app: Flask,
                                                              world: World) -> None:
    catalog = get_catalog(app)
    first = {q.id for q in catalog.questionnaires["executive"].questions[:5]}
    aid = world.assessment(world.client(world.user()))
    with app.app_context():
        from assessment.tables import Respondent
        from assessment.walk.operations import save_answer

        person = Respondent(assessment=db.session.get(Assessment, aid), kind="participant",
                            name="One")
        db.session.add(person)
        db.session.flush()
        for qid in first:
            save_answer(catalog, person, qid, value="2")
        db.session.commit()
        html = build_html(db.session.get(Assessment, aid), "en")
    page = html[html.index('id="board"'):html.index('id="summary"')]
    assert page.index("This report rests on little evidence") < page.index("First impression:")
    assert page.index("First impression:") < page.index('class="board-figures"')


def test_why_a_gap_matters_is_the_first_sentence_of_its_catalogue_text() -> None:
    assert first_sentence("A high answer means X. Then more.") == "A high answer means X."
    assert first_sentence("پاسخ بالا یعنی این است. سپس بیشتر.") == "پاسخ بالا یعنی این است."
    assert first_sentence("No full stop here") == "No full stop here"
    assert first_sentence("Version 2.5 of it.  More") == "Version 2.5 of it."


def test_the_board_gaps_are_the_largest_with_their_catalogue_text(app: Flask,
                                                                  world: World) -> None:
    client = world.client(world.user())
    aid = world.answered(client, by_stage({"data": "0"}))
    page = board(app, aid)
    with app.app_context():
        result = score_assessment(get_catalog(app), db.session.get(Assessment, aid))
    assert [g.row.priority.question_id for g in page.gaps] == [
        p.question_id for p in result.priorities[:3]]
    for gap in page.gaps:
        question: Question = gap.row.question
        assert gap.why == first_sentence(question.help.en)
        assert gap.row.priority.stage == "data"  # the largest gaps: data at 0 against 3
