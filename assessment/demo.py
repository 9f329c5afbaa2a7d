"""Demo data: a consultant and two clients, one written in English and one in Persian.

Each client has a finished workshop, the rollout roadmap that followed it (twelve weeks
in) and a re-assessment; the English one also has a workshop open now and an executive
self-assessment in progress. Both come from the same functions, fed with a `ClientStory`
each: the people, names and notes in that client's language, the deployment model its
roadmap follows, and how the rollout went."""

from __future__ import annotations

import csv
import random
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from .accounts import people
from .accounts.operations import create_user
from .answers import NA, UNKNOWN
from .catalog import Catalog
from .clients.operations import create_assessment, save_client
from .extensions import db
from .results import score_assessment
from .rollout import operations as rollout
from .tables import Answer, Assessment, Client, DataProfile, Milestone, Respondent, User, utcnow
from .workshop.operations import close_workshop, open_workshop, record_agreed

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password"  # noqa: S105 # nosec B105 # shown to whoever tries the demo
#: the English client's own people, with the same password: its programme lead, a team
#: member who updates the milestones she owns, and a board member who reads
DEMO_TEAM_EMAIL = "sara.ahmadi@example.com"
DEMO_VIEWER_EMAIL = "board@example.com"

#: the baseline workshop ran this long ago; the roadmap began a week later
_BASELINE_DAYS_AGO = 91
_ROADMAP_DAYS_AGO = 84


@dataclass(frozen=True)
class ClientStory:
    """One demo client, told in the language its people write in."""

    #: the client's fields (clients.operations.CLIENT_FIELDS)
    client: Mapping[str, str]
    baseline_title: str
    #: the finished workshop's participants: name and role (a PARTICIPANT_ROLES code);
    #: the first ten also answered the re-assessment
    participants: tuple[tuple[str, str], ...]
    #: whether the finished workshop showed the participants' names
    named: bool
    #: comments a participant may leave: participant n draws from comments[n % len(comments)]
    comments: tuple[tuple[str, ...], ...]
    #: why the room agreed on one answer to its widest disagreement
    agreed_note: str
    targets: Mapping[str, int]
    #: the room's typical level per canonical stage, so the results tell a story
    profile: Mapping[str, float]
    #: how much higher the room answered three months on, per stage (levels)
    improved: Mapping[str, float]
    #: the deployment model the roadmap follows, and the days each of its stages gets
    model_id: str
    stage_days: int
    #: the project team: name, e-mail, role
    team: tuple[tuple[str, str, str], ...]
    #: who owns each model stage's milestones (an index into `team`; the first by default)
    owners: Mapping[str, int]
    #: how the team got on, per model stage: the statuses of its milestones in order (its
    #: checklist items, then the gaps); the rest are not started
    progress: Mapping[str, tuple[str, ...]]
    #: evidence on the roadmap's first milestone: web address and title
    link: tuple[str, str]
    #: why the blocked milestones wait
    blocked_note: str
    reassessment_title: str
    #: who owns the milestones made from the assessment's gaps, if not their stage's owner
    gap_owner: int | None = None
    #: also a workshop open now and an executive self-assessment under way
    live_rooms: bool = False


_ROLES = ("sales", "marketing", "service", "it", "management", "sales", "service",
          "marketing", "it", "management", "sales", "service")

