"""The walk in a real browser (Debian's headless Chromium), in English and in Persian.

A real server (`crm-maturity serve`, Granian) runs on a free local port with its own
SQLite file. Screenshots land in build/screenshots/ for a person to look at.
"""

from __future__ import annotations

import itertools
import os
import re
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect, sync_playwright

from assessment.demo import ENGLISH, PERSIAN
from tests.helpers import PERSIAN_DIGITS, free_port
from tests.persian import foreign_in_persian

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots"
CHROMIUM = os.environ.get("CRM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = tmp_path_factory.mktemp("browser-instance")
    port = free_port()
    env = {**os.environ, "CRM_INSTANCE_PATH": str(instance), "CRM_SECRET_KEY": "browser-tests"}
    env.pop("DATABASE_URL", None)
    env.pop("CRM_CATALOG_DIR", None)
    log = (instance / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "assessment.cli", "serve", "--port", str(port), "--workers", "1",
         "--demo"], env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):  # noqa: S310 - local
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                pytest.fail("the server did not start:\n" + (instance / "server.log").read_text())
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: run `make sysdeps`"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, base: str, lang: str) -> None:
    page.goto(f"{base}/login?lang={lang}")
    page.fill("#email", "demo@example.com")
    page.fill("#password", "demo-password")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/dashboard"))
    page.wait_for_load_state()  # the URL changes before the page's scripts have run


def answer_stage(page: Page, level_for: int, *, same: bool = False) -> int:
    """Click a level for every question on the page; wait until each is saved."""
    questions = page.locator("fieldset.question")
    count = questions.count()
    for index in range(count):
        level = level_for if same else (index + level_for) % 6
        questions.nth(index).locator(f"label.scale-option.level-{level}").click()
    expect(page.locator("#save-status")).to_have_attribute("class", re.compile(
        r"^save-status small$"), timeout=15_000)
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-pending", "0")
    return count


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_consultant_walks_all_six_stages_and_sees_results(server: str, context: BrowserContext,
                                                          lang: str) -> None:
    page = context.new_page()
    sign_in(page, server, lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")

    # a new client and assessment, through the forms
    page.goto(f"{server}/clients/new")
    page.fill("#name", f"Browser Test Co {lang}")
    page.fill("#sector", "Insurance")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(f"Browser Test Co {lang}")
    shot(page, f"client-{lang}")
    page.locator("a[href$='/assessments/new']").click()
    page.fill("#title", f"Self check {lang}")
    page.select_option("#questionnaire", "executive")
    page.select_option("#target_strategy", "4")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(f"Self check {lang}")
    assessment_url = page.url
    page.locator("a[href$='/walk']").click()
    expect(page).to_have_url(re.compile(r"/walk/vision"))

    answered = 0
    stages = ["vision", "strategy", "process", "data", "technology", "metrics"]
    for position, stage in enumerate(stages):
        expect(page).to_have_url(re.compile(f"/walk/{stage}"))
        answered += answer_stage(page, position)
        if stage == "process":
            # a comment and a review flag, autosaved
            first = page.locator("fieldset.question").first
            first.locator("textarea").fill("Depends on the region" if lang == "en"
                                           else "به منطقه بستگی دارد")
            first.locator("input[type=checkbox]").check()
            expect(page.locator("form[data-autosave]")).to_have_attribute(
                "data-pending", "0", timeout=15_000)
            shot(page, f"walk-process-{lang}")
            # close the browser tab mid-way and come back: resume where we were
            page.close()
            page = context.new_page()
            page.goto(assessment_url)
            page.locator("a[href$='/walk']").click()
            expect(page).to_have_url(re.compile(r"/walk/process"))
            first = page.locator("fieldset.question").first
            expect(first.locator("textarea")).to_have_value(re.compile("Depends|منطقه"))
            expect(first.locator("input[type=checkbox]")).to_be_checked()
            expect(first.locator("input[type=radio]:checked")).to_have_count(1)
        page.locator("button[name=go]").last.click()

    expect(page).to_have_url(re.compile(r"/review"))
    expect(page.locator(".list-group-item a")).to_have_count(1)  # the flagged question
    shot(page, f"review-{lang}")
    page.locator("form[action$='/complete'] button").click()
    expect(page).to_have_url(re.compile(r"/results"))
    index = page.locator("[data-testid=maturity-index]").inner_text()
    if lang == "fa":
        assert any(d in index for d in PERSIAN_DIGITS), index
    else:
        assert re.match(r"\d+", index), index
    # an executive questionnaire opens on its summary: the detail is one tap below it
    expect(page.locator("svg.radar")).to_be_hidden()
    page.locator("[data-testid=results-detail] > summary").click()
    expect(page.locator("svg.radar")).to_be_visible()
    expect(page.locator(".model-row")).to_have_count(5)
    shot(page, f"results-{lang}")
    assert answered == 30


def test_executive_self_assessment_link_without_an_account(server: str, browser: Browser) -> None:
    consultant = browser.new_context()
    page = consultant.new_page()
    sign_in(page, server, "en")
    page.goto(f"{server}/clients/1")
    page.locator("form[action$='/share'] button").click()
    link = page.locator("#share-url").input_value()
    consultant.close()

    executive = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True)
    phone = executive.new_page()
    phone.goto(link + "?lang=fa")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    phone.fill("#name", "سارا")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(re.compile(r"/walk/vision"))
    answer_stage(phone, 3, same=True)  # every answer at 3: the index is exactly 60
    shot(phone, "self-assessment-phone-fa")
    phone.goto(link + "/review")
    phone.locator("form[action$='/complete'] button").click()
    expect(phone).to_have_url(re.compile(r"/results"))
    expect(phone.locator("[data-testid=maturity-index]")).to_contain_text("۶۰")
    shot(phone, "self-assessment-results-fa")
    executive.close()


