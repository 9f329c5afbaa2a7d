"""Every page of the app, visited in Persian, holds no English and no Latin digits outside
what users typed; visited in English, no Persian outside what users typed.

The routes come from the URL map: a new GET route is crawled as soon as it exists, and one
the crawl cannot reach fails `test_every_get_route_is_crawled_or_said_why_not` until it is
given values here or listed in `NOT_CRAWLED` with the reason. The world behind the crawl
has data of every kind: two clients (one named in Persian), assessments of each
questionnaire in each state, a named and an anonymous workshop, a proposed and an accepted
roadmap with finished, blocked and overdue milestones, evidence, a team, share links (an
executive in the middle of the walk and one whose assessment is complete) and a trend.

What is read on an HTML page is what a person reads or hears: text outside script and
style, and the attributes people read (title, placeholder, aria-label, alt, the value of
a button, and the messages the page's scripts show from its data attributes). Downloads
in the page's language are read too: CSV and XLSX headers and every text cell.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import Element

import openpyxl
import pytest
import tinyhtml5
from flask import Flask, abort
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from assessment.accounts import people
from assessment.extensions import db
from assessment.profiling import operations as profiling
from assessment.schema import CANONICAL_STAGE_IDS
from assessment.tables import Assessment, Client, Respondent, User

from .conftest import World
from .isolation import build_workspace, login, measured_upload, rules
from .persian import foreign_in_persian

#: GET routes whose body the crawl does not read as a page, and why. Each is still
#: requested (and must answer 200), except where said.
NOT_READ: dict[str, str] = {
    "static": "the app's own CSS and scripts (what the scripts show comes from the pages' "
              "data attributes and from crm.digits/crm.outOf, tested in test_browser.py)",
    "pages.healthz": "a probe for load balancers and monitors, not a page for people",
    "transfer.client_json": "a JSON file for moving a client to another installation: its "
                            "keys are code and its values user data and catalogue ids",
    "clients.client_logo": "an image the user uploaded",
    "rollout.evidence_download": "a file the user uploaded",
    "workshop.qr": "a QR code of the join address: no text",
    "profiling.progress": "how far a measurement is, as a number for the progress bar's "
                          "script (what the bar says comes from crm.digits)",
}
#: GET routes not requested at all, and why
NOT_CRAWLED: dict[str, str] = {
    "api.assessment_questions": "JSON API for programs (tests/test_api*.py); its messages "
                                "follow Accept-Language and are checked there",
    "api.assessment_scores": "JSON API for programs (tests/test_api*.py)",
    "api.list_clients": "JSON API for programs (tests/test_api*.py)",
    "api.openapi_document": "the API's description for programs, in English by design",
    "api.participant_answers": "JSON API for programs (tests/test_api*.py)",
    "api.participant_questions": "JSON API for programs (tests/test_api*.py)",
    "walk.report": "a PDF, rendered for seconds: its text is checked in both languages by "
                   "the report tests (tests/test_report.py, tests/pdfcheck.py)",
    "share.report": "the same PDF through the share link (tests/test_report.py)",
    "walk.report_docx": "the report's Word copy, made for seconds: its Persian text and "
                        "direction are checked in tests/test_word.py",
    "share.report_docx": "the same Word copy through the share link (tests/test_word.py)",
    "status.status_pdf": "a PDF, checked by tests/test_status_report.py",
}
#: GET routes that only send the visitor on, by design: where they lead is crawled
REDIRECTS: dict[str, str] = {
    "accounts.set_language": "remembers the language, then goes back to the page",
    "walk.resume": "goes to the first stage with unanswered questions",
    "share.resume": "goes to the executive's first stage with unanswered questions",
    "workshop.resume": "goes to the participant's first stage with unanswered questions",
    "workshop.resume_link": "a participant's personal link: remembers them, then resumes",
    "rollout.mine": "a client's own people land here: on to their milestones or their client",
}
#: attributes people read or hear; the rest (ids, classes, addresses) are code
READ_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "aria-valuetext")
#: data attributes whose value a page's script shows as a message
MESSAGE_DATA = re.compile(r"data-(saved|saving|unsaved|conflict|signed-out|expired|live|"
                          r"lost|confirm|agree-text|agree-note)$")
#: an address is code, in whichever language the page is
ADDRESS = re.compile(r"(?:https?://|mailto:)\S*")
#: where a page's script puts a number into a message ("{n} answers not saved yet")
PLACEHOLDER = re.compile(r"\{\w+\}")
PERSIAN_SCRIPT = re.compile(r"[\u0600-\u06ff\ufb50-\ufdff\ufe70-\ufeff]+")
#: the HTTP errors the app can answer with, each with its own page in the user's language
ERROR_CODES = (400, 401, 403, 404, 405, 409, 410, 413, 415, 429, 500, 503)
#: the crawl's own route that answers with any of those codes (and one that fails)
ERROR_ROUTE = "/__crawl-error/<int:code>"

CLIENT_EN = "Acme Trading & Sons (Tehran)"
CLIENT_FA = "بازرگانی پارس (Pars Retail)"
#: what people typed into the world, in either script: allowed on any page as it is
USER_TEXT = (
    CLIENT_EN, CLIENT_FA, "Retail", "Private notes", "Mina Rahimi", "Sales lead",
    "mina@example.com", "Baseline", "Seen it", "CEO", "Pat", "Agreed in the room",
    "Plan", "minutes.pdf", "Minutes", "integration", "ana@example.com", "ana",
    "Person 1", "Person 2", "Dana Executive", "Pari Participant", "Noted in the workshop",
    "Roll-out 2026", "Quarterly review", "Sara Ahmadi", "sara@example.com",
    "Project manager", "سارا احمدی", "مدیر فروش", "در جلسه توافق شد", "رضا کریمی",
    "ana's workspace", "ZZZZZZ",  # a workshop code a visitor typed
    "colleague-ana@example.com", "invited-ana@example.com", "reza@example.com",
    # a customer file's name and its column headers (isolation.CUSTOMER_FILE)
    "customers.csv", "Customer id", "Name", "Mobile", "Date", "Amount",
)
QUESTIONNAIRE_STATES = ("draft", "in_progress", "complete")


@dataclass
class Site:
    """The crawled world: path argument values, the secrets of its public pages, and the
    text its users typed."""

    app: Flask
    values: dict[str, list[Any]] = field(default_factory=dict)
    share_tokens: list[str] = field(default_factory=list)
    participant_tokens: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    #: an invitation's and a password reset's one-time links
    invitation_secret: str = ""
    reset_secret: str = ""
    main_assessment: int = 0
    allowed: list[str] = field(default_factory=list)


def build_site(app: Flask) -> Site:
    """A workspace with data of every kind, made through the app's own operations."""
    base = build_workspace(app, "ana@example.com", CLIENT_EN)
    world = World(app)
    catalog = world.catalog
    user_id = world.query(lambda s: s.scalar(select(User.id).where(
        User.email == "ana@example.com")))
    persian = world.client(user_id, name=CLIENT_FA)
    member = world.member(persian, "سارا احمدی", "مدیر فروش", "sara@example.com")
    world.member(persian, "Sara Ahmadi", "Project manager")
    titles: list[str] = []
    by_kind: dict[tuple[str, str], int] = {}
    for qid in catalog.questionnaires:
        for state in QUESTIONNAIRE_STATES:
            title = f"{qid} {state}"
            titles.append(title)
            if state == "draft":
                aid = world.assessment(persian, questionnaire=qid, title=title, share=True)
            else:
                aid = world.answered(
                    persian, lambda _p, n, _q: None if n % 7 == 6 else str(1 + n % 5),
                    respondents=2, questionnaire=qid, title=title, share=True,
                    comments=lambda _p, n, _q: "Noted in the workshop" if n % 5 == 0 else "",
                    flags=lambda _p, n, _q: n % 11 == 0, complete=state == "complete")
            by_kind[qid, state] = aid
    # a trend: the same questionnaire answered and completed three months before
    world.answered(persian, "3", questionnaire="core", title="Quarterly review",
                   completed_at=datetime(2026, 6, 1, 10, 0))
    # an anonymous workshop open on the workshop questionnaire, with an agreed answer
    anonymous = by_kind["workshop", "in_progress"]
    first = catalog.questionnaires["workshop"].questions[0].id
    room = world.workshop(anonymous, [("", "sales"), ("Pari Participant", "it"), ""],
                          answers="2", agreed={first: ("3", "در جلسه توافق شد")})
    # a proposed roadmap, and an accepted one with finished, blocked and late milestones
    world.roadmap(by_kind["core", "complete"], "swift", starts_on=date(2026, 9, 1),
                  title="Roll-out 2026")
    accepted = by_kind["executive", "complete"]
    plan = world.roadmap(accepted, "gartner", starts_on=date(2025, 1, 1), accepted=True,
                         owners=[member])
    world.move(plan.milestone_ids[0], "done", on=date(2025, 2, 1))
    world.move(plan.milestone_ids[1], "blocked", on=date(2025, 3, 1))
    world.move(plan.milestone_ids[2], "in_progress", 55, on=date(2025, 3, 1))
    with app.app_context():
        assessments = list(db.session.scalars(select(Assessment.id).order_by(Assessment.id)))
        shared = db.session.scalars(select(Assessment).where(
            Assessment.share_token.is_not(None)).order_by(Assessment.id))
        share_tokens = [a.share_token for a in shared]
        participant_tokens = list(db.session.scalars(select(Respondent.token).where(
            Respondent.kind == "participant", Respondent.token.is_not(None))))
        ana = db.session.get(User, user_id)
        assert ana is not None
        _invitation, invitation_secret = people.invite(
            ana.workspace, "reza@example.com", "team", ana, name="رضا کریمی",
            client=db.session.get(Client, persian))
        reset_secret = people.issue_reset(ana, by=ana)
        # the Persian client's customer data measured, and files waiting to be measured
        persian_client = db.session.get(Client, persian)
        measured = measured_upload(app, persian_client, ana.id)
        profile = profiling.store_profile(persian_client, measured,
                                          profiling.run_profile(measured, {}), ana.id)
        profile_id, waiting = profile.id, measured_upload(app, persian_client, ana.id).name
        db.session.commit()
    join_rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "workshop.join")
    return Site(
        app=app,
        values={
            "assessment_id": assessments,
            "client_id": [base["client_id"], persian],
            "milestone_id": [base["milestone_id"], *plan.milestone_ids[:4]],
            "member_id": [base["member_id"], member],
            "evidence_id": [base["evidence_id"]],
            "model_id": list(catalog.models),
            "question_id": [base["question_id"]],
            "stage": list(CANONICAL_STAGE_IDS),
            "filename": [base["filename"]],
            "profile_id": [base["profile_id"], profile_id],
            "upload": [base["upload"], waiting],
        },
        share_tokens=share_tokens, participant_tokens=participant_tokens,
        invitation_secret=invitation_secret, reset_secret=reset_secret,
        codes=[base["code"](join_rule), room.code], main_assessment=accepted,
        # question ids are code, in the exports' id column
        allowed=[*USER_TEXT, *titles, base["code"](join_rule), room.code,
                 *(q.id for qn in catalog.questionnaires.values() for q in qn.questions)],
    )


