"""The readiness report as a deliverable, page by page, in both languages.

One session-scoped fixture renders every case once: the demo's assessments (a Latin-named
client's workshop, the Persian client's workshop, the executive check-in) and the edge
cases (no answers; one respondent with a few answers; a 200-character mixed Persian and
English client name with long, repeated and mixed-script comments, agreed notes and a URL).
The tests then read those PDFs with coordinates (tests/pdfcheck.py) and the Persian ones
with the one Persian-text check (tests/persian.py). The tests at the end show that each
check finds the defect it is there for, on small WeasyPrint pages.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pdfplumber
import pytest
import yaml
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from assessment.accounts.operations import create_user
from assessment.catalog import data_dir
from assessment.clients.operations import create_assessment, save_client
from assessment.customerdata import profile_files
from assessment.extensions import db
from assessment.printing.render import render_pdf_here
from assessment.printing.report import COMMENTS_IN_ALL, COMMENTS_PER_QUESTION, build_html
from assessment.tables import AgreedAnswer, Answer, Assessment, DataProfile, Respondent, Roadmap
from assessment.walk.operations import save_answer
from assessment.web import get_catalog
from assessment.workshop import operations as workshop_ops

from .conftest import app_in
from .helpers import squash
from .pdfcheck import PageLayout, drawn_outside, page_layouts, page_texts, thin_of, thin_pages
from .persian import KEPT_LATIN, foreign_in_persian

#: The report's @page margins, top and bottom (reports/report.css)
MARGINS_MM = (20.0, 18.0)
LANGS = ("en", "fa")
#: Acronyms the catalogue's Persian texts keep in Latin («خودکارسازی نیروی فروش (SFA)»)
CATALOGUE_ACRONYMS = frozenset({"SFA", "EMA"})
#: Code a report may print as it is
CODE = ("docs/scoring.md", "docs/customer-data.md")

LONG_NAME = ("بانک ملت (Bank Mellat) & Co. — شعبه‌ی مرکزی تهران، واحد مدیریت ارتباط با مشتری "
             "[CRM Office] و همکاران (Partners & Advisors) — برنامه‌ی ملی وفاداری مشتریان "
             "(National Loyalty) ۱۴۰۵ — دفتر اصفهان")
LONG_COMMENT = ("Branches keep their own customer lists and the head office merges them by "
                "hand every quarter; nobody owns the merged list, duplicates pile up and the "
                "call centre cannot see what a branch promised. " * 3).strip()
MIXED_COMMENT = "شعبه‌ها فهرست خود را دارند (own lists) و CRM فقط در دفتر مرکزی (HQ) است."
SAME_COMMENT = "Same as last year."
URL_NOTE = "Agreed after the review, see https://intranet.example/crm/review?id=42&lang=fa"
MIXED_NOTE = "توافق شد (agreed) پس از بحث با team فروش & خدمات."


@dataclass
class Case:
    """One assessment rendered in both languages, with what its users typed."""

    name: str
    assessment_id: int
    user_texts: list[str] = field(default_factory=list)
    html: dict[str, str] = field(default_factory=dict)
    pdf: dict[str, bytes] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)  #: per page, in reading order
    layouts: dict[str, list[PageLayout]] = field(default_factory=dict)


def _empty(app: Flask) -> int:
    with app.app_context():
        user = create_user("empty@example.com", "correct-horse", name="Empty",
                           workspace_name="Empty Consulting")
        client = save_client(user.workspace, {"name": "Nobody Answered Ltd", "sector": "Retail"})
        assessment = create_assessment(get_catalog(app), client, title="Not started yet",
                                       questionnaire_id="workshop", share=False)
        db.session.commit()
        return assessment.id


def _thin(app: Flask) -> int:
    """One respondent, five answers, two comments."""
    with app.app_context():
        catalog = get_catalog(app)
        user = create_user("thin@example.com", "correct-horse", name="Thin",
                           workspace_name="Thin Advisory")
        client = save_client(user.workspace, {"name": "Few Answers Co", "sector": "Retail"})
        assessment = create_assessment(catalog, client, title="A first try",
                                       questionnaire_id="executive", share=False)
        person = Respondent(assessment=assessment, kind="participant", name="Person 1")
        db.session.add(person)
        db.session.flush()
        for n, question in enumerate(catalog.questionnaires["executive"].questions[:5]):
            save_answer(catalog, person, question.id, value=str(n % 4),
                        comment="Only a guess" if n < 2 else "")
        db.session.commit()
        return assessment.id


#: a customer list without dates (identification only): values that must never be printed
LIST_VALUES = ("Shirin Kazemi", "09121234567", "shirin@example.com", "0013542419")


def _customer_list(app: Flask, folder: Path) -> int:
    """A workshop answered by three people, and a profile of a customer list without dates
    (so no pyramid and no RFM): the data page with identification alone."""
    with app.app_context():
        catalog = get_catalog(app)
        user = create_user("list@example.com", "correct-horse", name="List",
                           workspace_name="List Advisory")
        client = save_client(user.workspace, {"name": "Kavir Insurance", "sector": "Insurance"})
        assessment = create_assessment(catalog, client, title="Data first",
                                       questionnaire_id="workshop", share=False)
        for p in range(3):
            person = Respondent(assessment=assessment, kind="participant", name=f"P{p}")
            db.session.add(person)
            db.session.flush()
            for n, question in enumerate(catalog.questionnaires["workshop"].questions):
                save_answer(catalog, person, question.id, value=str((n + p) % 5))
        lines = ["name,mobile,email,national id"]
        lines += [f"{LIST_VALUES[0]},{LIST_VALUES[1]},{LIST_VALUES[2]},{LIST_VALUES[3]}"] * 2
        lines += [f"Customer {n},0912{n:07d},{'' if n % 3 else f'c{n}@example.com'},"
                  for n in range(60)]
        path = folder / "customers.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        result = profile_files([path]).to_json()
        path.unlink()
        db.session.add(DataProfile(client=client, rows=result["rows"],
                                   customers=result["customers"], score=result["score"],
                                   unit="", result=result))
        db.session.commit()
        return assessment.id


def _long(app: Flask) -> int:
    """The 200-character mixed name; eight participants, long, repeated and mixed-script
    comments; agreed answers with a URL and a mixed-script note."""
    assert 190 <= len(LONG_NAME) <= 200
    with app.app_context():
        catalog = get_catalog(app)
        user = create_user("long@example.com", "correct-horse", name="Long",
                           workspace_name="Mehr & Partners (مشاوران مهر) Consulting")
        client = save_client(user.workspace, {"name": LONG_NAME, "sector": "Banking"})
        assessment = create_assessment(catalog, client, title="ارزیابی پایه (Baseline) ۱۴۰۵",
                                       questionnaire_id="workshop", share=False)
        room = workshop_ops.open_workshop(assessment, named=True)
        people = [workshop_ops.join(room, f"مریم (Maryam) {n}", "sales")
                  for n in range(8)]
        questions = catalog.questionnaires["workshop"].questions
        for p, person in enumerate(people):
            for n, question in enumerate(questions):
                comment = (SAME_COMMENT if p < 6 else
                           LONG_COMMENT if p == 6 and n % 3 == 0 else
                           MIXED_COMMENT if p == 7 and n % 2 == 0 else "")
                save_answer(catalog, person, question.id, value=str((p + n) % 6),
                            comment=comment)
        workshop_ops.record_agreed(catalog, assessment, questions[0].id, "3", URL_NOTE)
        workshop_ops.record_agreed(catalog, assessment, questions[1].id, "2", MIXED_NOTE)
        workshop_ops.close_workshop(room)
        db.session.commit()
        return assessment.id


def _user_texts(app: Flask, assessment_id: int) -> list[str]:
    """Everything a user typed that the report may print for this assessment (it prints no
    respondent's name: the consensus chapter and the appendix count people, never name
    them; the roadmap page names the team members who own milestones)."""
    with app.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment is not None
        comments = db.session.scalars(select(Answer.comment).join(Respondent)
                                      .where(Respondent.assessment_id == assessment_id))
        notes = db.session.scalars(select(AgreedAnswer.note)
                                   .where(AgreedAnswer.assessment_id == assessment_id))
        # the roadmap page names the client's team members who own milestones, and a
        # custom roadmap by its title (milestone titles made from the catalogue are not
        # the users' words, and the demo's are in the report's language)
        planned = db.session.scalars(select(Roadmap.title).join(Assessment)
                                     .where(Assessment.client_id == assessment.client_id))
        team = [member.name for member in assessment.client.team]
        texts = [assessment.client.name, assessment.title, assessment.client.workspace.name,
                 *comments, *notes, *team, *planned]
        return list(dict.fromkeys(t.strip() for t in texts if t and t.strip()))


def _citations() -> list[str]:
    found = []
    for path in [*data_dir("models").glob("*.yaml"), *data_dir("questionnaires").glob("*.yaml")]:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [" ".join(s["citation"].split()) for s in document.get("sources", [])]
    return found


@pytest.fixture(scope="session")
def cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Case]]:
    """Every case rendered once per test session, in both languages (about a minute)."""
    with app_in(tmp_path_factory.mktemp("quality"), demo=True) as app:
        with app.app_context():
            demo = {a.title: a.id for a in db.session.scalars(select(Assessment))}
        found = {
            # the demo's baseline workshops: 1 (a Latin-named client), 5 (the Persian client)
            "demo-latin": Case("demo-latin", 1),
            "demo-persian": Case("demo-persian", 5),
            "empty": Case("empty", _empty(app)),
            "thin": Case("thin", _thin(app)),
            "long": Case("long", _long(app)),
            "customer-list": Case("customer-list", _customer_list(
                app, tmp_path_factory.mktemp("customer-list"))),
        }
        assert len(demo) >= 6
        for case in found.values():
            case.user_texts = _user_texts(app, case.assessment_id)
            for lang in LANGS:
                with app.app_context():
                    case.html[lang] = build_html(db.session.get(Assessment, case.assessment_id),
                                                 lang)
                case.pdf[lang] = render_pdf_here(case.html[lang])
                case.texts[lang] = [page.extract_text() or "" for page in
                                    PdfReader(io.BytesIO(case.pdf[lang])).pages]
                case.layouts[lang] = page_layouts(case.pdf[lang], MARGINS_MM)
        yield found


CASES = ("demo-latin", "demo-persian", "empty", "thin", "long", "customer-list")
EVERY = [(name, lang) for name in CASES for lang in LANGS]


@pytest.mark.parametrize(("name", "lang"), EVERY)
def test_nothing_is_drawn_outside_a_page(cases: dict[str, Case], name: str, lang: str) -> None:
    assert [found for page in cases[name].layouts[lang] for found in page.outside] == []


@pytest.mark.parametrize(("name", "lang"), EVERY)
def test_no_page_but_the_cover_and_the_last_is_nearly_empty(cases: dict[str, Case], name: str,
                                                            lang: str) -> None:
    assert thin_of(cases[name].layouts[lang]) == []


@pytest.mark.parametrize("name", CASES)
def test_persian_reports_have_no_latin_outside_user_text_code_and_references(
        cases: dict[str, Case], name: str) -> None:
    """The sources (English references, set left to right) close the report; before them
    every Latin word or digit must be one the users typed. Text extracted from a PDF keeps
    mixed-script user text in its own order, not always whole, so a user's words are
    allowed one by one as well as whole."""
    case = cases[name]
    pages = case.texts["fa"]
    if name != "empty":
        cut = next(n for n in range(len(pages) - 1, -1, -1) if "منابع" in pages[n])
        start = pages[cut].rindex("منابع")
        references = " ".join([pages[cut][start:], *pages[cut + 1:]])
        cited = {word for citation in _citations()
                 for word in re.findall(r"[A-Za-z0-9]+", citation)}
        assert [word for word in re.findall(r"[A-Za-z0-9]+", references)
                if word not in cited | typed_words(case)] == []
        pages = [*pages[:cut], pages[cut][:start]]
    typed = typed_words(case)
    leaks = {number: rest for number, text in enumerate(pages, start=1)
             if (rest := [found for found in
                          foreign_in_persian(text, [*case.user_texts, *CODE],
                                             kept=KEPT_LATIN | CATALOGUE_ACRONYMS)
                          if found not in typed])}
    assert leaks == {}


@pytest.mark.parametrize("name", CASES)
def test_persian_reports_write_lists_with_the_persian_comma(cases: dict[str, Case],
                                                            name: str) -> None:
    """Outside what users typed and the references (isolated, so left out here), a Persian
    report has no Latin comma: lists are joined by i18n.join_words («، » and « و »)."""
    parser = _Isolation()
    parser.feed(cases[name].html["fa"])
    ours = [chunk for isolated, chunk in parser.chunks if not isolated]
    assert [chunk for chunk in ours if "," in chunk] == []


def typed_words(case: Case) -> set[str]:
    """The Latin words and digit runs in what the users typed."""
    return {word for text in case.user_texts for word in re.findall(r"[A-Za-z0-9]+", text)}


class _Isolation(HTMLParser):
    """The text of <body>, chunk by chunk, each marked as isolated or not: inside a <bdi>
    or an element with a dir attribute (other than <html> itself)."""

    VOID = frozenset({"br", "img", "meta", "link", "hr", "input", "col", "wbr", "source"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []
        self.in_body = False
        self.chunks: list[tuple[bool, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            self.in_body = True
        if tag in self.VOID:
            return
        isolated = tag == "bdi" or (tag != "html" and any(k == "dir" for k, _ in attrs))
        self.stack.append(isolated or bool(self.stack and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.in_body and data.strip():
            self.chunks.append((bool(self.stack and self.stack[-1]), data))


def bare_user_text(html: str, user_texts: list[str]) -> list[str]:
    """The user texts found in the body of `html` outside any isolating element."""
    parser = _Isolation()
    parser.feed(html)
    bare = [chunk for isolated, chunk in parser.chunks if not isolated]
    return [text for text in user_texts if any(text in chunk for chunk in bare)]


@pytest.mark.parametrize(("name", "lang"), EVERY)
def test_every_user_entered_field_is_isolated(cases: dict[str, Case], name: str,
                                              lang: str) -> None:
    case = cases[name]
    html = case.html[lang]
    assert bare_user_text(html, case.user_texts) == []
    # the fields every report prints are there, each in a <bdi> of its own direction
    parser = _Isolation()
    parser.feed(html)
    isolated = " ".join(chunk for flag, chunk in parser.chunks if flag)
    for text in case.user_texts[:3]:  # client name, title, workspace
        assert text in isolated


def test_the_isolation_check_finds_a_bare_user_text() -> None:
    html = ("<html dir='rtl'><body><h1>Bank (بانک) &amp; Co</h1>"
            "<p><bdi dir='ltr'>Safe (امن)</bdi></p></body></html>")
    assert bare_user_text(html, ["Bank (بانک) & Co", "Safe (امن)"]) == ["Bank (بانک) & Co"]


@pytest.mark.parametrize("lang", LANGS)
def test_the_mixed_client_name_keeps_its_visual_order(cases: dict[str, Case], lang: str) -> None:
    """pdfplumber reads lines left to right as drawn. Isolated as right-to-left, the name's
    first words «بانک ملت» end its first line on the right, the Latin words in brackets sit
    to their left with the brackets drawn around them, and "& Co." further left. Unisolated
    in the English report the same line starts with «بانک ملت» on the left."""
    with pdfplumber.open(io.BytesIO(cases["long"].pdf[lang]), pages=[1, 3]) as document:
        cover, third = (page.extract_text() for page in document.pages)
    line = next(line for line in cover.splitlines() if "Bank Mellat" in line)
    assert line.rstrip().endswith("تلم کناب"), line   # «بانک ملت», drawn right to left
    assert re.search(r"\.Co & \)Bank Mellat\( تلم کناب$", line.rstrip()), line
    header = third.splitlines()[0]
    assert ")Bank Mellat( تلم کناب" in header, header


def test_the_visual_order_check_fails_on_an_unisolated_name() -> None:
    from weasyprint import HTML

    html = (f"<html><body style='font-family: Vazirmatn'><p>Client: {LONG_NAME[:28]}</p>"
            "</body></html>")
    line = page_texts(HTML(string=html).write_pdf())[0].splitlines()[0]
    assert not line.rstrip().endswith("تلم کناب")


# --- the board page ------------------------------------------------------------------------

#: the board page's heading, the heading of its last part, and the heading of the chapter
#: that follows it
BOARD = {"en": ("The board's page", "The decision asked of the board", "Evidence and readiness"),
         "fa": ("صفحه‌ی هیئت‌مدیره", "تصمیمی که از هیئت‌مدیره خواسته می‌شود", "شواهد و آمادگی")}


@pytest.mark.parametrize(("name", "lang"), [(name, lang) for name in CASES if name != "empty"
                                            for lang in LANGS])
def test_the_board_page_is_the_page_after_the_cover_and_fits_on_it(
        cases: dict[str, Case], name: str, lang: str) -> None:
    """Page two holds the whole board page, from its heading to the decision asked of the
    board; the next chapter starts page three, and nothing of the board is left there."""
    pages = [squash(text) for text in cases[name].texts[lang]]
    heading, decision, following = (squash(text) for text in BOARD[lang])
    assert heading in pages[1]
    assert decision in pages[1]
    assert decision not in pages[0]  # the cover lists the board page, it does not hold it
    assert following in pages[2]
    assert following not in pages[1]
    assert heading not in pages[2]
    assert decision not in pages[2]
    if lang == "en":  # the decision itself (Persian lines with Latin words come out reordered)
        asked = re.search(r'<p class="decision">(.*?)</p>', cases[name].html[lang], re.S)
        assert asked is not None
        assert squash(asked.group(1)) in pages[1]


# --- what the edge cases say -------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_an_assessment_without_answers_is_a_cover_and_one_page_saying_what_is_missing(
        cases: dict[str, Case], lang: str) -> None:
    case = cases["empty"]
    texts = case.texts[lang]
    assert len(texts) == 2
    body = " ".join(texts[1].split())
    if lang == "en":
        assert "What is missing" in body
        assert "There are no answers with a level yet" in body
        assert "How to collect answers" in body
        assert "Start the walk" in body
        for good_news in ("No gate fails", "Ready", "Strongest stages"):
            assert good_news not in body
    else:
        assert "چه چیزی کم است" in body
        assert "شروع ارزیابی" in body
        assert "آماده" not in body


@pytest.mark.parametrize("lang", LANGS)
def test_a_thin_assessment_says_so_first(cases: dict[str, Case], lang: str) -> None:
    summary = " ".join(cases["thin"].texts[lang][1].split())
    if lang == "en":
        assert "This report rests on little evidence: only 5 of" in summary
        assert "One person answered alone" in summary
    else:
        assert "این گزارش بر شواهد اندکی تکیه دارد: تنها ۵ از" in summary


@pytest.mark.parametrize("lang", LANGS)
def test_the_appendix_groups_identical_comments_and_caps_them(cases: dict[str, Case],
                                                              lang: str) -> None:
    case = cases["long"]
    html = case.html[lang]
    assert html.count(SAME_COMMENT) <= 60
    assert "×&nbsp;6" in html or "×&nbsp;۶" in html
    printed = html.count('<span class="comment">')
    assert printed == COMMENTS_IN_ALL
    assert COMMENTS_PER_QUESTION < 6
    if lang == "en":
        assert "Every comment is in the Excel export, “Findings and milestones (Excel)”" in html
        assert re.search(r"and \d+ more comments", html)
    else:
        assert "همه‌ی توضیح‌ها در خروجی Excel با نام «یافته‌ها و نقطه‌های عطف (Excel)»" in html
    # 8 people × 30 questions of comments still fit a report of a reasonable length (29
    # pages before the caps; the board page and the roadmap for approval add two)
    assert len(case.texts[lang]) <= 20


@pytest.mark.parametrize(("name", "lang"), EVERY)
def test_each_work_is_listed_once_left_to_right(cases: dict[str, Case], name: str,
                                                lang: str) -> None:
    html = cases[name].html[lang]
    if name == "empty":
        assert "class=\"sources\"" not in html
        return
    items = re.findall(r'<li><bdi dir="ltr">(.*?)</bdi></li>', html.split('class="sources"')[1])
    assert items
    keys = [_work(item) for item in items]
    assert len(keys) == len(set(keys)), items


def _work(citation: str) -> tuple[str, str]:
    """A work's key: its first author's surname (or body) and its first year."""
    surname = next(w for w in re.findall(r"[A-Z][a-z]{2,}", citation))
    year = re.search(r"\b(1[89]|20)\d\d\b", citation)
    return surname, year.group(0) if year else ""


def test_the_catalogue_cites_each_work_in_one_style() -> None:
    by_work: dict[tuple[str, str], set[str]] = {}
    for citation in _citations():
        by_work.setdefault(_work(citation), set()).add(citation)
    assert {work: styles for work, styles in by_work.items() if len(styles) > 1} == {}


@pytest.mark.parametrize("name", ["demo-latin", "demo-persian", "long"])
def test_persian_copy(cases: dict[str, Case], name: str) -> None:
    """One colon in a level's name, plural by ngettext, no arrows or Latin commas in the
    answers by level, no guillemets around comments, the method heading printed once."""
    fa = " ".join(" ".join(cases[name].texts["fa"]).split())
    en = " ".join(" ".join(cases[name].texts["en"]).split())
    assert "respondent(s)" not in en
    assert not re.search(r"Maturity level: \d: ", en)
    assert not re.search(r"Level: \d: ", en)
    # "answers by level" as a list of counts, no arrows between digits to mirror
    html = cases[name].html["en"] + cases[name].html["fa"]
    assert not re.search(r"[0-9۰-۹][→←][0-9۰-۹]", html)
    assert "«" not in cases[name].html["en"].split('id="appendix"')[1]
    assert en.count("How the scores were computed") == 2  # in the contents, as a heading
    assert "How scores are computed" not in en
    assert "امتیازها چگونه محاسبه می‌شوند".replace("\u200c", "") not in fa.replace("\u200c", "")


# --- the checks find what they are for --------------------------------------------------

PAGE = ("<style>@page { size: A4; margin: 20mm 18mm 18mm 18mm; } "
        "body { font: 10pt Vazirmatn; }</style>")


def _pdf(body: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=f"<html><head>{PAGE}</head><body>{body}</body></html>").write_pdf())


def test_a_block_off_the_page_is_found() -> None:
    fine = _pdf("<p>Inside</p>")
    off = _pdf("<p>Inside</p><div style='position: absolute; left: 190mm; top: 10mm; "
               "width: 60mm; background: #000; height: 5mm'>Off the edge</div>")
    assert drawn_outside(fine) == []
    found = drawn_outside(off)
    assert {o.kind for o in found} >= {"char", "rect"}
    assert [o for page in page_layouts(off, MARGINS_MM) for o in page.outside] == found


def test_a_page_with_two_lines_is_found() -> None:
    full = "<p>" + "A line of text. " * 40 + "</p>"
    two = _pdf(f"{full}<p style='break-before: page'>One.</p><p>Two.</p>"
               f"<div style='break-before: page'>{full * 8}</div><p>The end.</p>")
    thin = thin_pages(two, MARGINS_MM)
    assert thin == [2]
    assert thin_of(page_layouts(two, MARGINS_MM)) == thin
    assert thin_pages(_pdf(full * 30), MARGINS_MM) == []


# --- customer data as measured -------------------------------------------------------------

#: the page's heading, its pyramid's heading and the RFM segments table's last column
#: (a heading with a Latin word comes out of a Persian PDF reordered)
DATA_PAGE = {"en": ("Customer data as measured", "Customer pyramid", "Share of revenue"),
             "fa": ("داده‌های مشتری، آن‌گونه که سنجیده شد", "هرم مشتری", "سهم از درآمد")}


def _pages_with(case: Case, lang: str, text: str) -> list[int]:
    return [n for n, page in enumerate(case.texts[lang]) if squash(text) in squash(page)]


@pytest.mark.parametrize("lang", LANGS)
def test_a_client_with_customer_data_gets_its_page_with_the_three_charts(
        cases: dict[str, Case], lang: str) -> None:
    """The demo's English client has a baseline profile: its page starts a page of its own
    after the six stages and holds the pyramid, the grid and the completeness bars; the
    Persian client, without a profile, has no such page."""
    case = cases["demo-latin"]
    heading, pyramid, rfm = DATA_PAGE[lang]
    html = case.html[lang]
    assert html.count('class="pyramid"') == html.count('class="rfm-grid"') == 1
    assert html.count('class="completeness"') == 1
    start = _pages_with(case, lang, heading)[-1]  # the contents list it too
    assert start in _pages_with(case, lang, pyramid)
    # the grid and its table on the same page, or the next
    assert {start, start + 1} & set(_pages_with(case, lang, rfm))
    assert html.index('id="stages"') < html.index('id="customer-data"') < html.index(
        'id="models"')
    assert 'id="customer-data"' not in cases["demo-persian"].html[lang]
    # the measured level beside the stated one, flagged when a level apart
    assert 'class="board-figures data-levels"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_a_customer_list_without_dates_gets_identification_alone(cases: dict[str, Case],
                                                                 lang: str) -> None:
    case = cases["customer-list"]
    html = case.html[lang]
    assert 'id="customer-data"' in html
    assert 'class="completeness"' in html
    assert 'class="pyramid"' not in html
    assert 'class="rfm-grid"' not in html
    text = " ".join(case.texts[lang])
    assert ("identification only" if lang == "en" else "فقط شناسایی") in text
    # nothing from the file: only counts and shares
    for value in LIST_VALUES:
        assert value not in html
        assert value not in text