ENGLISH = ClientStory(
    client={
        "name": "Pars Retail Group", "sector": "Retail", "size": "1000+", "country": "Iran",
        "contact": "Head of customer experience",
        "notes": "Forty stores and an online shop; a CRM programme is planned for next year.",
    },
    baseline_title="Baseline workshop",
    participants=tuple((f"Participant {n}", role) for n, role in enumerate(_ROLES, start=1)),
    named=False,
    comments=(("هر شعبه فهرست مشتریان خودش را دارد.", "این را فقط سالی یک بار می‌سنجیم.",
               "بسیار به منطقه بستگی دارد."),
              ("Each branch keeps its own customer list.", "We measure this only once a year.",
               "Depends a lot on the region.")),
    agreed_note=("Sales and service score this differently; agreed after the discussion that "
                 "only the loyalty team works this way today."),
    targets={"vision": 4, "strategy": 4, "data": 3},
    profile={"vision": 3.2, "strategy": 2.6, "process": 2.1, "data": 1.4, "technology": 2.4,
             "metrics": 1.2},
    improved={"vision": 0.9, "strategy": 0.7, "process": 0.4, "data": 0.2, "technology": 0.1,
              "metrics": 0.3},
    model_id="gartner",
    stage_days=30,
    team=(("Sara Ahmadi", "sara.ahmadi@example.com", "CRM programme lead"),
          ("Reza Karimi", "reza.karimi@example.com", "IT architect"),
          ("Laleh Moradi", "laleh.moradi@example.com", "Head of marketing"),
          ("Omid Jafari", "omid.jafari@example.com", "Customer service manager")),
    owners={"vision": 0, "strategy": 0, "customer_experience": 2, "collaboration": 3,
            "processes": 3, "information": 1, "technology": 1, "metrics": 2},
    progress={"vision": ("done",) * 6,
              "strategy": ("done", "done", "done", "in_progress", "blocked", "not_started",
                           "in_progress"),
              "customer_experience": ("in_progress", "not_started", "in_progress")},
    link=("https://intranet.example.com/crm/vision-v2.pdf", "CRM vision, version 2 (signed)"),
    blocked_note="Waiting for the finance committee to approve the segment budgets.",
    reassessment_title="Three-month re-assessment",
    live_rooms=True,
)

#: An insurer, in Persian: its staff, notes and roadmap are written the way its people
#: would write them (Persian digits, the glossary's words).
PERSIAN = ClientStory(
    client={
        "name": "بیمه‌ی مهرآوران", "sector": "بیمه", "size": "1000+", "country": "ایران",
        "contact": "معاون بازاریابی و فروش",
        "notes": ("۶۵ شعبه در ۱۸ استان و نزدیک به ۲ هزار نماینده‌ی فروش، در بیمه‌ی بدنه، "
                  "درمان و عمر. هیئت‌مدیره برنامه‌ی CRM را تصویب کرده است تا بیمه‌گذاران "
                  "بیشتری بیمه‌نامه‌شان را تمدید کنند."),
    },
    baseline_title="کارگاه ارزیابی آغازین",
    participants=(("علی رضایی", "sales"), ("مهسا کریمی", "marketing"),
                  ("حسین موسوی", "service"), ("زهرا حسینی", "it"),
                  ("محمد جعفری", "management"), ("فاطمه صادقی", "sales"),
                  ("امیر قاسمی", "service"), ("نازنین اکبری", "marketing"),
                  ("سعید رحمانی", "it"), ("الهام شریفی", "management"),
                  ("مجید طاهری", "sales"), ("شیرین عباسی", "service")),
    named=True,
    comments=(("در هر شعبه فرق می‌کند؛ شعبه‌های تهران جلوترند.",
               "در بیمه‌ی عمر بهتر از بیمه‌ی بدنه است.",
               "روی کاغذ هست، ولی در عمل کمتر اجرا می‌شود.",
               "نماینده‌ها و شعبه‌ها این را یکسان نمی‌بینند."),),
    agreed_note=("واحدهای فروش و خسارت این را متفاوت ارزیابی می‌کردند؛ پس از گفت‌وگو توافق "
                 "شد که امروز فقط واحد بیمه‌ی عمر این‌گونه کار می‌کند."),
    targets={"strategy": 4, "process": 4, "data": 4},
    profile={"vision": 2.6, "strategy": 1.9, "process": 2.7, "data": 2.3, "technology": 2.9,
             "metrics": 1.6},
    improved={"vision": 0.5, "strategy": 0.8, "process": 0.3, "data": 0.6, "technology": 0.2,
              "metrics": 0.4},
    model_id="kalakota",
    stage_days=56,
    team=(("نرگس رحیمی", "n.rahimi@mehravaran.example", "مدیر برنامه‌ی CRM"),
          ("کاوه صالحی", "k.salehi@mehravaran.example", "مدیر داده و تحلیل"),
          ("پریسا نوری", "p.noori@mehravaran.example", "مدیر بازاریابی"),
          ("بهرام کاظمی", "b.kazemi@mehravaran.example", "مدیر خدمات بیمه‌گذاران")),
    owners={"acquire": 2, "enhance": 1, "retain": 3},
    progress={"acquire": ("done",) * 8 + ("in_progress", "not_started"),
              "enhance": ("done", "done", "blocked", "in_progress", "in_progress",
                          "not_started"),
              "retain": ("in_progress",)},
    link=("https://intranet.mehravaran.example/crm/best-customers-v2.pdf",
          "نیم‌رخ ارزشمندترین بیمه‌گذاران، نسخه‌ی ۲ (تأییدشده)"),
    blocked_note=("در انتظار یکی شدن شماره‌ی مشتری در سامانه‌های صدور بیمه‌نامه و خسارت؛ تا "
                  "آن زمان نمی‌دانیم هر بیمه‌گذار کدام بیمه‌نامه‌ها را دارد."),
    reassessment_title="ارزیابی دوباره پس از سه ماه",
    gap_owner=0,
)