# --- reading what people read ----------------------------------------------------------


NATIVE_FILE_INPUT = re.compile(r"<input\b[^>]*\btype=\"file\"[^>]*>")


def readable(html: str, lang: str) -> Iterator[str]:
    """Each piece of text a person reads or hears on the page, in its language: text
    outside script and style, and the attributes people read. An element marked with
    another language (the language switch, a reference) is that language's, not the
    page's."""
    root = tinyhtml5.parse(html, namespace_html_elements=False)

    def walk(element: Element, inherited: str) -> Iterator[str]:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("script", "style", "template", "code", "kbd", "samp"):
            yield from _tail(element, inherited)
            return
        own = element.get("lang") or inherited
        if own == lang:
            yield from _attributes(element)
            if element.text and element.text.strip():
                yield element.text.strip()
        for child in element:
            yield from walk(child, own)
        yield from _tail(element, inherited)

    def _tail(element: Element, inherited: str) -> Iterator[str]:
        if inherited == lang and element.tail and element.tail.strip():
            yield element.tail.strip()

    yield from walk(root, lang)


def _attributes(element: Element) -> Iterator[str]:
    for name in READ_ATTRIBUTES:
        if element.get(name):
            yield element.get(name, "")
    for name, value in element.attrib.items():
        if MESSAGE_DATA.match(name) and value:
            yield value
    kind = element.get("type", "")
    if element.tag == "input" and kind in ("submit", "button", "reset") and element.get("value"):
        yield element.get("value", "")
    if element.tag == "input" and kind in ("", "text", "search", "email") and element.get("value"):
        yield element.get("value", "")