def test_the_executive_result_fits_the_first_phone_screen(server: str, browser: Browser) -> None:
    consultant = browser.new_context()
    page = consultant.new_page()
    sign_in(page, server, "en")
    page.goto(f"{server}/clients/1")
    page.fill("#title", "Phone check")
    page.locator("form[action$='/share'] button").click()
    link = page.locator("#share-url").input_value()
    consultant.close()

    executive = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
    phone = executive.new_page()
    phone.goto(link + "?lang=en")
    phone.fill("#name", "Sara Ahmadi")
    phone.locator("main form button[type=submit]").click()
    for position, stage in enumerate(["vision", "strategy", "process", "data", "technology",
                                      "metrics"]):
        phone.goto(f"{link}/walk/{stage}")
        answer_stage(phone, position)  # levels 0 to 5 in turn: strengths and gaps both
    phone.goto(link + "/review")
    phone.locator("form[action$='/complete'] button").click()
    expect(phone).to_have_url(re.compile(r"/results"))

    for lang in ("en", "fa"):
        phone.goto(f"{link}/results?lang={lang}")
        expect(phone.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
        SHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SHOTS / f"executive-first-screen-{lang}.png"))
        summary = phone.locator("[data-testid=summary]")
        expect(summary.locator("[data-testid=summary-strengths] li")).to_have_count(3)
        expect(summary.locator("[data-testid=summary-next] li")).to_have_count(3)
        first_screen = [summary.locator(f"[data-testid={part}]") for part in (
            "maturity-index", "summary-level", "summary-meaning", "summary-verdict",
            "summary-confidence", "summary-pdf")]
        first_screen += [summary.locator(f"[data-testid={part}] li").nth(n)
                         for part in ("summary-strengths", "summary-next") for n in range(3)]
        for part in first_screen:
            expect(part).to_be_visible()
            box = part.bounding_box()
            assert box is not None
            assert box["y"] >= 0
            assert box["y"] + box["height"] <= 844, (lang, part, box)
        expect(summary.locator("[data-testid=summary-verdict] .badge")).not_to_be_empty()
        expect(phone.locator("svg.radar")).to_be_hidden()
        expect(phone.locator(".model-row").first).to_be_hidden()
        if lang == "fa":
            text = summary.inner_text()
            assert foreign_in_persian(text, allowed=["Pars Retail Group", "Phone check",
                                                     "PDF (English)"]) == [], text
            assert summary.locator("[data-testid=summary-next]").evaluate(
                "(el) => getComputedStyle(el).listStyleType") == "persian"
        # the detail: one tap
        phone.locator("[data-testid=results-detail] > summary").tap()
        expect(phone.locator("svg.radar")).to_be_visible()
        expect(phone.locator("[data-testid=readiness-gartner]")).to_be_visible()
        shot(phone, f"executive-detail-{lang}")
    executive.close()


def test_an_offline_change_does_not_overwrite_a_newer_answer_from_another_device(
    server: str, browser: Browser
) -> None:
    laptop, phone = browser.new_context(), browser.new_context()
    try:
        first, second = laptop.new_page(), phone.new_page()
        for page in (first, second):
            sign_in(page, server, "en")
        first.goto(f"{server}/assessments/2/walk/strategy")
        second.goto(f"{server}/assessments/2/walk/strategy")
        question = "fieldset.question >> nth=4"
        checked = second.locator(question).locator("input[type=radio]:checked")
        current = checked.get_attribute("value") if checked.count() else None
        newer, older = [level for level in "543210" if level != current][:2]
        # the phone saves a new level
        second.locator(question).locator(f"label.scale-option.level-{newer}").click()
        expect(second.locator("form[data-autosave]")).to_have_attribute("data-pending", "0")
        expect(second.locator(question).locator("[data-state]")).to_have_text("✓")
        # the laptop, offline and still showing the old page, picks another one
        laptop.set_offline(True)
        first.locator(question).locator(f"label.scale-option.level-{older}").click()
        expect(first.locator("form[data-autosave]")).to_have_attribute("data-pending", "1")
        laptop.set_offline(False)
        first.evaluate("window.dispatchEvent(new Event('online'))")
        expect(first.locator(question).locator("[data-state]")).to_contain_text(
            "Changed on another device", timeout=20_000)
        expect(first.locator(question).locator(f"input[value='{newer}']")).to_be_checked()
        shot(first, "conflict-en")
        second.reload()
        expect(second.locator(question).locator(f"input[value='{newer}']")).to_be_checked()
    finally:
        laptop.close()
        phone.close()