STORIES = (ENGLISH, PERSIAN)


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
    for story in STORIES:
        baseline = _baseline(catalog, user, story, rng)
        if story.live_rooms:
            _live_rooms(catalog, baseline.client, user, story, rng)
        _rollout(catalog, baseline, story, rng)
    _clients_people(user)
    _customer_data(user, seed)
    return DemoAccount(DEMO_EMAIL, DEMO_PASSWORD, created=True)


def _clients_people(user: User) -> None:
    """Accounts for the English client's own people: a team member and a client viewer."""
    client = next(c for c in user.workspace.clients if c.name == ENGLISH.client["name"])
    lead = next(m for m in client.team if m.email == DEMO_TEAM_EMAIL)
    member = create_user(DEMO_TEAM_EMAIL, DEMO_PASSWORD, name=lead.name,
                         workspace=user.workspace, role="none")
    people.grant(member, client, "team", lead)
    viewer = create_user(DEMO_VIEWER_EMAIL, DEMO_PASSWORD, name="Board member",
                         workspace=user.workspace, role="none")
    people.grant(viewer, client, "viewer")


#: the English client's customer data, measured at the baseline and three months later:
#: (days ago, customers, share with a mobile, share of mobiles mistyped, share with an
#: e-mail, share of customers entered twice)
_DATA_MEASURES = ((_BASELINE_DAYS_AGO, 700, 0.62, 0.12, 0.25, 0.09),
                  (2, 760, 0.93, 0.02, 0.55, 0.015))


def _customer_data(user: User, seed: int) -> None:
    """Two measurements of the English client's customer data, a baseline and one three
    months later after a clean-up, each made by the real engine from a small generated
    file in a temporary folder that is then deleted (only the aggregates are kept)."""
    from .customerdata import profile_files  # polars is loaded only when the demo is made

    client = next(c for c in user.workspace.clients if c.name == ENGLISH.client["name"])
    rng = random.Random(seed + 20)  # noqa: S311 # nosec B311 # demo data, not secrets
    with tempfile.TemporaryDirectory(prefix="crm-demo-") as folder:
        for days_ago, customers, mobiles, mistyped, emails, twice in _DATA_MEASURES:
            as_of = date.today() - timedelta(days=days_ago)
            path = Path(folder) / f"purchases-{days_ago}.csv"
            _purchases_file(path, rng, as_of, customers, mobiles, mistyped, emails, twice)
            result = profile_files([path]).to_json()
            db.session.add(DataProfile(
                client=client, created_by=user.id, as_of=as_of, unit="rial",
                window_months=result["window_months"], rows=result["rows"],
                customers=result["customers"], score=result["score"], result=result,
                created_at=utcnow() - timedelta(days=days_ago)))
    db.session.flush()


