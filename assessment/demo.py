"""Demo data: a consultant and a client with a finished workshop, the rollout roadmap that
followed it (twelve weeks in), a re-assessment, an open workshop and a self-assessment."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from .accounts.operations import create_user
from .answers import NA, UNKNOWN
from .catalog import Catalog
from .clients.operations import create_assessment, save_client
from .extensions import db
from .results import score_assessment
from .rollout import operations as rollout
from .tables import Answer, Assessment, Milestone, Respondent, User, utcnow
from .workshop.operations import close_workshop, open_workshop, record_agreed

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 # nosec B105 # shown to whoever tries the demo

#: the demo room's typical level per stage, so the results tell a story
_PROFILE = {"vision": 3.2, "strategy": 2.6, "process": 2.1, "data": 1.4, "technology": 2.4,
            "metrics": 1.2}
_ROLES = ("sales", "marketing", "service", "it", "management", "sales", "service",
          "marketing", "it", "management", "sales", "service")
_AGREED_NOTE = ("Sales and service score this differently; agreed after the discussion that "
                "only the loyalty team works this way today.")
_COMMENTS = {
    "en": ["Each branch keeps its own customer list.", "We measure this only once a year.",
           "Depends a lot on the region."],
    "fa": ["هر شعبه فهرست مشتریان خودش را دارد.", "این را فقط سالی یک بار می‌سنجیم.",
           "بسیار به منطقه بستگی دارد."],
}


#: the baseline workshop ran this long ago; the roadmap began a week later
_BASELINE_DAYS_AGO = 91
_ROADMAP_DAYS_AGO = 84


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    created: bool


def has_data() -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(User)))


def create_demo(catalog: Catalog, *, seed: int = 1405) -> DemoAccount:
    """Create the demo workspace (idempotent: does nothing when the demo user exists)."""
    if db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is not None:
        return DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, created=False)
    rng = random.Random(seed)  # noqa: S311 # nosec B311 # demo answers, not secrets
    user = create_user(DEMO_EMAIL, DEMO_PASSWORD, name="Demo Consultant",
                       workspace_name="Demo Consulting")
    client = save_client(user.workspace, {
        "name": "Pars Retail Group", "sector": "Retail", "size": "1000+", "country": "Iran",
        "contact": "Head of customer experience",
        "notes": "Forty stores and an online shop; a CRM programme is planned for next year.",
    })

    finished = create_assessment(catalog, client, title="Baseline workshop",
                                 questionnaire_id="workshop",
                                 targets={"vision": 4, "strategy": 4, "data": 3})
    finished.created_at = utcnow() - timedelta(days=_BASELINE_DAYS_AGO + 1)
    questions = catalog.questionnaires["workshop"].questions
    for index, role in enumerate(_ROLES):
        respondent = Respondent(assessment=finished, kind="participant", role=role,
                                name=f"Participant {index + 1}",
                                finished_at=utcnow() - timedelta(days=20))
        db.session.add(respondent)
        db.session.flush()
        bias = rng.uniform(-0.6, 0.6)
        for question in questions:
            roll = rng.random()
            if roll < 0.03:
                value = NA
            elif roll < 0.08:
                value = UNKNOWN
            else:
                level = _PROFILE[question.stage] + bias + rng.gauss(0, 0.8)
                value = str(min(5, max(0, round(level))))
            comment = ""
            if rng.random() < 0.03:
                comment = rng.choice(_COMMENTS["en" if index % 2 else "fa"])
            db.session.add(Answer(respondent_id=respondent.id, question_id=question.id,
                                  value=value, comment=comment))
    finished.status = "complete"
    finished.completed_at = utcnow() - timedelta(days=_BASELINE_DAYS_AGO)
    # It ran as an anonymous workshop; the room settled its widest disagreement.
    db.session.flush()
    workshop = open_workshop(finished, named=False)
    close_workshop(workshop)
    widest = score_assessment(catalog, finished).divergent
    if widest:
        record_agreed(catalog, finished, widest[0], "2", _AGREED_NOTE, user)

    # A workshop open now, so the demo can be joined from a phone.
    follow_up = create_assessment(catalog, client, title="Follow-up workshop (open)",
                                  questionnaire_id="workshop")
    open_workshop(follow_up, named=True)
    for index, (name, role) in enumerate((("Maryam", "service"), ("Reza", "it"),
                                          ("Laleh", "marketing"))):
        person = Respondent(assessment=follow_up, kind="participant", name=name, role=role)
        db.session.add(person)
        db.session.flush()
        for question in questions[: 10 + 6 * index]:
            level = _PROFILE[question.stage] + 0.5 + rng.gauss(0, 1.1)
            db.session.add(Answer(respondent_id=person.id, question_id=question.id,
                                  value=str(min(5, max(0, round(level))))))

    ongoing = create_assessment(catalog, client, title="Executive check-in",
                                questionnaire_id="executive", share=True)
    mine = Respondent(assessment=ongoing, kind="consultant", user_id=user.id,
                      name=user.name)
    db.session.add(mine)
    db.session.flush()
    exec_questions = catalog.questionnaires["executive"].questions
    answered = exec_questions[: len(exec_questions) // 2]
    for question in answered:
        level = round(_PROFILE[question.stage] + rng.gauss(0, 0.6))
        db.session.add(Answer(respondent_id=mine.id, question_id=question.id,
                              value=str(min(5, max(0, level)))))
    mine.last_stage = answered[-1].stage
    mine.last_question = answered[-1].id
    ongoing.status = "in_progress"
    db.session.flush()

    _rollout(catalog, finished, rng)
    return DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, created=True)


#: how the team got on, per Gartner stage, twelve weeks into the rollout
_STAGE_STORY = {"vision": ("done",) * 6, "strategy": ("done", "done", "done", "in_progress",
                                                       "blocked", "not_started", "in_progress"),
                "customer_experience": ("in_progress", "not_started", "in_progress")}
_TEAM = (("Sara Ahmadi", "sara.ahmadi@example.com", "CRM programme lead"),
         ("Reza Karimi", "reza.karimi@example.com", "IT architect"),
         ("Laleh Moradi", "laleh.moradi@example.com", "Head of marketing"),
         ("Omid Jafari", "omid.jafari@example.com", "Customer service manager"))
#: how much higher the room answered three months on, per stage (levels)
_IMPROVED = {"vision": 0.9, "strategy": 0.7, "process": 0.4, "data": 0.2, "technology": 0.1,
             "metrics": 0.3}


def _rollout(catalog: Catalog, baseline: Assessment, rng: random.Random) -> None:
    """The Gartner roadmap the team accepted after the baseline, twelve weeks in, and the
    re-assessment they ran to see what moved."""
    today = date.today()
    start = today - timedelta(days=_ROADMAP_DAYS_AGO)
    team = [rollout.save_member(baseline.client, {"name": n, "email": e, "role": r})
            for n, e, r in _TEAM]
    roadmap = rollout.propose_roadmap(catalog, baseline, "gartner", starts_on=start,
                                      stage_days=30, gaps=8)
    rollout.accept_roadmap(roadmap)
    roadmap.accepted_at = utcnow() - timedelta(days=_ROADMAP_DAYS_AGO)
    owners = {"vision": team[0], "strategy": team[0], "customer_experience": team[2],
              "collaboration": team[3], "processes": team[3], "information": team[1],
              "technology": team[1], "metrics": team[2]}
    by_stage: dict[str, list[Milestone]] = {}
    for milestone in roadmap.milestones:
        milestone.owner = owners.get(milestone.stage, team[0])
        by_stage.setdefault(milestone.stage, []).append(milestone)
    for stage, story in _STAGE_STORY.items():
        for milestone, status in zip(by_stage.get(stage, []), story, strict=False):
            progress = {"done": 100, "in_progress": rng.choice((30, 50, 70)), "blocked": 40,
                        "not_started": 0}[status]
            finished_on = (milestone.due_on or today) - timedelta(days=rng.randint(0, 6))
            rollout.set_status(milestone, status, progress, today=finished_on)
    vision = by_stage["vision"]
    vision[1].depends_on = [vision[0]]
    rollout.add_link(vision[0], "https://intranet.example.com/crm/vision-v2.pdf",
                     "CRM vision, version 2 (signed)")
    blocked = [m for m in roadmap.milestones if m.status == "blocked"]
    for milestone in blocked:
        milestone.notes = "Waiting for the finance committee to approve the segment budgets."
    db.session.flush()

    again = create_assessment(catalog, baseline.client, title="Three-month re-assessment",
                              questionnaire_id="workshop", targets=dict(baseline.targets))
    again.created_at = utcnow() - timedelta(days=3)
    questions = catalog.questionnaires["workshop"].questions
    for index, role in enumerate(_ROLES[:10]):
        respondent = Respondent(assessment=again, kind="participant", role=role,
                                name=f"Participant {index + 1}",
                                finished_at=utcnow() - timedelta(days=2))
        db.session.add(respondent)
        db.session.flush()
        bias = rng.uniform(-0.5, 0.5)
        for question in questions:
            level = (_PROFILE[question.stage] + _IMPROVED[question.stage] + bias
                     + rng.gauss(0, 0.7))
            db.session.add(Answer(respondent_id=respondent.id, question_id=question.id,
                                  value=str(min(5, max(0, round(level))))))
    again.status = "complete"
    again.completed_at = utcnow() - timedelta(days=2)
    db.session.flush()