def foreign(text: str, lang: str, allowed: list[str]) -> list[str]:
    """What does not belong in a page of `lang`: foreign_in_persian for Persian; Persian
    script for English."""
    text = PLACEHOLDER.sub(" ", ADDRESS.sub(" ", text))
    if lang == "fa":
        return foreign_in_persian(text, allowed)
    rest = text
    for fragment in sorted(set(allowed), key=len, reverse=True):
        rest = rest.replace(fragment, " ")
    return PERSIAN_SCRIPT.findall(rest)


def spreadsheet_text(response: TestResponse) -> Iterator[str]:
    """The header and every text cell of a CSV or XLSX download. Numbers and ISO dates
    keep Latin digits in both languages, so spreadsheets can compute and sort with them
    (rollout/exports.py): a cell that is only a number or a date is not text."""
    if response.mimetype == "text/csv":
        for row in csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))):
            yield from (cell for cell in row if not _computable(cell))
        return
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    for sheet in book.worksheets:
        yield sheet.title
        for row in sheet.iter_rows(values_only=True):
            yield from (cell for cell in row if isinstance(cell, str) and not _computable(cell))


def _computable(cell: str) -> bool:
    return re.fullmatch(r"-?\d+(?:\.\d+)?|\d{4}-\d\d-\d\d(?:[ T][\d:.]+)?|", cell) is not None


