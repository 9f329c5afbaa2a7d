"""The rollout status report as a reader gets it, checked page by page in both languages:
the demo's roadmaps and the edge cases (a crowded roadmap long past every due date, with
long mixed Persian/English names, titles and notes; a roadmap with no milestones). Each
is rendered once per module, through the download route, and read back with pdfplumber."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select

from assessment.demo import DEMO_EMAIL, DEMO_PASSWORD
from assessment.extensions import db
from assessment.printing.render import RUNNING_CLIENT_CHARS, RUNNING_FIRM_CHARS, shorten
from assessment.printing.status import (
    NOTES_CHARS,
    OWNER_CHARS,
    TITLE_CHARS,
    WAITING_CHARS,
)
from assessment.tables import Assessment, Client, Milestone, Roadmap, TeamMember, Workspace
from assessment.trend.chart import GRID_COLOUR

from .conftest import Answers, World, app_in
from .helpers import login
from .pdfcheck import chars_around_lines, drawn_outside, page_texts
from .persian import foreign_in_persian

START = date(2025, 3, 1)
LATE = START + timedelta(days=720)  # past every due date of the crowded roadmap
LANGS = ("en", "fa")
#: owners whose names mix the two scripts, with brackets, dashes and an ampersand
OWNERS = (
    "Mohammad Esfahani (محمد اصفهانی) - IT",
    "Dr. Seyed Abolfazl Hosseini-Tabatabaei (سید ابوالفضل حسینی طباطبایی) "
    "[Head of Sales & Marketing]",
    "مریم رضایی (Maryam Rezaei) — CRM lead",
    "Sara Ahmadi",
)
CLIENT = ("Mohammad Esfahani Trading (شرکت بازرگانی اصفهانی) & Partners - "
          "Tehran/Isfahan branch [IT] ") * 3
NOTES = ("See https://intranet.example.com/crm/rollout/budget-approval?id=42 (بودجه) — "
         "waiting for the board to sign.")
TITLE_EN = ("Migrate every customer record from the legacy ERP (سیستم قدیمی) into the new "
            "CRM, remove duplicates and sign off with finance & IT [phase two] ") * 4
TITLE_FA = ("انتقال همه‌ی سوابق مشتریان از ERP قدیمی (Legacy ERP) به CRM جدید و حذف "
            "موارد تکراری ") * 6
#: a chart label must print at least this tall (points)
SMALLEST_LABEL_PT = 7.0


@dataclass(frozen=True)
class Printed:
    html: str
    pdf: bytes
    user_values: tuple[str, ...]  #: what users typed, as the report may show it


def _user_values(app: Flask) -> tuple[str, ...]:
    """Every text users typed that the status report shows, whole and shortened as it
    shortens them."""
    with app.app_context():
        session = db.session
        typed = [*session.scalars(select(Client.name)), *session.scalars(select(Workspace.name)),
                 *session.scalars(select(Assessment.title)),
                 *session.scalars(select(TeamMember.name)),
                 *session.scalars(select(Roadmap.title))]
        for milestone in session.scalars(select(Milestone)):
            typed += [milestone.title_en, milestone.title_fa, milestone.notes]
    values = {" ".join(text.split()) for text in typed if text and text.strip()}
    for text in list(values):
        values |= {shorten(text, n) for n in (TITLE_CHARS, NOTES_CHARS, OWNER_CHARS,
                                             WAITING_CHARS, RUNNING_CLIENT_CHARS,
                                             RUNNING_FIRM_CHARS)}
    return tuple(sorted(values, key=len, reverse=True))


def _download(app: Flask, email: str, password: str, assessment_id: int,
              lang: str) -> tuple[str, bytes]:
    client = app.test_client()
    login(client, email, password)
    url = f"/assessments/{assessment_id}/roadmap/status.pdf?lang={lang}"
    html = client.get(f"{url}&format=html")
    pdf = client.get(url)
    assert html.status_code == 200
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    return html.get_data(as_text=True), pdf.data


def _levels(*bases: int) -> Answers:
    """Person p gives question n the level (bases[p] + n) % 4."""
    return lambda person, n, _question: str((bases[person] + n) % 4)


def _edge_cases(app: Flask) -> dict[str, int]:
    """The crowded roadmap and the empty one; the assessment id of each."""
    world = World(app)
    user = world.user()
    client_id = world.client(user, name=CLIENT[:200].strip())  # the longest name allowed
    first = world.answered(client_id, _levels(1, 2, 3), respondents=3,
                           title="Baseline (ارزیابی پایه) of sales & service, all branches",
                           completed_at=datetime(2025, 2, 1))
    owners = [world.member(client_id, name, role="IT") for name in OWNERS]
    plan = world.roadmap(first, "gartner", starts_on=START, accepted=True, owners=owners)
    items = plan.milestone_ids
    assert len(items) >= 50
    world.move(items[:20], "blocked", 10, on=START)
    world.edit_milestone(items[:20], depends_on=items[-3:], notes=NOTES)
    # the blocked list's first rows go to the owners the overdue list's first rows lack
    for index, milestone_id in enumerate(items[:4]):
        world.edit_milestone(milestone_id, owner_id=owners[(index + 2) % len(owners)])
    world.edit_milestone(items[20:], title_en=TITLE_EN[:480], title_fa=TITLE_FA[:480])
    # a re-assessment, so the report carries the maturity-over-time chart
    world.answered(client_id, _levels(2, 2), respondents=2, title="Again (دوباره)",
                   completed_at=datetime(2025, 6, 1))
    empty = world.assessment(world.client(user, name="Empty & Co (شرکت خالی)"))
    world.roadmap(empty, "custom", starts_on=START, title="Our own way (راه خودمان)")
    return {"crowded": first, "empty": empty}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Printed]:
    """Every report of this module, rendered once: (case, language) -> what was printed."""
    reports: dict[tuple[str, str], Printed] = {}
    with app_in(tmp_path_factory.mktemp("demo"), demo=True) as demo:
        with demo.app_context():
            roadmaps = sorted(r.assessment_id for r in db.session.scalars(select(Roadmap)))
        assert len(roadmaps) == 2
        values = _user_values(demo)
        for number, assessment_id in enumerate(roadmaps, start=1):
            for lang in LANGS:
                html, pdf = _download(demo, DEMO_EMAIL, DEMO_PASSWORD, assessment_id, lang)
                reports[(f"demo-{number}", lang)] = Printed(html, pdf, values)
    with app_in(tmp_path_factory.mktemp("edge")) as edge:
        edge.config["TODAY"] = LATE
        cases = _edge_cases(edge)
        values = _user_values(edge)
        for case, assessment_id in cases.items():
            for lang in LANGS:
                html, pdf = _download(edge, "ana@example.com", "correct-horse",
                                      assessment_id, lang)
                reports[(case, lang)] = Printed(html, pdf, values)
    return reports


CASES = [(case, lang) for case in ("demo-1", "demo-2", "crowded", "empty") for lang in LANGS]


def _body(html: str) -> str:
    return html[html.index("<body"):]


@pytest.mark.parametrize(("case", "lang"), CASES)
def test_fits_two_pages_with_nothing_off_the_page(printed: dict[tuple[str, str], Printed],
                                                  case: str, lang: str) -> None:
    report = printed[(case, lang)]
    pages = page_texts(report.pdf)
    assert 1 <= len(pages) <= 2, (case, lang, len(pages))
    assert drawn_outside(report.pdf) == []


@pytest.mark.parametrize("lang", LANGS)
def test_the_crowded_roadmap_counts_what_it_leaves_out(printed: dict[tuple[str, str], Printed],
                                                       lang: str) -> None:
    html = printed[("crowded", lang)].html
    more = re.findall(r'<p class="more">([^<]*)</p>', html)
    if lang == "en":
        assert any(re.fullmatch(r"and \d+ more overdue", text) for text in more), more
        assert any(re.fullmatch(r"and \d+ more blocked", text) for text in more), more
    else:
        assert any(re.fullmatch("و [۰-۹]+ نقطه‌ی عطف عقب‌افتاده‌ی دیگر", text) for text in more)
        assert any(re.fullmatch("و [۰-۹]+ نقطه‌ی عطف متوقف دیگر", text) for text in more)
    # the three mixed-script owners head the two lists (shortened past OWNER_CHARS)
    for owner in OWNERS[:3]:
        assert str(escape(shorten(owner, OWNER_CHARS))) in html, owner


@pytest.mark.parametrize(("case", "lang"), CASES)
def test_every_user_value_is_isolated(printed: dict[tuple[str, str], Printed], case: str,
                                      lang: str) -> None:
    """What users typed sits in a <bdi> with its own direction, so a mixed Persian/English
    name keeps its order and brackets in a page of either direction."""
    report = printed[(case, lang)]
    body = _body(report.html)
    seen = 0
    for value in report.user_values:
        text = str(escape(value))
        # a short value (a workspace called "ana") is looked for as a whole text only
        pattern = re.escape(text) if len(value) >= 8 else f"(?<=>){re.escape(text)}(?=<)"
        for found in re.finditer(pattern, body):
            opened = body.rfind("<bdi", 0, found.start())
            closed = body.rfind("</bdi>", 0, found.start())
            assert opened > closed, (value, body[max(0, found.start() - 80):found.end()])
            tag = body[opened:body.index(">", opened) + 1]
            assert re.search(r'dir="(ltr|rtl|auto)"', tag), tag
            assert body.find("</bdi>", found.start()) >= found.end()
            seen += 1
    assert seen >= 3  # the client's name, the assessment, the workspace at least
    if case == "crowded":  # each owner shown runs in the direction of its first letter
        for owner in OWNERS:
            short = str(escape(shorten(owner, OWNER_CHARS)))
            wrong = "ltr" if owner.startswith("مریم") else "rtl"
            assert f'dir="{wrong}">{short}</bdi>' not in body
            if short in body:
                assert f'dir="{"rtl" if wrong == "ltr" else "ltr"}">{short}</bdi>' in body


@pytest.mark.parametrize("case", ["demo-1", "demo-2", "crowded", "empty"])
def test_persian_reports_have_no_latin_outside_user_text(printed: dict[tuple[str, str], Printed],
                                                         case: str) -> None:
    report = printed[(case, "fa")]
    # the HTML, with each user value whole
    text = html.unescape(re.sub(r"<[^>]+>", " ", _body(report.html)))
    assert foreign_in_persian(text, allowed=report.user_values) == []
    # the PDF: pdfplumber gives mixed-script lines in visual order, so what users typed is
    # allowed word by word (the edge cases' user data has no digit but the "42" of a URL)
    words = {word for value in report.user_values
             for word in re.findall(r"[A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*", value)}
    for number, page in enumerate(page_texts(report.pdf), start=1):
        leaked = foreign_in_persian(page, allowed=sorted(words, key=len, reverse=True))
        assert leaked == [], (number, leaked)
        # the page counter: «۱ از ۲» (pdfplumber gives a Persian word's letters backwards)
        assert re.search(rf"{number} (از|زا) [۰-۹]|[۰-۹] (از|زا) {number}".translate(
            str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")), page.splitlines()[-1]), page[-80:]


@pytest.mark.parametrize(("case", "lang"), [("demo-1", "en"), ("demo-1", "fa"),
                                            ("crowded", "en"), ("crowded", "fa")])
def test_trend_chart_labels_print_at_least_seven_points(
        printed: dict[tuple[str, str], Printed], case: str, lang: str) -> None:
    report = printed[(case, lang)]
    assert 'id="trend"' in report.html
    # the chart's grid, widened by its axis labels (points: above, right, below, left)
    labels = chars_around_lines(report.pdf, GRID_COLOUR, (12, 28, 16, 28))
    digits = [char for char in labels if re.fullmatch(r"[0-9۰-۹]", str(char["text"]))]
    assert len(digits) >= 10  # the score axis and the dates at least
    smallest = min(float(str(char["size"])) for char in labels)
    assert smallest >= SMALLEST_LABEL_PT, smallest
