"""PDF reports: real WeasyPrint output, read back with pypdf, in Persian and in English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from assessment.extensions import db
from assessment.printing.fetcher import STATIC_DIR, make_fetcher
from assessment.printing.render import ReportError, render_pdf
from assessment.printing.report import build_html
from assessment.tables import Assessment, Client
from assessment.web import get_catalog

from .conftest import World
from .helpers import ZWNJ, login, persian_digits, read_pdf, squash

HOSTILE_COMMENT = '<img src="file:///etc/passwd"> and <link rel=stylesheet href=http://evil.test/x.css>'
HOSTILE_NAME = 'Acme <script>alert(1)</script> & Sons'


def outline_titles(reader: PdfReader) -> list[str]:
    titles: list[str] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(str(item.title))

    walk(reader.outline)
    return titles


@pytest.fixture
def workshop(world: World) -> int:
    """A workshop assessment with three participants, comments (one hostile) and a flag."""
    aid = world.assessment(world.client(world.user(), name=HOSTILE_NAME),
                           questionnaire="workshop", targets={"strategy": 4})

    def level(person: int, n: int, _question: object) -> str:
        base = (1, 3, 4)[person]
        return "na" if n % 17 == 0 else str((base + n) % 6 if n % 5 else base)

    world.workshop(aid, ("P0", "P1", "P2"), answers=level, flags=lambda _p, n, _q: n == 3,
                   comments=lambda p, n, _q: HOSTILE_COMMENT if (p, n) == (0, 1) else "",
                   closed=True)
    return aid


def render(app: Flask, aid: int, lang: str) -> tuple[str, bytes]:
    with app.app_context():
        html = build_html(db.session.get(Assessment, aid), lang)
        return html, render_pdf(html, timeout=120)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_report_holds_the_figures_in_both_languages(app: Flask, workshop: int,
                                                    lang: str) -> None:
    _html, pdf = render(app, workshop, lang)
    reader, text = read_pdf(pdf)
    flat = text.replace(ZWNJ, "")
    catalog = get_catalog(app)
    with app.app_context():
        from assessment.results import score_assessment

        result = score_assessment(catalog, db.session.get(Assessment, workshop))
    assert result.maturity_index is not None
    index = str(round(result.maturity_index))
    if lang == "fa":
        index = persian_digits(index)
    assert index in flat
    assert "Acme" in flat
    assert "Sons" in flat
    for stage in catalog.stages:
        assert stage.name.get(lang).replace(ZWNJ, "") in flat, stage.id
    for model in catalog.models.values():
        # pypdf returns mixed Latin/Persian runs in visual order, so look for the name's
        # longest word in the document's own script
        words = re.findall(r"[\u0600-\u06FF]+" if lang == "fa" else r"[A-Za-z]+",
                           model.name.get(lang).replace(ZWNJ, ""))
        assert max(words, key=len) in flat, model.id
    assert 10 <= len(reader.pages) <= 20
    titles = outline_titles(reader)
    assert len(titles) >= 8
    assert reader.metadata is not None
    assert "Acme" in (reader.metadata.title or "")
    assert reader.metadata.author == "ana"
    assert str(reader.trailer["/Root"]["/Lang"]) == lang
    if lang == "fa":
        # Persian comes out in logical (reading) order, not reversed
        assert "سازمان" in flat
        assert "نازماس" not in flat
        assert "هر عددی که این ابزار نشان میدهد را میتوان با همین قاعدهها" in flat.replace(
            "\n", " ")
        assert any("۱" <= ch <= "۹" for ch in flat)


def test_agreed_answers_stand_beside_the_individual_ones(app: Flask, workshop: int) -> None:
    from assessment.results import score_assessment
    from assessment.workshop.operations import record_agreed

    catalog = get_catalog(app)
    with app.app_context():
        assessment = db.session.get(Assessment, workshop)
        qid = score_assessment(catalog, assessment).divergent[0]
        record_agreed(catalog, assessment, qid, "4", "Settled after the regional review")
        db.session.commit()
        question = catalog.questionnaires["workshop"].question(qid)
    html, pdf = render(app, workshop, "en")
    flat = squash(read_pdf(pdf)[1])
    assert "Agreed by the room: 4" in flat
    assert "Settled after the regional review" in flat
    # The question is still shown with everyone's spread, not only the agreed level.
    consensus = html[html.index('id="consensus"'):html.index('id="roadmap"')]
    assert question.text.en[:40] in consensus
    assert "spread" in consensus


def test_user_text_is_escaped_and_nothing_is_fetched(app: Flask, workshop: int) -> None:
    html, pdf = render(app, workshop, "en")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert '<img src="file:///etc/passwd">' not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in html
    assert "<link rel=stylesheet" not in html
    text = read_pdf(pdf)[1]
    flat = squash(text)
    assert '<img src="file:///etc/passwd">' in flat
    assert "http://evil.test/x.css" in flat
    assert re.search(r"<script>\s*alert\(1\)", text)


def test_fetcher_allows_only_data_urls_and_static_files() -> None:
    fetcher = make_fetcher()
    for refused in ("file:///etc/passwd", "http://127.0.0.1:9/x.css", "https://example.com/a.png",
                    f"file://{STATIC_DIR}/../cli.py", "ftp://example.com/x"):
        with pytest.raises(ValueError, match="not fetched"):
            fetcher.fetch(refused)
    assert fetcher.refused[0] == "file:///etc/passwd"
    data = fetcher.fetch("data:text/plain;base64,aGk=")
    assert data is not None
    assert fetcher.fetch(f"file://{STATIC_DIR}/app.css") is not None


def test_html_is_self_contained(app: Flask, workshop: int) -> None:
    with app.app_context():
        html = build_html(db.session.get(Assessment, workshop), "fa")
    references = re.findall(r'(?:src|href)\s*=\s*"([^"#][^"]*)"', html)
    references += re.findall(r'url\(\s*"?([^")]+)', html)
    assert references, "fonts are referenced"
    assert all(ref.startswith("data:") for ref in references), [
        r[:40] for r in references if not r.startswith("data:")]
    assert "@font-face" in html
    assert '<html lang="fa" dir="rtl">' in html


def test_assessment_without_answers_still_renders_and_says_so(app: Flask, world: World) -> None:
    aid = world.assessment(world.client(world.user()))
    _, pdf = render(app, aid, "en")
    flat = squash(read_pdf(pdf)[1])
    assert "There are no answers with a level yet" in flat
    assert "30 of 30 questions have no answer with a level yet" in flat


def test_rendering_has_a_time_limit(app: Flask, workshop: int) -> None:
    with app.app_context():
        html = build_html(db.session.get(Assessment, workshop), "en")
        with pytest.raises(ReportError, match="longer than"):
            render_pdf(html, timeout=0.05)


def test_cli_writes_pdf_and_html_and_never_a_half_file(
    app: Flask, workshop: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assessment.cli import main

    monkeypatch.setenv("CRM_SECRET_KEY", "test")
    runner = CliRunner()
    pdf_path = tmp_path / "out" / "report.pdf"
    result = runner.invoke(main, ["report", str(workshop), "--lang", "fa", "-o", str(pdf_path)])
    assert result.exit_code == 0, result.output
    assert pdf_path.read_bytes().startswith(b"%PDF")
    html_path = tmp_path / "report.html"
    runner.invoke(main, ["report", str(workshop), "--lang", "fa", "--format", "html",
                         "-o", str(html_path)])
    from weasyprint import HTML

    alone, _ = read_pdf(HTML(filename=str(html_path)).write_pdf())
    assert len(alone.pages) == len(read_pdf(pdf_path.read_bytes())[0].pages)
    slow = tmp_path / "slow.pdf"
    failed = runner.invoke(main, ["report", str(workshop), "-o", str(slow), "--timeout", "0.05"])
    assert failed.exit_code != 0
    assert "longer than" in failed.output
    assert not slow.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    missing = runner.invoke(main, ["report", "999", "-o", str(tmp_path / "x.pdf")])
    assert "there is no assessment 999" in missing.output


def test_download_from_the_results_page(app: Flask, client: FlaskClient, workshop: int,
                                        world: World) -> None:
    login(client)
    page = client.get(f"/assessments/{workshop}/results?lang=en").get_data(as_text=True)
    assert f'href="/assessments/{workshop}/report.pdf?lang=en"' in page
    assert f'href="/assessments/{workshop}/report.pdf?lang=fa"' in page
    response = client.get(f"/assessments/{workshop}/report.pdf?lang=fa")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Content-Disposition"].endswith('-fa.pdf"')
    assert client.get(f"/assessments/{workshop}/report.pdf?lang=de").status_code == 404
    world.user("other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(f"/assessments/{workshop}/report.pdf").status_code == 404


def test_executive_downloads_their_own_report(app: Flask, world: World) -> None:
    aid = world.assessment(world.client(world.user()), share=True)
    token = world.query(lambda s: s.get(Assessment, aid).share_token)
    executive = app.test_client()
    executive.post(f"/s/{token}", data={"name": "Sara"})
    executive.post(f"/s/{token}/answers/exec.vision.01", json={"value": 3})
    response = executive.get(f"/s/{token}/report.pdf?lang=fa")
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert world.query(lambda s: s.scalar(select(Client.name))) == "Acme Trading"


def test_reports_wait_their_turn_and_say_so_when_busy(app: Flask, workshop: int) -> None:
    from assessment.printing import render as report

    app.config["REPORT_QUEUE_WAIT"] = 0.05
    with app.app_context():
        html = build_html(db.session.get(Assessment, workshop), "en")
        with report.render_slot(1), pytest.raises(
                ReportError, match="Other reports are being prepared"):
            render_pdf(html)


def _boxes(html: str) -> list[Any]:
    """Every box WeasyPrint lays out for the document, page by page, parents first."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(STATIC_DIR) + "/",
                    url_fetcher=make_fetcher()).render()
    found: list[Any] = []

    def walk(box: Any) -> None:
        found.append(box)
        for child in getattr(box, "children", None) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return found


