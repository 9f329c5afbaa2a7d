"""The readiness report's roadmap page, the one a board approves (printing/approval.py,
reports/_roadmap.html): the client's rollout roadmap with dates, owners and status, or the
headline model's stages with their checklist and gaps, undated."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from assessment import i18n
from assessment.extensions import db
from assessment.printing.approval import (
    PHASE_CAP,
    ApprovalPage,
    approval_page,
    phase_status,
)
from assessment.printing.render import render_pdf_here
from assessment.printing.report import build_html
from assessment.results import headline_model, planned_roadmap, questionnaire_of, score_assessment
from assessment.rollout.operations import save_milestone
from assessment.tables import Assessment, Milestone, Roadmap, TeamMember
from assessment.web import get_catalog

from .conftest import World, app_in
from .pdfcheck import drawn_outside, page_texts
from .persian import KEPT_LATIN, foreign_in_persian

TODAY = date(2026, 12, 7)


def page_of(app: Flask, assessment_id: int, lang: str = "en",
            today: date = TODAY) -> ApprovalPage:
    with app.app_context():
        catalog = get_catalog(app)
        assessment = db.session.get(Assessment, assessment_id)
        result = score_assessment(catalog, assessment)
        page = approval_page(catalog, questionnaire_of(catalog, assessment), assessment,
                             result, lang, today)
        assert page is not None
        return page


@pytest.fixture(scope="module")
def demo() -> Iterator[Flask]:
    with app_in(Path(tempfile.mkdtemp()), demo=True) as app:
        yield app


# --- without a roadmap: the headline model's stages, undated ------------------------------


def test_without_a_roadmap_the_page_proposes_the_headline_models_stages(
        app: Flask, world: World) -> None:
    client = world.client(world.user())
    aid = world.answered(client, lambda p, q, question: str(q % 3), complete=True)
    page = page_of(app, aid)
    catalog = get_catalog(app)
    with app.app_context():
        assessment = db.session.get(Assessment, aid)
        result = score_assessment(catalog, assessment)
        chosen, basis = headline_model(assessment, result)
        assert planned_roadmap(assessment, result) is None
    model = catalog.models[chosen.model]
    assert page.kind == "proposal"
    assert page.phases == []
    assert (page.model_name, page.basis) == (model.name.en, basis)
    assert [s.name for s in page.stages] == [s.name.en for s in model.stages]
    questionnaire = catalog.questionnaires["executive"]
    below = {p.question_id for p in result.priorities}
    attached = 0
    for proposed, stage in zip(page.stages, model.stages, strict=True):
        assert proposed.checklist == [item.text.en for item in stage.checklist]
        for gap in proposed.gaps:
            assert gap.priority.question_id in below
            assert f"{model.id}.{stage.id}" in questionnaire.question(
                gap.priority.question_id).informs
            assert gap.recommendation
        wanted = [p for p in result.priorities if f"{model.id}.{stage.id}"
                  in questionnaire.question(p.question_id).informs]
        assert len(proposed.gaps) + proposed.more_gaps == len(wanted)
        attached += len(proposed.gaps)
    assert attached > 0
    with app.app_context():
        html = build_html(db.session.get(Assessment, aid), "en")
    section = html[html.index('id="roadmap"'):html.index('id="appendix"')]
    assert "This is a proposal without dates" in section
    assert "Plan the rollout" in section
    assert "Propose the roadmap" in section
    assert "Approved by" in section
    assert "Signature" in section
    assert "Due" not in section  # no dates: no milestone table
    assert "To go further" not in section


# --- the demo's roadmaps ------------------------------------------------------------------


@pytest.mark.parametrize("assessment_id", [1, 4])
def test_the_demos_pars_retail_reports_show_its_gartner_roadmap(demo: Flask,
                                                                assessment_id: int) -> None:
    """Assessment 1 (the baseline, whose roadmap it is) and 4 (the re-assessment of the same
    client) show the same roadmap, the one whose model heads the summary."""
    catalog = get_catalog(demo)
    page = page_of(demo, assessment_id)
    with demo.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        result = score_assessment(catalog, assessment)
        roadmap = planned_roadmap(assessment, result)
        assert roadmap is not None
        assert roadmap.assessment_id == 1
        assert headline_model(assessment, result) == (result.model(roadmap.model_id), "roadmap")
        milestones = list(roadmap.milestones)
        model = catalog.models[roadmap.model_id]
        assert page.kind == "roadmap"
        assert not page.custom
        assert page.accepted
        assert page.model_name == model.name.en
        assert [p.name for p in page.phases] == [s.name.en for s in model.stages]
        assert page.milestones == len(milestones) == sum(p.total for p in page.phases)
        for phase, stage in zip(page.phases, model.stages, strict=True):
            mine = [m for m in milestones if m.stage == stage.id]
            assert phase.starts_on == min(m.start_on for m in mine if m.start_on)
            assert phase.due_on == max(m.due_on for m in mine if m.due_on)
            owners = {m.owner.name for m in mine if m.owner is not None}
            assert set(phase.owners) <= owners
            assert len(phase.owners) + phase.more_owners == len(owners)
            assert len(phase.milestones) + phase.more == len(mine)
            assert len(phase.milestones) <= PHASE_CAP
            titles = [" ".join(m.title("en").split()) for m in mine]
            for line in phase.milestones:  # whole, or cut short with an ellipsis
                assert any(t.startswith(line.title.removesuffix("…")) for t in titles)


def test_the_demos_persian_roadmap_prints_titles_in_persian(demo: Flask) -> None:
    page = page_of(demo, 1, "fa")
    with demo.app_context():
        roadmap = db.session.get(Assessment, 1).roadmap
        persian = {m.title_fa for m in roadmap.milestones}
    listed = [line.title.removesuffix("…") for phase in page.phases
              for line in phase.milestones]
    assert listed
    assert all(any(" ".join(t.split()).startswith(title) for t in persian)
                          for title in listed)
    assert page.phases[0].name == get_catalog(demo).models["gartner"].stages[0].name.fa


# --- a custom roadmap ---------------------------------------------------------------------


def test_a_custom_roadmap_follows_the_six_canonical_stages(app: Flask, world: World) -> None:
    client = world.client(world.user())
    aid = world.answered(client, "2", complete=True)
    sara = world.member(client, "Sara (سارا) Ahmadi")
    world.roadmap(aid, "custom", title="Our own way (راه ما)", starts_on=date(2026, 10, 1),
                  owners=[sara])
    with app.app_context():
        roadmap = db.session.scalar(select(Roadmap))
        stage = get_catalog(app).stages[2].id
        save_milestone(get_catalog(app), roadmap, {
            "title_en": "Clean the customer list", "title_fa": "پاک‌سازی فهرست مشتریان",
            "stage": stage, "owner_id": sara, "start_on": date(2026, 11, 2),
            "due_on": date(2026, 11, 30), "status": "in_progress", "progress": 40},
            today=TODAY)
        db.session.commit()
    page = page_of(app, aid)
    catalog = get_catalog(app)
    assert page.kind == "roadmap"
    assert page.custom
    assert page.model_name == "Our own way (راه ما)"
    assert [p.name for p in page.phases] == [s.name.en for s in catalog.stages]
    third = page.phases[2]
    with app.app_context():
        mine = list(db.session.scalars(select(Milestone).where(Milestone.stage == stage)))
    assert len(mine) > 1  # with the gaps the proposal put in that stage
    assert third.starts_on == min(m.start_on for m in mine) == date(2026, 11, 2)
    assert third.due_on == max(m.due_on for m in mine)
    assert third.owners == ["Sara (سارا) Ahmadi"]
    assert third.status == "in_progress"
    assert third.overdue == 1  # due on 30 November, not done on 7 December
    with app.app_context():
        html = build_html(db.session.get(Assessment, aid), "fa")
    section = html[html.index('id="roadmap"'):html.index('id="appendix"')]
    assert '<bdi dir="ltr">Our own way (راه ما)</bdi>' in section
    assert '<bdi dir="ltr">Sara (سارا) Ahmadi</bdi>' in section
    assert "پاک‌سازی فهرست مشتریان" in section
    assert i18n.format_date(date(2026, 11, 30), "fa") in section  # Solar Hijri


# --- statuses and overdue -----------------------------------------------------------------


def _milestones(*statuses: str) -> list[Milestone]:
    return [Milestone(status=status) for status in statuses]


def test_a_stages_status_follows_the_documented_rule() -> None:
    assert phase_status(_milestones("done", "done")) == "done"
    assert phase_status(_milestones("done", "blocked", "in_progress")) == "blocked"
    assert phase_status(_milestones("done", "not_started")) == "in_progress"
    assert phase_status(_milestones("in_progress", "not_started")) == "in_progress"
    assert phase_status(_milestones("not_started")) == "not_started"
    assert phase_status([]) == "not_started"


def test_statuses_and_overdue_are_as_of_the_report_date(app: Flask, world: World) -> None:
    client = world.client(world.user())
    aid = world.answered(client, "1", complete=True)
    plan = world.roadmap(aid, "gartner", starts_on=date(2026, 9, 1), stage_days=30,
                         accepted=True)
    with app.app_context():
        first_stage = get_catalog(app).models["gartner"].stages[0].id
        first = [m.id for m in db.session.scalars(select(Milestone)
                                                  .where(Milestone.stage == first_stage))]
    world.move(first[0], "done", on=date(2026, 9, 20))
    world.move(first[1], "blocked", on=date(2026, 9, 20))
    # the first stage is due on 30 September: on the 30th nothing is overdue, a day later
    # every milestone of it not done is
    on_time = page_of(app, aid, today=date(2026, 9, 30))
    late = page_of(app, aid, today=date(2026, 10, 1))
    assert on_time.phases[0].status == late.phases[0].status == "blocked"
    assert on_time.phases[0].overdue == 0
    assert on_time.overdue == 0
    assert late.phases[0].overdue == late.phases[0].total - 1
    assert late.overdue == late.phases[0].overdue
    assert (late.done, late.blocked) == (1, 1)
    assert late.phases[1].status == "not_started"
    assert late.phases[1].overdue == 0
    listed = late.phases[0].milestones
    done = [line.status == "done" for line in listed]
    assert done == sorted(done)  # open ones first
    assert all(line.overdue for line in listed if line.status != "done")
    assert len(plan.milestone_ids) == late.milestones


# --- a crowded roadmap stays within its cap -----------------------------------------------


def _crowded(app: Flask, world: World) -> int:
    """A roadmap of 72 milestones with long titles, owned by five people."""
    client = world.client(world.user(), name="Crowded Trading")
    aid = world.answered(client, lambda p, q, question: str(q % 4), complete=True)
    owners = [world.member(client, f"Owner number {n} of the crowded project")
              for n in range(5)]
    world.roadmap(aid, "gartner", starts_on=date(2026, 10, 1), accepted=True, owners=owners)
    with app.app_context():
        catalog = get_catalog(app)
        roadmap = db.session.scalar(select(Roadmap))
        stages = [s.id for s in catalog.models["gartner"].stages]
        members = list(db.session.scalars(select(TeamMember)))
        while len(roadmap.milestones) < 72:
            n = len(roadmap.milestones)
            save_milestone(catalog, roadmap, {
                "title_en": f"Extra work item {n}: agree, document and hand over the "
                            "customer data rules for every branch and channel",
                "title_fa": f"کار افزوده‌ی {i18n.digits(n, 'fa')}: توافق، مستندسازی و "
                            "تحویل قاعده‌های داده‌ی مشتری برای همه‌ی شعبه‌ها و کانال‌ها",
                "stage": stages[n % 3], "owner_id": members[n % 5].id,
                "start_on": date(2026, 10, 1), "due_on": date(2026, 11, 1 + n % 20),
                "status": "not_started"}, today=TODAY)
        db.session.commit()
    return aid


def test_a_crowded_roadmap_is_capped_and_says_how_many_more(app: Flask, world: World) -> None:
    aid = _crowded(app, world)
    page = page_of(app, aid)
    assert page.milestones == 72
    listed = sum(len(p.milestones) for p in page.phases)
    assert listed + sum(p.more for p in page.phases) == 72
    assert all(len(p.milestones) <= PHASE_CAP for p in page.phases)
    assert listed <= 40
    assert all(len(p.owners) <= 3 for p in page.phases)
    assert any(p.more_owners for p in page.phases)
    with app.app_context():
        html = build_html(db.session.get(Assessment, aid), "en")
    section = html[html.index('id="roadmap"'):html.index('id="appendix"')]
    crowded = max(page.phases, key=lambda p: p.more)
    assert f"and {crowded.more} more milestones in this stage" in section
    pdf = render_pdf_here(html)
    pages = page_texts(pdf)
    first = next(n for n, text in enumerate(pages) if "Roadmap for approval" in text)
    last = next(n for n, text in enumerate(pages) if "Approved by" in text)
    assert last - first <= 2  # it starts where the chapter before ends: three pages at most
    assert drawn_outside(pdf) == []


# --- the PDF in both languages ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_roadmap_page_in_the_pdf(demo: Flask, lang: str) -> None:
    with demo.app_context():
        assessment = db.session.get(Assessment, 5)  # the Persian insurer's baseline
        roadmap = assessment.roadmap
        typed = [assessment.client.name, assessment.title, assessment.client.workspace.name,
                 *(m.owner.name for m in roadmap.milestones if m.owner is not None),
                 *(m.title(lang) for m in roadmap.milestones)]
        html = build_html(assessment, lang)
    pdf = render_pdf_here(html)
    assert drawn_outside(pdf) == []
    pages = [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]
    heading = "Roadmap for approval" if lang == "en" else "نقشه‌ی راه برای تأیید"
    sign = "Approved by" if lang == "en" else "تأییدکننده"
    first = next(n for n, text in enumerate(pages)
                 if heading.replace("\u200c", "") in text.replace("\u200c", ""))
    last = next(n for n, text in enumerate(pages) if n >= first and sign in text)
    section = " ".join(pages[first:last + 1])
    section = section[section.replace("\u200c", "").index(heading.replace("\u200c", "")):]
    if lang == "en":
        assert "Deployment model followed" in section
        assert "Kalakota" in section or "Status on" in section
    else:
        assert foreign_in_persian(section, typed, kept=KEPT_LATIN | {"CRM"}) == []
        assert "امضا" in section
        assert "مسئولان" in section