def test_workshop_room_answers_appear_live_and_a_locked_stage_refuses(
        server: str, browser: Browser) -> None:
    """A facilitator and three participants on phones, in one live workshop."""
    facilitator = browser.new_context(viewport={"width": 1366, "height": 900})
    host = facilitator.new_page()
    sign_in(host, server, "en")
    host.get_by_role("link", name="Pars Retail Group").click()
    host.get_by_role("link", name="Follow-up workshop (open)").click()
    host.get_by_role("link", name="Facilitator view").click()
    code = host.locator("[data-testid=join-code]").inner_text().strip()
    joined_before = int(host.locator("[data-testid=joined]").inner_text())
    host.evaluate("window.__sameDocument = true")

    phones = []
    qid, locked_qid = "ws.metrics.01", "ws.metrics.02"
    for index, (level, role) in enumerate(((0, "sales"), (5, "it"), (5, "service"))):
        phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True, locale="fa-IR" if index == 2 else "en-GB")
        page = phone.new_page()
        page.goto(f"{server}/w")
        page.fill("#code", code.lower())
        page.locator("main form button[type=submit]").click()
        page.locator(f'label[for="role-{role}"]').click()
        page.locator("main form button[type=submit]").click()
        page.goto(f"{server}/w/{code}/walk/metrics")
        page.locator(f'label[for="q-{qid}-{level}"]').click()
        expect(page.locator(f'[id="q-{qid}"] [data-state]')).to_have_text("✓", timeout=15_000)
        phones.append((phone, page))

    # The facilitator's page updates by itself: three more people, and the split question.
    joined = host.locator("[data-testid=joined]")
    expect(joined).to_have_text(str(joined_before + 3), timeout=15_000)
    divergent = host.locator(f'.divergent-q[data-qid="{qid}"]')
    expect(divergent).to_be_visible(timeout=15_000)
    expect(divergent.locator(".seg-0")).to_have_text("1")
    expect(divergent.locator(".seg-5")).to_have_text("2")
    # What each level means for the split question, open while the page keeps refreshing.
    levels = divergent.locator(f'[data-testid="levels-{qid}"]')
    levels.locator("summary").click()
    expect(levels).to_contain_text("5 ")
    shot(host, "workshop-facilitator-live-en")

    # Lock the metrics stage: a participant's next answer there is refused, clearly.
    host.locator("[data-testid=lock-metrics]").click()
    expect(host.locator('tr[data-stage="metrics"] .badge')).to_have_text("locked",
                                                                         timeout=15_000)
    expect(levels).to_have_attribute("open", "")  # still open after the refresh
    expect(host.locator('details[data-key^="levels-"][open]')).to_have_count(1)
    _phone, first = phones[0]
    first.locator(f'label[for="q-{locked_qid}-3"]').click()
    expect(first.locator(f'[id="q-{locked_qid}"] [data-state]')).to_contain_text(
        "locked this stage", timeout=15_000)
    first.reload()
    expect(first.locator("[data-testid=locked]")).to_be_visible()
    expect(first.locator(f'[id="q-{locked_qid}-3"]')).to_be_disabled()
    shot(first, "workshop-phone-locked-en")

    # Record what the room agreed on after talking it through.
    divergent.get_by_role("button", name="Record the agreed answer").click()
    host.select_option("#agree-value", "3")
    host.fill("#agree-note", "Only the loyalty team measures this today.")
    host.locator("#agree-form button[type=submit]").click()
    expect(host.locator(f'[data-testid="agreed-{qid}"]')).to_contain_text("3", timeout=15_000)
    host.locator("[data-testid=lock-metrics]").click()
    expect(host.locator('tr[data-stage="metrics"] .badge')).to_have_count(0, timeout=15_000)
    assert host.evaluate("window.__sameDocument") is True  # never reloaded
    for phone, _page in phones:
        phone.close()
    facilitator.close()