def _purchases_file(path: Path, rng: random.Random, as_of: date, customers: int,
                    mobiles: float, mistyped: float, emails: float, twice: float) -> None:
    """A purchases file: a row per purchase over the 15 months to `as_of`, a few big
    buyers and many small ones; `twice` of the customers again under a second id."""
    with path.open("w", newline="", encoding="utf-8") as out:
        rows = csv.writer(out)
        rows.writerow(["Customer ID", "Name", "Mobile", "Email", "Date", "Amount"])
        for n in range(customers):
            mobile = ""
            if rng.random() < mobiles:
                mobile = f"0912{rng.randrange(10_000_000):07d}"
                if rng.random() < mistyped:
                    mobile = mobile[:7]
            email = f"customer{n}@example.com" if rng.random() < emails else ""
            ids = [f"C{n:05d}"] + ([f"D{n:05d}"] if rng.random() < twice else [])
            size = rng.paretovariate(1.6)
            active = rng.random() < 0.85
            for customer in ids:
                for _ in range(1 + min(20, int(rng.expovariate(0.35)))):
                    back = rng.randrange(370, 450) if not active else rng.randrange(0, 400)
                    rows.writerow([customer, f"Customer {n}", mobile, email,
                                   (as_of - timedelta(days=back)).isoformat(),
                                   round(size * rng.randrange(200, 900)) * 10_000])


def _level(value: float) -> str:
    return str(min(5, max(0, round(value))))


def _baseline(catalog: Catalog, user: User, story: ClientStory,
              rng: random.Random) -> Assessment:
    """The client and its finished baseline workshop, with the room's widest
    disagreement settled."""
    client = save_client(user.workspace, story.client)
    finished = create_assessment(catalog, client, title=story.baseline_title,
                                 questionnaire_id="workshop", targets=dict(story.targets))
    finished.created_at = utcnow() - timedelta(days=_BASELINE_DAYS_AGO + 1)
    questions = catalog.questionnaires["workshop"].questions
    for index, (name, role) in enumerate(story.participants):
        respondent = Respondent(assessment=finished, kind="participant", role=role,
                                name=name, finished_at=utcnow() - timedelta(days=20))
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
                value = _level(story.profile[question.stage] + bias + rng.gauss(0, 0.8))
            comment = ""
            if rng.random() < 0.03:
                comment = rng.choice(story.comments[index % len(story.comments)])
            db.session.add(Answer(respondent_id=respondent.id, question_id=question.id,
                                  value=value, comment=comment))
    finished.status = "complete"
    finished.completed_at = utcnow() - timedelta(days=_BASELINE_DAYS_AGO)
    db.session.flush()
    workshop = open_workshop(finished, named=story.named)
    close_workshop(workshop)
    widest = score_assessment(catalog, finished).divergent
    if widest:
        record_agreed(catalog, finished, widest[0], "2", story.agreed_note, user)
    return finished