# --- the crawl -------------------------------------------------------------------------


@dataclass(frozen=True)
class Visit:
    endpoint: str
    url: str
    who: str
    status: int
    kind: str
    found: tuple[tuple[str, tuple[str, ...]], ...]  #: (piece of text, what is foreign in it)


class Crawl:
    """Browsers for each kind of visitor, in one language: a consultant signed in, an
    executive with share links, a workshop participant, and somebody not signed in."""

    def __init__(self, site: Site, lang: str, sample: int = 1):
        """`sample`: every how many rows of each kind are visited (1: all of them)."""
        self.site, self.lang, self.sample = site, lang, sample
        app = site.app
        self.browsers: dict[str, FlaskClient] = {}
        for who in ("consultant", "executive", "participant", "visitor"):
            browser = app.test_client()
            browser.get(f"/language/{lang}")
            self.browsers[who] = browser
        login(self.browsers["consultant"], "ana@example.com")
        executive = self.browsers["executive"]
        for n, token in enumerate(site.share_tokens):
            executive.post(f"/s/{token}", data={"name": "Dana Executive", "role": "CEO"})
            if n % 3 == 1:  # a third answered in full and sent
                executive.post(f"/s/{token}/complete")
        for code in site.codes:
            response = self.browsers["participant"].post(
                f"/w/{code}", data={"name": "Pari Participant", "role": "it"})
            assert response.status_code == 302, (code, response.status_code)
        self.visits: list[Visit] = []

    def arguments(self, rule: Rule) -> tuple[str, list[dict[str, Any]]]:
        """Who visits the rule, and at which values of its arguments."""
        site, endpoint = self.site, rule.endpoint
        names = sorted(rule.arguments)
        values = {name: given[::self.sample] for name, given in site.values.items()}
        if endpoint == "accounts.set_language":
            return "visitor", [{"code": self.lang}]
        if endpoint.startswith("share."):
            return "executive", _stages(names, {**values, "token": site.share_tokens}, "token")
        if endpoint == "workshop.resume_link":
            return "visitor", [{"token": site.participant_tokens[0]}]
        if endpoint == "people.accept":
            return "visitor", [{"token": site.invitation_secret}]
        if endpoint == "people.reset":
            return "visitor", [{"token": site.reset_secret}]
        if "code" in rule.arguments:
            return "participant", _stages(names, {**values, "code": site.codes}, "code")
        who = "visitor" if endpoint in ("accounts.login", "workshop.enter_code",
                                     "people.forgot") else "consultant"
        return who, _stages(names, values, "assessment_id")

    def visit(self, who: str, url: str, endpoint: str) -> Visit:
        visit = self.read(who, url, endpoint, self.browsers[who].get(url))
        self.visits.append(visit)
        return visit

    def read(self, who: str, url: str, endpoint: str, response: TestResponse) -> Visit:
        """What is foreign in the response, if it is a page or a spreadsheet to read."""
        kind = _kind(response)
        found: list[tuple[str, tuple[str, ...]]] = []
        if kind in ("html", "spreadsheet"):  # an error page, too, where a file was asked for
            pieces = (readable(response.get_data(as_text=True), self.lang) if kind == "html"
                      else spreadsheet_text(response))
            for piece in pieces:
                bad = foreign(piece, self.lang, self.site.allowed)
                if bad:
                    found.append((piece[:160], tuple(bad)))
            if kind == "html":
                # A browser labels its own file control in its own language ("Choose
                # File"): a file input is hidden behind a label in the page's words.
                found += [(tag[:160], ("a file input the browser labels",))
                          for tag in NATIVE_FILE_INPUT.findall(response.get_data(as_text=True))
                          if "file-pick-input" not in tag]
        response.close()
        return Visit(endpoint, url, who, response.status_code, kind, tuple(found))

    def run(self) -> list[Visit]:
        app = self.site.app
        for rule in rules(app, lambda rule: "GET" in (rule.methods or ())):
            if rule.endpoint in NOT_CRAWLED or rule.rule == ERROR_ROUTE:
                continue
            who, cases = self.arguments(rule)
            for arguments in cases:
                with app.test_request_context():
                    url = app.url_for(rule.endpoint, **arguments)
                self.visit(who, url, rule.endpoint)
        # pages reached by what people do rather than by a route of their own
        self.visit("visitor", "/", "pages.home")
        self.visit("visitor", "/no/such/page", "404: no such page")
        self.visit("consultant", "/logout", "405: a GET where only POST is allowed")
        self.visit("participant", "/w/ZZZZZZ", "workshop.join: no such workshop")
        self.visit("visitor", "/invitations/no-such-link", "people.accept: a dead link")
        self.visit("consultant", f"/invitations/{self.site.invitation_secret}",
                   "people.accept: signed in as someone else")
        for code in ERROR_CODES:
            self.visit("consultant", ERROR_ROUTE.replace("<int:code>", str(code)),
                       f"the {code} error page")
        self.visit("consultant", ERROR_ROUTE.replace("<int:code>", "0"),
                   "500: an exception in a view")
        self.rate_limited()
        return self.visits

    def rate_limited(self) -> None:
        """The pages of a rate limit, reached for real: downloads, and joining a workshop."""
        app, site = self.site.app, self.site
        app.config["REPORT_RATELIMIT_DOWNLOAD"] = "1 per hour"
        app.config["WORKSHOP_RATELIMIT_JOIN"] = "1 per hour"
        try:
            url = f"/assessments/{site.main_assessment}/export/findings.csv"
            self.browsers["consultant"].get(url)
            self.visit("consultant", url, "429: too many downloads")
            joining = self.site.app.test_client()
            joining.get(f"/language/{self.lang}")
            for _ in range(2):
                response = joining.post(f"/w/{site.codes[0]}", data={"name": "", "role": "it"})
            self.visits.append(self.read("visitor", f"/w/{site.codes[0]}",
                                         "429: too many people joining", response))
            forgetful = self.site.app.test_client()
            forgetful.get(f"/language/{self.lang}")
            for _ in range(4):
                response = forgetful.post("/password/forgot", data={"email": "ana@example.com"})
            self.visits.append(self.read("visitor", "/password/forgot",
                                         "429: too many reset links asked for", response))
        finally:
            app.config["REPORT_RATELIMIT_DOWNLOAD"] = "10000 per minute"
            app.config["WORKSHOP_RATELIMIT_JOIN"] = "1000 per minute"