@pytest.mark.parametrize(("lang", "assessment_id"), [("en", 4), ("fa", 3)])
def test_team_lead_turns_an_assessment_into_a_tracked_roadmap(
        server: str, context: BrowserContext, lang: str, assessment_id: int) -> None:
    """Propose a Gartner roadmap, accept it, give a milestone an owner and a date, move one
    on the board, and see the timeline run in the reading direction of the language."""
    page = context.new_page()
    sign_in(page, server, lang)
    page.goto(f"{server}/assessments/{assessment_id}")
    page.locator("[data-testid=roadmap-card] a").click()
    page.locator("input[name=model][value=gartner]").check()
    page.fill("#starts_on", "2026-09-01" if lang == "en" else "۱۴۰۵/۰۶/۱۰")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("[data-testid=proposal]")).to_be_visible()
    expect(page.locator("h1")).to_contain_text(
        "Gartner" if lang == "en" else "گارتنر")
    page.locator("[data-testid=proposal] .btn-success").click()
    expect(page.locator("[data-testid=proposal]")).to_have_count(0)

    # Someone on the client's team owns the first milestone, due in mid-September.
    page.locator("a[href*='/team']").first.click()
    page.fill("#name", f"Sara {lang}")
    page.fill("#role", "CRM lead")
    page.locator("[data-testid=add-person] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Gartner" if lang == "en" else "گارتنر")
    page.locator(".milestone a").first.click()
    page.select_option("#owner_id", label=f"Sara {lang} (CRM lead)")
    page.fill("#due_on", "2026-09-15" if lang == "en" else "۱۴۰۵/۰۶/۲۴")
    page.locator("[data-testid=milestone-form] button[type=submit]").click()
    first = page.locator(".milestone").first
    expect(first).to_contain_text(f"Sara {lang}")
    expect(first).to_contain_text("15 September 2026" if lang == "en" else "۲۴ شهریور ۱۴۰۵")

    # On the board, picking a status moves the card at once.
    page.locator(".nav-tabs a").nth(1).click()
    card = page.locator(".ms-col-not_started .board-card").first
    moved_title = card.locator("a").first.inner_text()
    # The keyboard only chooses: arrows through the list save nothing on the way.
    page.evaluate("window.notReloaded = true")
    card.locator("select").focus()
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(600)
    assert page.evaluate("window.notReloaded === true")
    # Picking with the mouse saves at once (select_option fires no pointer event, so the
    # "Set" button stands in for it here).
    card.locator("select").select_option("done")
    card.locator("button[type=submit]").click()
    expect(page.locator(".ms-col-done .board-card").first).to_contain_text(moved_title[:20])
    expect(page.locator(".ms-col-done h2 .badge")).to_have_text("1" if lang == "en" else "۱")
    shot(page, f"roadmap-board-{lang}")

    # The timeline: later stages sit further along the reading direction.
    page.locator(".nav-tabs a").nth(2).click()
    bars = page.locator(".gantt-bar")
    expect(bars.first).to_be_visible()
    first_box, last_box = bars.first.bounding_box(), bars.last.bounding_box()
    assert first_box is not None
    assert last_box is not None
    if lang == "en":
        assert last_box["x"] > first_box["x"]
    else:
        assert last_box["x"] < first_box["x"]
    shot(page, f"roadmap-timeline-{lang}")


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_team_lead_reassesses_sees_the_trend_and_moves_the_client(
        server: str, context: BrowserContext, lang: str, tmp_path: Path) -> None:
    """Re-assess from the assessment page, read the trend, download the Excel export and
    the client file, and import that file back as a second client."""
    page = context.new_page()
    sign_in(page, server, lang)
    page.goto(f"{server}/assessments/1")
    page.locator("[data-testid=reassess] input[name=title]").fill(f"Again {lang}")
    page.locator("[data-testid=reassess] button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(f"Again {lang}")

    page.goto(f"{server}/clients/1/trend")
    chart = page.locator("svg").first
    expect(chart).to_be_visible()
    expect(page.locator("[data-testid=waiting]")).to_contain_text(f"Again {lang}")
    shot(page, f"trend-{lang}")

    page.goto(f"{server}/assessments/1/roadmap")
    page.locator(".dropdown-toggle-split").click()
    with page.expect_download() as excel:
        page.locator("a[href*='export.xlsx']").click()
    workbook_path = tmp_path / "export.xlsx"
    excel.value.save_as(workbook_path)
    from openpyxl import load_workbook

    workbook = load_workbook(workbook_path)
    assert len(workbook.sheetnames) == 2
    assert workbook.worksheets[1].sheet_view.rightToLeft is (lang == "fa")

    page.goto(f"{server}/clients/1")
    with page.expect_download() as exported:
        page.locator("a[href$='/export.json']").click()
    client_file = tmp_path / "client.json"
    exported.value.save_as(client_file)
    page.goto(f"{server}/dashboard")
    page.locator("a[href$='/clients/import']").click()
    page.set_input_files("input[type=file]", str(client_file))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Pars Retail Group")
    expect(page.locator(".alert-success")).to_be_visible()
    assert page.url != f"{server}/clients/1"


def _script_errors(page: Page) -> list[str]:
    """Every uncaught exception and console error of the page, as it happens."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", lambda message: errors.append(f"{page.url}: {message.text}")
            if message.type == "error" else None)
    return errors


def _join_code(browser: Browser, server: str) -> str:
    """The code of the demo's open workshop (assessment 2), as the facilitator sees it."""
    facilitator = browser.new_context()
    page = facilitator.new_page()
    sign_in(page, server, "en")
    page.goto(f"{server}/assessments/2/workshop")
    code = page.locator("[data-testid=join-code]").inner_text().strip()
    facilitator.close()
    return code


def _join(page: Page, server: str, code: str, lang: str) -> None:
    page.goto(f"{server}/w?lang={lang}")
    page.fill("#code", code)
    page.locator("main form button[type=submit]").click()
    page.locator("main form button[type=submit]").click()
    page.goto(f"{server}/w/{code}/walk/vision")


def _in_persian(text: str) -> str:
    return "".join(PERSIAN_DIGITS[int(c)] if c.isdigit() else c for c in text)


def test_autosave_sends_the_csrf_header_and_writes_numbers_in_persian(
        server: str, browser: Browser) -> None:
    """A participant on a Persian page: each save carries the page's CSRF token, the numbers
    the script writes are in Persian digits, and an expired token is replaced and the
    answer saved all the same."""
    code = _join_code(browser, server)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    crashes: list[str] = []
    page.on("pageerror", lambda error: crashes.append(str(error)))
    _join(page, server, code, "fa")
    form = page.locator("form[data-autosave]")
    expect(form).to_have_attribute("data-ready", "1")
    counter = page.locator('[data-stage-count="vision"]')
    total = counter.get_attribute("data-total") or ""
    expect(counter).to_have_text(_in_persian(f"0 از {total}"))
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert token
    questions = page.locator("fieldset.question")

    with page.expect_request(lambda request: request.method == "POST") as saving:
        questions.nth(0).locator("label.scale-option.level-3").click()
    assert saving.value.headers.get("x-csrftoken") == token
    expect(questions.nth(0).locator("[data-state]")).to_have_text("✓", timeout=15_000)
    expect(counter).to_have_text(_in_persian(f"1 از {total}"))

    # Offline, the count of answers waiting is written in Persian digits too.
    phone.set_offline(True)
    questions.nth(1).locator("label.scale-option.level-2").click()
    status = page.locator("#save-status")
    expect(status).to_have_text(re.compile(r"^۱\D+$"), timeout=10_000)
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(form).to_have_attribute("data-pending", "0", timeout=20_000)
    expect(counter).to_have_text(_in_persian(f"2 از {total}"))

    # A token the server no longer accepts: it answers with a fresh one, which the page
    # takes (header and forms alike) before sending the answer again.
    page.evaluate("""() => {
        document.querySelector('meta[name="csrf-token"]').content = "stale";
        document.querySelectorAll('input[name="csrf_token"]').forEach((i) => {
            i.value = "stale";
        });
    }""")
    sent: list[str | None] = []
    page.on("request", lambda request: sent.append(request.headers.get("x-csrftoken"))
            if request.method == "POST" else None)
    questions.nth(2).locator("label.scale-option.level-4").click()
    expect(questions.nth(2).locator("[data-state]")).to_have_text("✓", timeout=15_000)
    expect(counter).to_have_text(_in_persian(f"3 از {total}"))
    fresh = page.locator('meta[name="csrf-token"]').get_attribute("content")
    assert fresh
    assert sent == ["stale", fresh]
    assert set(page.locator('input[name="csrf_token"]').evaluate_all(
        "(inputs) => inputs.map((i) => i.value)")) == {fresh}
    assert crashes == []
    phone.close()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_on_a_phone_each_level_says_what_it_means_without_a_tap(server: str, browser: Browser,
                                                                  lang: str) -> None:
    """A participant's phone, 375 px wide: the six levels of a question stand one under the
    other, each with its description on show (nothing to tap first), and no part of the
    page is wider than the screen."""
    code = _join_code(browser, server)
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    _join(page, server, code, lang)
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-ready", "1")
    for qid in ("ws.vision.01", "ws.vision.11"):  # a maturity question, an extent one
        question = page.locator(f'[id="q-{qid}"]')
        question.scroll_into_view_if_needed()
        options = question.locator("label.scale-option")
        expect(options).to_have_count(6)
        boxes = []
        for index in range(6):
            description = options.nth(index).locator(".ds")
            expect(description).to_be_visible()
            assert len(description.inner_text().split()) >= 5
            box = options.nth(index).bounding_box()
            assert box is not None
            boxes.append(box)
        # one column: the same left edge and width, each below the one before
        assert {(round(b["x"]), round(b["width"])) for b in boxes} == {
            (round(boxes[0]["x"]), round(boxes[0]["width"]))}
        assert all(a["y"] + a["height"] <= b["y"] for a, b in itertools.pairwise(boxes))
        assert boxes[0]["x"] >= 0
        assert boxes[0]["x"] + boxes[0]["width"] <= 375
    names = page.locator('[id="q-ws.vision.11"] label.scale-option .nm').all_inner_texts()
    assert names[3] == ("Largely" if lang == "en" else "تا حد زیادی")
    # a screen reader announces the level's number and name, then what it means here
    radio = page.locator('[id="q-ws.vision.11-3"]')
    expect(radio).to_have_accessible_name(f"{_in_persian('3') if lang == 'fa' else '3'} "
                                          f"{names[3]}")
    meaning = page.locator('[id="q-ws.vision.11"] label.level-3 .ds').inner_text()
    expect(radio).to_have_accessible_description(" ".join(meaning.split()))
    page.locator('[id="q-ws.vision.01"]').scroll_into_view_if_needed()
    shot(page, f"levels-phone-{lang}")
    # nothing is wider than the screen: no sideways scrolling, no clipped description
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    too_wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter((el) => { const r = el.getBoundingClientRect();
                          return r.width > 0 && (r.left < -1 || r.right > 376); })
        .filter((el) => !el.closest('.stepper'))
        .map((el) => el.tagName + '.' + el.className)""")
    assert too_wide == []
    clipped = page.locator(".scale-option .ds").evaluate_all(
        "(all) => all.filter((el) => el.scrollWidth > el.clientWidth + 1).length")
    assert clipped == 0
    phone.close()


def _pdf_is_quick(page: Page) -> None:
    """Answer the PDF links at once with a stand-in file, so a test sees the page only."""
    page.route(re.compile(r"\.pdf(\?|$)"), lambda route: route.fulfill(
        status=200, content_type="application/pdf", body=b"%PDF-1.4\n",
        headers={"Content-Disposition": 'attachment; filename="report.pdf"'}))


def _asks_first(page: Page, button: str, url: re.Pattern[str]) -> None:
    """The button's form asks before it posts; saying no leaves everything as it was."""
    page.route(url, lambda route: route.abort())  # should the question not come
    asked: list[str] = []

    def decline(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", decline)
    before = page.url
    page.locator(button).first.click()
    expect(page.locator(button).first).to_be_visible()
    assert len(asked) == 1, asked
    assert asked[0]
    assert page.url == before


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_pages_with_scripts_run_them_without_an_error(server: str, browser: Browser,
                                                      lang: str) -> None:
    """The walk, the workshop's participant, facilitator and projector pages, the roadmap
    and the results: each page's script does its work, and no page logs a script error."""
    code = _join_code(browser, server)
    consultant = browser.new_context(viewport={"width": 1280, "height": 900})
    page = consultant.new_page()
    errors = _script_errors(page)
    sign_in(page, server, lang)
    # The shared helpers follow the server's rules for digits.
    assert page.evaluate("[crm.persianDigits('12.5%'), crm.latinDigits('۱۲٣٤ x'), crm.digits(7)]"
                         ) == ["۱۲٫۵٪", "1234 x", "۷" if lang == "fa" else "7"]

    page.goto(f"{server}/assessments/3/walk/vision")
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-ready", "1")

    page.goto(f"{server}/assessments/2/workshop")
    expect(page.locator("#live")).to_have_attribute("data-updated", re.compile(r"^\d+$"),
                                                    timeout=15_000)
    _asks_first(page, "form[action$='/workshop/close'] button", re.compile(r"/workshop/close$"))
    _asks_first(page, "form[action$='/remove'] button", re.compile(r"/remove$"))

    page.goto(f"{server}/assessments/2/workshop/present")
    joined = page.locator("[data-joined]")
    joined.evaluate("(el) => { el.textContent = ''; }")
    expect(joined).to_have_text(re.compile(r"^[۰-۹]+$" if lang == "fa" else r"^[0-9]+$"),
                                timeout=15_000)

    _pdf_is_quick(page)
    for where in ("/assessments/1/roadmap", "/assessments/1/results"):
        page.goto(server + where)
        with page.expect_download():
            page.locator("[data-report-link]").first.click()
        expect(page.locator("#report-wait")).to_be_visible()
    page.goto(f"{server}/clients/1/team")
    _asks_first(page, "form[data-confirm] button", re.compile(r"/delete$"))

    participant = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                      has_touch=True)
    phone = participant.new_page()
    errors += _script_errors(phone)
    _join(phone, server, code, lang)
    expect(phone.locator("form[data-autosave]")).to_have_attribute("data-ready", "1")
    expect(phone.locator("html")).to_have_attribute("lang", lang)
    participant.close()
    consultant.close()
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_word_copy_link_says_what_is_being_prepared(server: str, browser: Browser,
                                                        lang: str) -> None:
    """The results page's Word copy link shows its own note while the file is made; a PDF
    link after it shows the PDF's again."""
    consultant = browser.new_context(viewport={"width": 1280, "height": 900})
    page = consultant.new_page()
    sign_in(page, server, lang)
    errors = _script_errors(page)
    _pdf_is_quick(page)
    page.route(re.compile(r"\.docx(\?|$)"), lambda route: route.fulfill(
        status=200, body=b"PK\x03\x04",
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": 'attachment; filename="report.docx"'}))
    page.goto(f"{server}/assessments/1/results")
    note = page.locator("#report-wait")
    with page.expect_download() as download:
        page.locator("[data-testid=report-docx]").click()
    assert download.value.suggested_filename == "report.docx"
    expect(note).to_be_visible()
    expect(note).to_contain_text("Word")
    with page.expect_download():
        page.locator("[data-report-link]").first.click()
    expect(note).to_contain_text("PDF")
    expect(note).not_to_contain_text("Word")
    consultant.close()
    assert errors == []


def _invite(page: Page, server: str, client_path: str, email: str, role: str) -> str:
    """The consultant invites someone of the client; no mail server: the link to copy."""
    page.goto(f"{server}{client_path}/invite")
    page.fill("#email", email)
    page.select_option("#role", role)
    if role == "team":
        page.select_option("#member", index=1)  # the first person of the client's team
    page.locator("main form button[type=submit]").click()
    return page.locator("#link").input_value()


def _accept(page: Page, link: str, password: str) -> None:
    """Accepting sets the password and signs the new account in, on its own landing."""
    page.goto(link)
    page.fill("#name", "Invited person")
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _post(page: Page, path: str, form: dict[str, str]) -> int:
    """A form post from the page, with its CSRF token, as a crafted request would."""
    token = page.locator("meta[name=csrf-token]").get_attribute("content") or ""
    return int(page.evaluate("""async ([path, form]) => {
        const body = new URLSearchParams(form);
        const r = await fetch(path, {method: "POST", body, redirect: "manual"});
        return r.status; }""", [path, {**form, "csrf_token": token}]))


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_a_team_member_and_a_client_viewer(server: str, browser: Browser, lang: str) -> None:
    # The owner (the demo's account) invites a consultant from the members page.
    owner = browser.new_context(viewport={"width": 1280, "height": 900})
    page = owner.new_page()
    sign_in(page, server, lang)
    page.goto(f"{server}/members")
    page.fill("#email", f"colleague-{lang}@example.com")
    page.locator("main form[action='/members/invite'] button[type=submit]").click()
    colleague_link = page.locator("#link").input_value()
    owner.close()

    # The consultant accepts, is signed in, creates a client and invites the client's people.
    consultant = browser.new_context(viewport={"width": 1280, "height": 900})
    page = consultant.new_page()
    page.goto(f"{server}/language/{lang}")
    _accept(page, colleague_link, "colleague-password")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    page.goto(f"{server}/clients/new")
    page.fill("#name", f"New client {lang}")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/clients/\d+$"))
    expect(page.locator("h1")).to_contain_text(f"New client {lang}")
    assert page.locator("a[href='/members']").count() == 0  # the owner's page alone
    page.goto(f"{server}/dashboard")
    # The demo's clients (made first, so with the lowest ids; other tests may have added
    # clients of the same name): the team member's is the one written in the page's
    # language, whose project team the demo made.
    names = {href: text.strip() for href, text in page.locator("main a").evaluate_all(
        "links => links.map(a => [a.getAttribute('href'), a.innerText])")
        if re.fullmatch(r"/clients/\d+", href or "")}
    story = (PERSIAN if lang == "fa" else ENGLISH).client["name"]
    mine = min((h for h, name in names.items() if name == story),
               key=lambda h: int(h.rsplit("/", 1)[1]))
    other = next(h for h in names if h != mine)
    other_name = names[other]
    team_link = _invite(page, server, mine, f"team-{lang}@example.com", "team")
    viewer_link = _invite(page, server, mine, f"viewer-{lang}@example.com", "viewer")
    consultant.close()

    # The team member accepts, signs in and lands on their milestones.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/language/{lang}")
    _accept(page, team_link, "team-password")
    expect(page).to_have_url(re.compile(r"/my/milestones$"))
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "fa" else "ltr")
    cards = page.locator("article.my-milestone")
    assert cards.count() > 0
    assert other_name not in page.content()
    assert page.locator(f"nav a[href='{mine}'], a[href='/dashboard']").count() == 0
    first = cards.first
    milestone_id = first.get_attribute("data-milestone")
    first.locator("select[name=status]").select_option("in_progress")
    first.locator("input[name=progress]").fill("60")
    first.locator("textarea[name=notes]").fill("Training booked" if lang == "en"
                                                else "آموزش رزرو شد")
    first.locator("form.my-update button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(f"#m{milestone_id} .badge.ms-in_progress")).to_be_visible()
    expect(page.locator(f"#m{milestone_id} textarea[name=notes]")).to_have_value(
        "Training booked" if lang == "en" else "آموزش رزرو شد")
    if lang == "fa":
        assert not foreign_in_persian(page.locator("main").inner_text(), allowed={"PDF"})
    shot(page, f"team-milestones-{lang}")

    # Their client's roadmap: a status control on their milestones only.
    page.locator(f"#m{milestone_id} a[href*='/roadmap']").click()
    page.wait_for_load_state()
    assert page.locator("a[href$='/milestones/new']").count() == 0
    own = {m.get_attribute("data-milestone") for m in page.locator(
        "li.milestone:has(form.status-move)").all()}
    others = [m.get_attribute("data-milestone") for m in page.locator(
        "li.milestone:not(:has(form.status-move))").all()]
    assert milestone_id in own
    assert others
    shot(page, f"team-roadmap-{lang}")
    assert _post(page, f"/milestones/{others[0]}/status", {"status": "done"}) in (403, 404)
    assert _post(page, f"/my/milestones/{others[0]}",
                 {"status": "done", "progress": "100", "notes": "x"}) in (403, 404)
    page.goto(f"{server}/milestones/{others[0]}")
    assert page.locator(f"form[action='/milestones/{others[0]}']").count() == 0
    context.close()

    # The client viewer reads the results and the report, and changes nothing.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server}/language/{lang}")
    _accept(page, viewer_link, "viewer-password")
    expect(page).to_have_url(re.compile(r"/my/clients/\d+$"))
    assert page.locator("main form").count() == 0
    shot(page, f"viewer-client-{lang}")
    with page.expect_download() as download:
        page.locator("[data-testid=report]").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.locator("[data-testid=roadmap]").first.click()
    page.wait_for_load_state()
    assert page.locator("form.status-move").count() == 0
    assert page.locator("a[href$='/milestones/new']").count() == 0
    shot(page, f"viewer-roadmap-{lang}")
    target = page.locator("li.milestone").first.get_attribute("data-milestone")
    assert _post(page, f"/milestones/{target}/status", {"status": "done"}) in (403, 404)
    page.goto(f"{server}{other}")
    assert other_name not in page.locator("main").inner_text()
    context.close()


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_a_consultant_measures_customer_data_and_adds_a_proposal(
        server: str, context: BrowserContext, lang: str, tmp_path: Path) -> None:
    """Upload a customer list (CSV) and a transactions workbook (XLSX), see the columns
    recognised, measure with the progress bar, read the result in the page's language,
    and add a proposed milestone to the roadmap."""
    import openpyxl

    customers = tmp_path / "customers.csv"
    customers.write_text("Customer code,Name,Mobile\nC1,Ana,09121234567\n"
                         "C2,Bo,09351112299\nC3,Bo,09351112299\nC4,Dara,\n", encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Customer code", "Date", "Amount"])
    for row in (("C1", "2025-01-10", "1000"), ("C1", "2025-06-01", "500"),
                ("C2", "2025-05-20", "300"), ("C3", "2024-01-02", "200"),
                ("C4", "2025-06-30", "50")):
        sheet.append(list(row))
    sales = tmp_path / "sales.xlsx"
    book.save(sales)
    page = context.new_page()
    sign_in(page, server, lang)
    errors = _script_errors(page)
    page.goto(f"{server}/clients/1")
    page.locator("a[href$='/data']").click()
    page.set_input_files("#files", [str(customers), str(sales)])
    expect(page.locator(".file-pick-name")).to_contain_text("sales.xlsx")
    page.locator("[data-testid=upload-form] button[type=submit]").click()
    expect(page.locator("[data-testid=file-columns]")).to_have_count(2)
    expect(page.locator("#role-mobile")).to_have_value("Mobile")
    shot(page, f"data-columns-{lang}")
    page.locator("#measure-button").click()
    expect(page).to_have_url(re.compile(r"/data/\d+$"), timeout=60_000)
    expect(page.locator("[data-testid=pyramid]")).to_be_visible()
    expect(page.locator("[data-testid=duplicates]")).to_have_text("1" if lang == "en" else "۱")
    shot(page, f"data-result-{lang}")
    if lang == "fa":
        # what the measurement says (the client's name and titles are what people typed)
        for part in ("profile-head", "data-figures", "identification", "proposals"):
            text = page.locator(f"[data-testid={part}]").inner_text()
            assert foreign_in_persian(text, ["RFM"]) == [], part
        assert "۴" in page.locator("[data-testid=profile-head]").inner_text()
    proposal = page.locator("[data-testid=proposals] input[value=duplicates]")
    proposal.check()
    page.locator("[data-testid=proposals] button[type=submit]").click()
    expect(page.locator("[data-testid=proposals] input[value=duplicates]")).to_be_disabled()
    page.locator("[data-testid=proposals] a.btn-link").click()
    title = ("Merge 1 duplicate customer records" if lang == "en"
             else "ادغام ۱ رکورد تکراری مشتری")
    # (both languages measure the demo's first client: each run adds its own)
    added = page.locator(".milestone").filter(has_text=title).last
    expect(added).to_be_visible()
    expect(added.locator(".badge.text-bg-info")).to_have_text("customer data" if lang == "en"
                                                          else "داده‌ی مشتری")
    assert errors == []