def _live_rooms(catalog: Catalog, client: Client, user: User, story: ClientStory,
                rng: random.Random) -> None:
    """A workshop open now, so the demo can be joined from a phone, and the consultant's
    executive self-assessment half answered, with a link to share."""
    questions = catalog.questionnaires["workshop"].questions
    follow_up = create_assessment(catalog, client, title="Follow-up workshop (open)",
                                  questionnaire_id="workshop")
    open_workshop(follow_up, named=True)
    for index, (name, role) in enumerate((("Maryam", "service"), ("Reza", "it"),
                                          ("Laleh", "marketing"))):
        person = Respondent(assessment=follow_up, kind="participant", name=name, role=role)
        db.session.add(person)
        db.session.flush()
        for question in questions[: 10 + 6 * index]:
            level = story.profile[question.stage] + 0.5 + rng.gauss(0, 1.1)
            db.session.add(Answer(respondent_id=person.id, question_id=question.id,
                                  value=_level(level)))

    ongoing = create_assessment(catalog, client, title="Executive check-in",
                                questionnaire_id="executive", share=True)
    mine = Respondent(assessment=ongoing, kind="consultant", user_id=user.id,
                      name=user.name)
    db.session.add(mine)
    db.session.flush()
    exec_questions = catalog.questionnaires["executive"].questions
    answered = exec_questions[: len(exec_questions) // 2]
    for question in answered:
        level = round(story.profile[question.stage] + rng.gauss(0, 0.6))
        db.session.add(Answer(respondent_id=mine.id, question_id=question.id,
                              value=_level(level)))
    mine.last_stage = answered[-1].stage
    mine.last_question = answered[-1].id
    ongoing.status = "in_progress"
    db.session.flush()


def _rollout(catalog: Catalog, baseline: Assessment, story: ClientStory,
             rng: random.Random) -> None:
    """The roadmap the team accepted after the baseline, twelve weeks in, and the
    re-assessment they ran to see what moved."""
    today = date.today()
    start = today - timedelta(days=_ROADMAP_DAYS_AGO)
    team = [rollout.save_member(baseline.client, {"name": n, "email": e, "role": r})
            for n, e, r in story.team]
    roadmap = rollout.propose_roadmap(catalog, baseline, story.model_id, starts_on=start,
                                      stage_days=story.stage_days, gaps=8)
    rollout.accept_roadmap(roadmap)
    roadmap.accepted_at = utcnow() - timedelta(days=_ROADMAP_DAYS_AGO)
    by_stage: dict[str, list[Milestone]] = {}
    for milestone in roadmap.milestones:
        owner = story.gap_owner if milestone.origin == "gap" else None
        milestone.owner = team[story.owners.get(milestone.stage, 0) if owner is None else owner]
        by_stage.setdefault(milestone.stage, []).append(milestone)
    for stage, statuses in story.progress.items():
        for milestone, status in zip(by_stage.get(stage, []), statuses, strict=False):
            progress = {"done": 100, "in_progress": rng.choice((30, 50, 70)), "blocked": 40,
                        "not_started": 0}[status]
            # done in the last days of its stage, or of the past week if that lies ahead
            finished_on = (min(milestone.due_on or today, today)
                           - timedelta(days=rng.randint(0, 6)))
            rollout.set_status(milestone, status, progress, today=finished_on)
    first = by_stage[catalog.models[story.model_id].stages[0].id]
    first[1].depends_on = [first[0]]
    rollout.add_link(first[0], *story.link)
    for milestone in roadmap.milestones:
        if milestone.status == "blocked":
            milestone.notes = story.blocked_note
    db.session.flush()

    again = create_assessment(catalog, baseline.client, title=story.reassessment_title,
                              questionnaire_id="workshop", targets=dict(baseline.targets))
    again.created_at = utcnow() - timedelta(days=3)
    questions = catalog.questionnaires["workshop"].questions
    for name, role in story.participants[:10]:
        respondent = Respondent(assessment=again, kind="participant", role=role, name=name,
                                finished_at=utcnow() - timedelta(days=2))
        db.session.add(respondent)
        db.session.flush()
        bias = rng.uniform(-0.5, 0.5)
        for question in questions:
            level = (story.profile[question.stage] + story.improved[question.stage] + bias
                     + rng.gauss(0, 0.7))
            db.session.add(Answer(respondent_id=respondent.id, question_id=question.id,
                                  value=_level(level)))
    again.status = "complete"
    again.completed_at = utcnow() - timedelta(days=2)
    db.session.flush()