def _stages(names: list[str], values: dict[str, list[Any]],
            by: str) -> list[dict[str, Any]]:
    """A walk's stages: every stage of every fourth `by` (assessment, link, workshop),
    the first stage of the others; without a stage argument, every combination."""
    if "stage" not in names:
        return _product(names, values)
    return [*_product(names, {**values, by: values[by][::4]}),
            *_product(names, {**values, by: [v for n, v in enumerate(values[by]) if n % 4],
                              "stage": values["stage"][:1]})]


def _product(names: list[str], values: dict[str, list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(names, combo, strict=True))
            for combo in itertools.product(*(values[name] for name in names))]


def _kind(response: TestResponse) -> str:
    mimetype = response.mimetype or ""
    if mimetype == "text/html":
        return "html"
    if mimetype == "text/csv" or "spreadsheetml" in mimetype:
        return "spreadsheet"
    return mimetype


def add_error_route(app: Flask) -> None:
    """A route answering with any HTTP error code, and with a failure for code 0: the
    app's error pages, each in the user's language, without a way to cause each for real
    (the app never answers 403, for one: another workspace's row is 404)."""
    def fail(code: int) -> Any:
        if code == 0:
            raise RuntimeError("a view that fails")
        abort(code)

    app.add_url_rule(ERROR_ROUTE, "crawl_error", fail)
    app.config["PROPAGATE_EXCEPTIONS"] = False