def _layout(html: str) -> list[tuple[Any, ...]]:
    """Every box of the rendered document: its kind, place, size and text."""
    return [(type(box).__name__, round(box.position_x, 3), round(box.position_y, 3),
             round(box.width or 0, 3), round(box.height or 0, 3), getattr(box, "text", None))
            for box in _boxes(html)]


def test_right_to_left_lines_are_laid_out_once_and_land_where_they_did(
        app: Flask, workshop: int) -> None:
    from weasyprint.layout import inline

    from assessment.printing import rtl as weasyprint_rtl

    with app.app_context():
        html = build_html(db.session.get(Assessment, workshop), "fa")
    # A float beside the text as well: the test being fixed is about lines meeting floats.
    html = html.replace('<section class="chapter" id="appendix">',
                        '<section class="chapter" id="appendix"><div style="float: left; '
                        'width: 40mm; height: 30mm"></div>', 1)
    weasyprint_rtl.remove()
    try:
        stock = _layout(html)
    finally:
        assert weasyprint_rtl.apply()
    assert _layout(html) == stock

    # One paragraph of Persian over a dozen lines: WeasyPrint as released shapes each line
    # twice; with the fix, once (and once more for the paragraph's trailing space).
    split = inline.split_first_line
    paragraph = ("<html dir='rtl'><body style='direction: rtl; width: 60mm'><p>"
                 + "سازمان تا چه اندازه چشم‌انداز مکتوب CRM دارد؟ " * 8 + "</p></body></html>")

    def shaped(fixed: bool) -> tuple[int, int]:
        calls: list[str] = []

        def counting(text: str, *args: Any, **kwargs: Any) -> Any:
            calls.append(text)
            return split(text, *args, **kwargs)

        if not fixed:
            weasyprint_rtl.remove()
        inline.split_first_line = counting
        try:
            lines = sum(1 for box in _layout(paragraph) if box[0] == "LineBox")
        finally:
            inline.split_first_line = split
            weasyprint_rtl.apply()
        return lines, len(calls)

    lines, stock_calls = shaped(fixed=False)
    assert lines >= 10
    assert stock_calls >= 2 * lines
    assert shaped(fixed=True) == (lines, lines + 1)


def test_no_question_line_in_the_appendix_breaks_after_its_first_word(
        app: Flask, workshop: int) -> None:
    """Every question's first line in the appendix is a full line when more lines follow."""
    with app.app_context():
        html = build_html(db.session.get(Assessment, workshop), "en")
    stranded = []
    for box in _boxes(html):
        lines = [child for child in getattr(box, "children", None) or ()
                 if type(child).__name__ == "LineBox"]
        if box.element_tag == "p" and "q" in (box.element.get("class") or "").split() \
                and len(lines) > 1 and lines[0].width < box.width / 2:
            stranded.append(box.element.text)
    assert stranded == []


def _pages_with_ink_at_the_edge(pdf: bytes, folder: Path) -> list[int]:
    """Pages with anything drawn in their outer 2% (left or right), at 30 dpi in grey:
    what runs off a page leaves ink there (pdftotext would drop it silently)."""
    import subprocess

    (folder / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "30", "-gray", str(folder / "r.pdf"),
                    str(folder / "p")], check=True, timeout=120)
    inked = []
    for number, page in enumerate(sorted(folder.glob("p-*.pgm")), start=1):
        _magic, size, _depth, pixels = page.read_bytes().split(b"\n", 3)
        width, height = map(int, size.split())
        edge = max(2, width // 50)
        rows = (pixels[y * width:(y + 1) * width] for y in range(height))
        if any(min(row[:edge]) < 200 or min(row[-edge:]) < 200 for row in rows):
            inked.append(number)
    return inked


@pytest.mark.parametrize("lang", ["fa", "en"])
def test_nothing_runs_off_a_page(app: Flask, workshop: int, lang: str, tmp_path: Path) -> None:
    """The Persian radar (a fixed-width LTR block centred by margin: auto) was placed
    against the right edge and ran off page 3."""
    html, pdf = render(app, workshop, lang)
    assert 'class="ltr-box radar"' in html
    assert _pages_with_ink_at_the_edge(pdf, tmp_path) == []


# --- rules version 2: maturity and readiness, honest figures, advice to go further --------


@pytest.fixture
def mixed(world: World) -> int:
    """Three executives: every data question at 1, exec.vision.01 rated 0 by one person while
    the two others do not know (uncertain), everything else at 4 (above the target of 3)."""

    def answer(person: int, _n: int, question: Any) -> str:
        if question.id == "exec.vision.01":
            return "0" if person == 0 else "unknown"
        return "1" if question.stage == "data" else "4"

    return world.answered(world.client(world.user()), answer, respondents=3)


def scored(app: Flask, aid: int, lang: str) -> tuple[Any, list[tuple[str, list[str]]]]:
    """The assessment's scores, and each model's verdict and reasons in `lang`."""
    from flask_babel import force_locale

    from assessment.results import score_assessment
    from assessment.verdicts import reasons_of, verdict_label

    catalog = get_catalog(app)
    with app.test_request_context(), force_locale(lang):
        result = score_assessment(catalog, db.session.get(Assessment, aid))
        return result, [(verdict_label(m.readiness.verdict), reasons_of(m, catalog, lang))
                        for m in result.models]


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_each_model_has_its_readiness_verdict_with_its_reasons(app: Flask, mixed: int,
                                                              lang: str) -> None:
    from .test_status_report import persian_run

    result, readiness = scored(app, mixed, lang)
    assert {m.readiness.verdict for m in result.models} >= {"not_ready"}
    _html, pdf = render(app, mixed, lang)
    flat = squash(read_pdf(pdf)[1])
    summary = flat[flat.index("Readiness for each deployment model" if lang == "en"
                              else "آمادگی برای هر مدل استقرار"):]
    for (label, reasons), model in zip(readiness, result.models, strict=True):
        name = get_catalog(app).models[model.model].name.get(lang)
        assert reasons, model.model
        if lang == "en":
            assert f"{name} {label}" in summary
            for reason in reasons:
                assert reason in summary
        else:
            assert label in summary
            for reason in reasons:
                assert persian_run(reason) in summary
    assert "Readiness index" not in flat
    assert ("Maturity index" if lang == "en" else "شاخص بلوغ") in flat


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_one_respondent_is_self_reported_whatever_the_coverage(app: Flask, world: World,
                                                               lang: str) -> None:
    aid = world.answered(world.client(world.user()), "3")
    _html, pdf = render(app, aid, lang)
    flat = squash(read_pdf(pdf)[1])
    if lang == "en":
        assert "100%Self-reported" in flat  # coverage, then the confidence label below it
        assert "One person answered alone: nobody else's view has tested" in flat
        assert "High confidence" not in flat
    else:
        assert "٪۰۰۱خوداظهاری" in flat  # 100%, its digits back to front as pypdf gives them
        assert "این پاسخ‌ها را نیازموده است".replace(ZWNJ, "") in flat
        assert "اطمینان بالا" not in flat


def test_priorities_then_advice_to_go_further_with_gaps_in_levels(app: Flask,
                                                                  mixed: int) -> None:
    from assessment import i18n

    result, _readiness = scored(app, mixed, "en")
    questionnaire = get_catalog(app).questionnaires["executive"]
    assert result.priorities[0].question_id == "exec.vision.01"
    assert result.questions["exec.vision.01"].uncertain
    html, pdf = render(app, mixed, "en")
    flat = squash(read_pdf(pdf)[1])
    for stage in result.stages:
        assert stage.gap is not None
        assert f"Gap: {i18n.number(stage.gap, 'en', 1)} levels" in flat, stage.stage
    assert "Gap: 2.0 levels" in flat  # data: level 1 against a target of 3
    # the uncertain question is marked in the priorities and in the appendix
    assert "Vision · at 0.0, target 3 · uncertain ·" in flat
    vision = questionnaire.question("exec.vision.01").text.en
    line = html[html.index(f'<p class="q">{vision}'):]
    assert 'class="uncertain"' in line[:line.index("</p>")]
    # the stage's "don't know" share: 2 of the 15 answers that apply to vision
    assert "don't know: 2 (13%)" in flat
    # the "to go further" list, at the end of the stages chapter (after the priorities),
    # each with its advice for level 4; the roadmap page a board approves comes later
    further = flat.index("To go further")
    assert flat.index("The three largest gaps") < further < flat.index("Roadmap for approval")
    assert len(result.further) == len(questionnaire.questions) - 1 - sum(
        q.stage == "data" for q in questionnaire.questions)
    for item in result.further:
        recommendation = questionnaire.question(item.question_id).recommendation_for(4)
        assert recommendation is not None
        assert squash(recommendation.text.en) in flat[further:], item.question_id


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_appendix_says_what_the_level_reached_means(app: Flask, mixed: int,
                                                       lang: str) -> None:
    """Under each question's figures: its level (the whole part of its value), that level's
    name on the question's scale, and the question's own description of it."""

    catalog = get_catalog(app)
    _html, pdf = render(app, mixed, lang)
    flat = squash(read_pdf(pdf)[1])
    appendix = flat[flat.rindex("Appendix: every question" if lang == "en"
                                else "پیوست: همه‌ی پرسش‌ها".replace(ZWNJ, "")):]
    checked = 0
    for question in catalog.questionnaires["executive"].questions:
        level = 0 if question.id == "exec.vision.01" else 1 if question.stage == "data" else 4
        name = catalog.scale_of(question).level(level).name.get(lang)
        meaning = question.levels[level].get(lang)
        if lang == "en":
            assert squash(f"Level {level}, {name}: {meaning}") in appendix, question.id
            checked += 1
        elif not re.search(r"[A-Za-z0-9]", meaning):
            # pypdf gives a Persian line in reading order (its final stop aside) unless Latin
            # words or digits mix into it
            line = f"سطح {persian_digits(level)}، {name}: {meaning.rstrip('.')}"
            assert squash(line) in appendix, question.id
            checked += 1
    assert checked >= 20
    # an attitude question names its level on the extent scale
    almost_fully = catalog.scales["extent"].level(4).name.get(lang)
    assert almost_fully == ("Almost fully" if lang == "en" else "تقریباً کامل")
    assert (f"Level 4, {almost_fully}:" if lang == "en" else f"سطح ۴، {almost_fully}:") in appendix


def test_the_appendix_describes_the_agreed_level(app: Flask, workshop: int) -> None:
    from assessment.results import score_assessment
    from assessment.workshop.operations import record_agreed

    catalog = get_catalog(app)
    with app.app_context():
        assessment = db.session.get(Assessment, workshop)
        result = score_assessment(catalog, assessment)
        qid = next(q for q in result.divergent if int(result.questions[q].value or 0) != 5)
        record_agreed(catalog, assessment, qid, "5", "")
        db.session.commit()
    question = catalog.questionnaires["workshop"].question(qid)
    assert question.levels is not None
    _html, pdf = render(app, workshop, "en")
    flat = squash(read_pdf(pdf)[1])
    name = catalog.scale_of(question).level(5).name.en
    assert squash(f"Level 5, {name}: {question.levels[5].en}") in flat


def test_persian_report_has_persian_digits_and_x_of_y_with_az(app: Flask, mixed: int) -> None:
    html, pdf = render(app, mixed, "fa")
    flat = squash(read_pdf(pdf)[1])
    # The sources are English citations, kept as they are printed; the rest is Persian.
    body = flat[:flat.rindex("منابع")]
    assert re.findall(r"[0-9]+", body) == []
    assert "/" not in body.replace("docs/scoring.md", "")
    # "x of y" with «از»: the index, the questions scored, the page numbers
    assert re.search(r"شاخص بلوغ [۰-۹]+ از (۱۰۰|۰۰۱)", body)
    assert re.search(r"[۰-۹]+ از [۰-۹]+ پرسش امتیاز دارند", body)
    assert 'counter(page, persian) " از " counter(pages, persian)' in html
    assert "برای پیشرفت بیشتر" in body
    assert "نامطمئن" in body


def test_the_report_states_the_rules_version_of_docs_scoring(app: Flask, mixed: int) -> None:
    from assessment.scoring import RULES_VERSION

    docs = (Path(__file__).parent.parent / "docs" / "scoring.md").read_text(encoding="utf-8")
    found = re.search(r"\*\*Rules version (\d+)\*\*", docs)
    assert found is not None
    assert int(found.group(1)) == RULES_VERSION
    _html, pdf = render(app, mixed, "en")
    flat = squash(read_pdf(pdf)[1])
    assert f"Scoring rules version {RULES_VERSION}, docs/scoring.md" in flat
    assert f"Scores follow rules version {RULES_VERSION}, docs/scoring.md." in flat


def test_a_model_stage_target_is_the_weighted_mean_of_its_evidence_stage_targets(
        catalog: Any) -> None:
    from dataclasses import replace

    from assessment.results import model_stage_target
    from assessment.scoring import score

    questionnaire = catalog.questionnaires["workshop"]
    targets = {"vision": 5, "strategy": 4, "process": 3, "data": 2, "technology": 1,
               "metrics": 0}
    informing = catalog.informing_questions["workshop"]
    # every question answered, except the data questions
    answers = {q.id: 3 for q in questionnaire.questions if q.stage != "data"}
    result = score(catalog, questionnaire, {"p": answers}, targets=targets)
    checked = 0
    for model in result.models:
        for stage in model.stages:
            evidence = informing[f"{model.model}.{stage.stage}"]
            valued = [q for q in evidence if q.stage != "data"] or evidence
            expected = (sum(targets[q.stage] * q.weight for q in valued)
                        / sum(q.weight for q in valued))
            assert model_stage_target(result, stage) == pytest.approx(expected)
            checked += 1
            if (any(q.stage == "data" for q in evidence) and valued != evidence
                    and targets["data"] != pytest.approx(expected)):
                # a question without a value leaves the target as it leaves the score
                # (counting it would move the mean, unless its target is the mean already)
                everything = (sum(targets[q.stage] * q.weight for q in evidence)
                              / sum(q.weight for q in evidence))
                assert model_stage_target(result, stage) != pytest.approx(everything)
    assert checked == sum(len(m.stages) for m in catalog.models.values())
    nothing = score(catalog, questionnaire, {}, targets=targets)
    stage = nothing.models[0].stages[0]
    evidence = informing[f"{stage.model}.{stage.stage}"]
    assert model_stage_target(nothing, stage) == pytest.approx(
        sum(targets[q.stage] * q.weight for q in evidence) / sum(q.weight for q in evidence))
    assert model_stage_target(nothing, replace(stage, question_ids=())) is None