@pytest.fixture
def site(app: Flask) -> Site:
    add_error_route(app)
    # the crawl downloads every export of every assessment: far more than a person would
    app.config["REPORT_RATELIMIT_DOWNLOAD"] = "10000 per minute"
    return build_site(app)


def _report(visits: list[Visit]) -> str:
    """Each foreign piece once, with the pages it was found on."""
    where: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for visit in visits:
        for piece, bad in visit.found:
            where.setdefault((piece, bad), []).append(f"{visit.url} ({visit.endpoint})")
    return "\n".join(f"{list(bad)} in «{piece}» on {len(pages)} pages: {', '.join(pages[:3])}"
                     for (piece, bad), pages in where.items())


def _unreached(app: Flask, visits: list[Visit]) -> dict[str, str]:
    """GET routes of the URL map the crawl did not see as intended, and what it saw."""
    seen: dict[str, list[Visit]] = {}
    for visit in visits:
        seen.setdefault(visit.endpoint, []).append(visit)
    wrong = {}
    for rule in rules(app, lambda rule: "GET" in (rule.methods or ())):
        endpoint = rule.endpoint
        if endpoint in NOT_CRAWLED or rule.rule == ERROR_ROUTE:
            continue
        got = seen.get(endpoint, [])
        if endpoint in REDIRECTS:
            ok = any(300 <= v.status < 400 for v in got)
        elif endpoint in NOT_READ:
            ok = any(v.status == 200 and v.kind not in ("html", "spreadsheet") for v in got)
        else:  # its own page (or download) read at least once, and read in full
            ok = any(v.status == 200 and v.kind in ("html", "spreadsheet") for v in got)
        if not ok:
            wrong[endpoint] = ", ".join(f"{v.url}: {v.status} {v.kind}" for v in got) or "never"
    return wrong


def test_every_get_route_is_crawled_or_said_why_not(app: Flask) -> None:
    """The lists above name only routes that exist, and every other GET route is given
    values by the crawl (`Crawl.arguments`)."""
    gets = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())}
    listed = NOT_CRAWLED.keys() | NOT_READ.keys() | REDIRECTS.keys()
    assert listed - gets == set()
    arguments = {name for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
                 and rule.endpoint not in NOT_CRAWLED for name in rule.arguments}
    # values come from Site.values, except the secrets the crawl fills itself
    assert arguments - {"assessment_id", "client_id", "milestone_id", "member_id",
                        "evidence_id", "model_id", "question_id", "stage", "filename",
                        "profile_id", "upload", "token", "code"} == set()


@pytest.mark.parametrize(("lang", "sample"), [("fa", 1), ("en", 2)])
def test_every_page_is_in_the_chosen_language(site: Site, lang: str, sample: int) -> None:
    """In Persian: no English word or Latin digit outside user data on any page, error
    page or spreadsheet; in English (every other row, to save time: its pages come from
    the same templates): no Persian outside user data."""
    visits = Crawl(site, lang, sample).run()
    unreached = _unreached(site.app, visits)
    assert unreached == {}, "\n".join(f"{k}: {v[:300]}" for k, v in unreached.items())
    pages = [v for v in visits if v.kind in ("html", "spreadsheet")]
    assert len(pages) >= 300 // sample, len(pages)
    errors = {v.endpoint: v.status for v in visits if v.endpoint.startswith("the ")}
    assert errors == {f"the {code} error page": code for code in ERROR_CODES}
    failed = [v for v in visits if v.endpoint == "500: an exception in a view"]
    assert [(v.status, v.kind) for v in failed] == [(500, "html")]
    limited = [v for v in visits if v.endpoint.startswith("429")]
    assert [(v.status, v.kind) for v in limited] == [(429, "html")] * 3
    dead = [(v.endpoint, v.status) for v in visits if v.endpoint.startswith("people.accept:")]
    assert dead == [("people.accept: a dead link", 404),
                    ("people.accept: signed in as someone else", 403)]
    report = _report(visits)
    assert report == "", f"{len(visits)} visits\n{report}"
