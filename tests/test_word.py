"""The readiness report's editable Word copy (printing/word.py), opened with python-docx.

The demo's workshop (assessment 1) is made once per module in both languages, as PDF and
as Word copy from the same HTML: the Word headings are the PDF's bookmarks, the key
figures are the same in both, and the Persian copy is right to left throughout, in
Persian. The edge cases of the report-quality tests (no answers, a few answers, a long
mixed-script name with comments) are made as Word copies too.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import pytest
from click.testing import CliRunner
from docx.table import Table
from flask import Flask
from pypdf import PdfReader

from assessment import i18n
from assessment.cli import main
from assessment.extensions import db
from assessment.printing.render import (
    ReportError,
    render_in_child,
    render_pdf_here,
    report_language,
)
from assessment.printing.report import build_html, file_name
from assessment.printing.word import (
    HTML_NS,
    PrintStyle,
    build_docx,
    role_of,
)
from assessment.results import readiness_rows, score_assessment
from assessment.tables import Assessment
from assessment.web import get_catalog

from .conftest import Signed, World, app_in
from .persian import KEPT_LATIN, foreign_in_persian
from .test_report_cache import slots_taken
from .test_report_quality import CATALOGUE_ACRONYMS, CODE, _empty, _long, _thin, _user_texts

LANGS = ("en", "fa")
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass
class Made:
    """One assessment's report in one language: its HTML, PDF and Word copy, and the
    figures it must show."""

    html: str
    docx: bytes
    pdf: bytes = b""
    user_texts: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def document(self) -> Any:
        return docx.Document(io.BytesIO(self.docx))


def _figures(app: Flask, assessment_id: int, lang: str) -> dict[str, Any]:
    """The maturity index, coverage, stage scores and verdicts, formatted as the report
    formats them."""
    with app.app_context(), report_language(app, lang):
        catalog = get_catalog(app)
        assessment = db.session.get(Assessment, assessment_id)
        result = score_assessment(catalog, assessment)
        return {
            "index": i18n.number(result.maturity_index, lang),
            "coverage": i18n.percent(result.coverage, lang),
            "stages": {catalog.stage(s.stage).name.get(lang): i18n.number(s.score, lang)
                       for s in result.stages},
            "verdicts": {catalog.models[r.model.model].name.get(lang): r.label
                         for r in readiness_rows(catalog, result, lang)},
        }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Made]]:
    with app_in(tmp_path_factory.mktemp("word"), demo=True) as app:
        made = {}
        for lang in LANGS:
            with app.app_context():
                html = build_html(db.session.get(Assessment, 1), lang)
            made[lang] = Made(html, build_docx(html), render_pdf_here(html),
                              _user_texts(app, 1), _figures(app, 1, lang))
        yield made


@pytest.fixture(scope="module")
def edge_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Made]]:
    """The report-quality edge cases, by name and language ("long-fa")."""
    with app_in(tmp_path_factory.mktemp("word-edge")) as app:
        made = {}
        for name, make in (("empty", _empty), ("thin", _thin), ("long", _long)):
            assessment_id = make(app)
            for lang in LANGS:
                with app.app_context():
                    html = build_html(db.session.get(Assessment, assessment_id), lang)
                made[f"{name}-{lang}"] = Made(html, build_docx(html),
                                              user_texts=_user_texts(app, assessment_id))
        yield made


def plain(text: str) -> str:
    return " ".join(text.split())


def word_headings(document: Any) -> list[tuple[int, str]]:
    """(level, text) of every paragraph in a Heading 1 to 3 style, in order."""
    found = []
    for paragraph in document.paragraphs:
        match = re.fullmatch(r"Heading ([1-3])", paragraph.style.name)
        if match:
            found.append((int(match.group(1)), plain(paragraph.text)))
    return found


def pdf_outline(pdf: bytes) -> list[tuple[int, str]]:
    """(level, title) of every bookmark of the PDF, in order (WeasyPrint makes them from
    the headings the print CSS puts in the outline)."""
    reader = PdfReader(io.BytesIO(pdf))
    found: list[tuple[int, str]] = []

    def walk(items: list[Any], level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, plain(item.title)))

    walk(reader.outline, 1)
    return found


def pdf_text(pdf: bytes) -> str:
    return plain(" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages))


def in_pdf_text(figure: str, text: str, lang: str) -> bool:
    """Whether the PDF's text holds `figure`. Text read from a PDF follows the drawing: a
    number drawn in a right-to-left line comes out last digit first («۴۳» as «۳۴»)."""
    return figure in text or (lang == "fa" and figure[::-1] in text)


# --- the same sections and figures as the PDF -------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_word_headings_are_the_pdfs_bookmarks(demo: dict[str, Made], lang: str) -> None:
    """Heading 1 and 2 in Word are the PDF's outline, level for level and in order; the
    sub-headings the PDF keeps out of its outline are Heading 3."""
    document = demo[lang].document
    headings = word_headings(document)
    outline = pdf_outline(demo[lang].pdf)
    assert len(outline) > 20
    assert [(level, text) for level, text in headings if level < 3] == outline
    minor = [text for level, text in headings if level == 3]
    assert ("The three largest gaps" if lang == "en" else "سه شکاف بزرگ") in minor
    assert ("The decision asked of the board" if lang == "en"
            else "تصمیمی که از هیئت‌مدیره خواسته می‌شود") in minor
    assert document.paragraphs[[p.style.name for p in document.paragraphs].index("Title")] \
        .text.strip() == demo[lang].user_texts[0]  # the client's name, the cover's title


@pytest.mark.parametrize("lang", LANGS)
def test_the_key_figures_are_the_pdfs(demo: dict[str, Made], lang: str) -> None:
    made = demo[lang]
    figures = made.figures
    words = plain(" ".join(iter_text(made.document)))
    pdf = pdf_text(made.pdf)
    for figure in (figures["index"], figures["coverage"]):
        assert figure in words
        assert in_pdf_text(figure, pdf, lang)
    headings = dict((text, level) for level, text in word_headings(made.document))
    outline = {text for _level, text in pdf_outline(made.pdf)}
    for stage, score in figures["stages"].items():
        assert f"{stage} {score}" in headings
        assert f"{stage} {score}" in outline
    for model, verdict in figures["verdicts"].items():
        heading = next(text for text in headings if text.startswith(model + " "))
        assert heading.endswith(verdict)
        assert heading in outline
    assert len(set(figures["verdicts"].values())) > 1  # the demo shows more than one verdict


@pytest.mark.parametrize("lang", LANGS)
def test_the_word_copy_has_the_radar_tables_and_properties(demo: dict[str, Made],
                                                           lang: str) -> None:
    document = demo[lang].document
    pictures = document.inline_shapes
    # the board's stage strip, the radar and the customer data's completeness bars, pyramid
    # and RFM grid (no logo in the demo)
    assert len(pictures) == 5
    assert all(picture.width.mm <= 176 + 0.1 for picture in pictures)  # within the text
    assert len(document.tables) >= 3  # the cover's facts, the key figures, the stages
    facts = document.tables[0]
    labels = [row.cells[0].text for row in facts.rows]
    assert labels[0] == ("Questionnaire" if lang == "en" else "پرسش‌نامه")
    assert facts.rows[3].cells[1].text == "Demo Consulting"
    properties = document.core_properties
    assert properties.author == "Demo Consulting"
    assert properties.title.endswith("Pars Retail Group, Baseline workshop")
    assert properties.language == ("fa-IR" if lang == "fa" else "en")
    # a new page after the cover, as in the PDF
    summary = next(p for p in document.paragraphs if p.style.name == "Heading 1")
    assert summary.paragraph_format.page_break_before
    # the PDF's running header and footer are Word's own, left off the cover, and not
    # printed as a table at the top of the cover
    section = document.sections[0]
    assert section.different_first_page_header_footer
    assert [p.text for p in section.header.paragraphs] == ["Pars Retail Group · Demo Consulting"]
    footer = [p.text for p in section.footer.paragraphs]
    assert footer[0] == ("Confidential: prepared for Pars Retail Group by Demo Consulting."
                         if lang == "en" else
                         "محرمانه: تهیه‌شده برای Pars Retail Group توسط Demo Consulting.")
    assert "Demo Consulting" not in " ".join(c.text for c in facts.rows[0].cells)


def test_numbered_lists_start_at_one_each(demo: dict[str, Made]) -> None:
    """Each English list is numbered from one by Word; in Persian the numbers are Persian
    digits in the text."""
    document = demo["en"].document
    numbered = [p for p in _paragraphs(document) if p.style.name == "List Number"]
    ids = [p._p.pPr.numPr.numId.val for p in numbered]
    assert len(set(ids)) >= 4
    overrides = document.part.numbering_part.element.findall(f"{W}num/{W}lvlOverride")
    assert len(overrides) == len(set(ids))
    persian = [p.text for p in _paragraphs(demo["fa"].document)
               if p.style.name == "List Number"]
    # the radar's legend carries its own numbers, without the list's
    legend = [p.text for p in _paragraphs(document) if p.text.startswith("1 Vision: ")]
    assert len(legend) == 1
    assert legend[0] == f"1 Vision: {demo['en'].figures['stages']['Vision']} (target 80)"
    assert persian[0].startswith("۱. ")
    assert sum(text.startswith("۱. ") for text in persian) >= 4


# --- Persian ------------------------------------------------------------------------------


def iter_text(document: Any) -> Iterator[str]:
    return (paragraph.text for paragraph in _paragraphs(document))


def _paragraphs(container: Any) -> Iterator[Any]:
    """Every paragraph, those in tables' cells too, in the document's order."""
    for block in container.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    yield from _paragraphs(cell)
        else:
            yield block


def _before_sources(document: Any) -> str:
    """The text before the Sources heading (the references are in English)."""
    texts = list(iter_text(document))
    return "\n".join(texts[:texts.index("منابع")] if "منابع" in texts else texts)


def _bidi(paragraph: Any) -> bool:
    return paragraph._p.pPr is not None and paragraph._p.pPr.find(f"{W}bidi") is not None


def assert_right_to_left(document: Any) -> None:
    """Every paragraph right to left, but the sources' (references in English); every
    table, the section and the language too; every run in the report's font."""
    paragraphs = list(_paragraphs(document))
    texts = [p.text for p in paragraphs]
    cut = texts.index("منابع") + 1 if "منابع" in texts else len(texts)
    assert [p.text for p in paragraphs[:cut] if not _bidi(p)] == []
    assert [p.text for p in paragraphs[cut:] if _bidi(p)] == []
    assert all(t._tbl.tblPr.find(f"{W}bidiVisual") is not None for t in document.tables)
    assert document.sections[0]._sectPr.find(f"{W}bidi") is not None
    defaults = document.styles.element.find(f"{W}docDefaults")
    assert defaults.find(f".//{W}lang").get(f"{W}bidi") == "fa-IR"
    for paragraph in paragraphs:
        for run in paragraph.runs:
            if run.text.strip():  # not a line break or a field's mark
                fonts = run._r.rPr.find(f"{W}rFonts")
                assert fonts is not None, run.text
                assert fonts.get(f"{W}cs") == "Vazirmatn", run.text


def test_the_persian_copy_is_right_to_left_in_persian(demo: dict[str, Made]) -> None:
    made = demo["fa"]
    document = made.document
    assert_right_to_left(document)
    kept = KEPT_LATIN | CATALOGUE_ACRONYMS
    assert foreign_in_persian(_before_sources(document), [*made.user_texts, *CODE],
                              kept=kept) == []
    # Persian runs are right to left; what the user typed in English is not
    runs = [run for p in _paragraphs(document) for run in p.runs if run.text.strip()]
    persian = [run for run in runs if re.search("[آ-ی]", run.text)]
    assert persian
    assert all(run._r.rPr.find(f"{W}rtl") is not None for run in persian)
    client = next(run for run in runs if run.text == "Demo Consulting")
    assert client._r.rPr.find(f"{W}rtl") is None
    # bold Persian is bold in the complex script too
    bold = [run for run in persian if run.bold]
    assert bold
    assert all(run._r.rPr.find(f"{W}bCs") is not None for run in bold)


def test_the_english_copy_is_left_to_right(demo: dict[str, Made]) -> None:
    document = demo["en"].document
    assert not any(_bidi(p) for p in _paragraphs(document))
    assert document.sections[0]._sectPr.find(f"{W}bidi") is None


@pytest.mark.parametrize("name", ["empty", "thin", "long"])
def test_the_edge_cases_in_persian(edge_cases: dict[str, Made], name: str) -> None:
    made = edge_cases[f"{name}-fa"]
    document = made.document
    assert_right_to_left(document)
    assert foreign_in_persian(_before_sources(document), [*made.user_texts, *CODE],
                              kept=KEPT_LATIN | CATALOGUE_ACRONYMS) == []
    headings = word_headings(document)
    assert headings[0] == (1, "چه چیزی کم است" if name == "empty" else "صفحه‌ی هیئت‌مدیره")
    if name == "long":
        text = "\n".join(iter_text(document))
        for typed in made.user_texts:  # the client's name, comments, the agreed notes
            assert plain(typed) in plain(text) or typed not in made.html


@pytest.mark.parametrize("lang", LANGS)
def test_a_long_name_is_cut_to_fit_the_document_properties(edge_cases: dict[str, Made],
                                                          lang: str) -> None:
    """Word keeps at most 255 characters in a document property; the 200-character
    client name makes the report's title longer than that."""
    made = edge_cases[f"long-{lang}"]
    title = made.document.core_properties.title
    assert len(title) <= 255
    assert made.user_texts[0][:50] in title
    if lang == "en":  # 257 characters in all
        assert title.endswith("…")


def test_the_cover_title_keeps_persian_letters_joined(edge_cases: dict[str, Made]) -> None:
    """No letter spacing in any style (spaced letters break Persian's joins)."""
    styles = edge_cases["long-fa"].document.styles.element
    assert styles.findall(f".//{W}rPr/{W}spacing") == []


# --- the mapping ----------------------------------------------------------------------


def _root(html: str) -> Any:
    import tinyhtml5

    return tinyhtml5.parse(html)


def test_unknown_elements_keep_their_text_and_hidden_ones_go() -> None:
    html = ("<html lang='en'><head><style>.gone { display: none } .quiet { bookmark-level: none }"
            "</style></head><body><section><h1>One</h1><custom-box>Loose text <b>bold</b>"
            "</custom-box><div><span>in a span</span><p>A paragraph</p>tail text</div>"
            "<h2 class='quiet'>Minor</h2><h2>Major</h2><p class='gone'>Hidden</p>"
            "<aside><figure>Deep <em>text</em></figure></aside></section></body></html>")
    document = docx.Document(io.BytesIO(build_docx(html)))
    texts = [p.text for p in document.paragraphs]
    assert texts == ["One", "Loose text bold", "in a span", "A paragraph", "tail text",
                     "Minor", "Major", "Deep text"]
    assert word_headings(document) == [(1, "One"), (3, "Minor"), (2, "Major")]
    assert document.paragraphs[1].runs[1].bold


def test_print_style_cascades_by_specificity_and_order() -> None:
    root = _root("<html><head><style>h2 { bookmark-level: none } .k h2 { bookmark-level: 2 }"
                 "#x { display: none } p { display: block } body ol { list-style: decimal }"
                 ".k ol { list-style: none inside }</style></head><body>"
                 "<h2>a</h2><div class='k'><h2>b</h2><ol><li>d</li></ol></div><p id='x'>c</p>"
                 "</body></html>")
    style = PrintStyle(root)
    assert style.unmarked(next(root.iter(f"{{{HTML_NS}}}ol")))
    h2s = list(root.iter(f"{{{HTML_NS}}}h2"))
    assert [style.bookmark_level(h) for h in h2s] == [None, 2]
    assert style.hidden(next(root.iter(f"{{{HTML_NS}}}p")))
    assert role_of(h2s[0]) == "heading"


def test_a_word_copy_that_takes_too_long_is_stopped(app: Flask, demo: dict[str, Made]) -> None:
    with app.app_context(), pytest.raises(ReportError, match="longer than"):
        render_in_child(build_docx, demo["en"].html, timeout=0.01)


# --- the download and the command line ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_download_is_the_word_copy_from_the_cache_the_second_time(
        app: Flask, signed_in: Signed, lang: str) -> None:
    browser, world, user_id = signed_in
    assessment_id = world.assessment(world.client(user_id))
    page = browser.get(f"/assessments/{assessment_id}/results?lang={lang}").get_data(
        as_text=True)
    url = f"/assessments/{assessment_id}/report.docx?lang={lang}"
    assert f'href="{url}"' in page.replace("&amp;", "&")
    response = browser.get(url)
    assert response.status_code == 200
    assert response.mimetype == DOCX
    with app.app_context():
        name = file_name(db.session.get(Assessment, assessment_id), lang, "docx")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{name}"'
    assert name.endswith(f"-{lang}.docx")
    document = docx.Document(io.BytesIO(response.data))
    assert word_headings(document)[0] == (1, "What is missing" if lang == "en"
                                          else "چه چیزی کم است")
    with slots_taken(app):  # every render slot taken: only the cache can answer
        again = browser.get(url)
    assert again.status_code == 200
    assert again.data == response.data
    assert browser.get(url.replace(".docx?", ".pdf?")).mimetype == "application/pdf"


def test_the_command_line_writes_the_word_copy(app: Flask, world: World,
                                               tmp_path: Path) -> None:
    assessment_id = world.assessment(world.client(world.user()))
    out = tmp_path / "report.docx"
    result = CliRunner().invoke(main, ["report", str(assessment_id), "--lang", "fa",
                                       "--format", "docx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert word_headings(docx.Document(str(out)))[0] == (1, "چه چیزی کم است")


def test_an_executives_share_link_downloads_the_word_copy(app: Flask, world: World) -> None:
    assessment_id = world.assessment(world.client(world.user()), questionnaire="executive",
                                     share=True)
    with app.app_context():
        token = db.session.get(Assessment, assessment_id).share_token
    phone = app.test_client()
    assert phone.post(f"/s/{token}", data={"name": "Sara"}).status_code == 302
    page = phone.get(f"/s/{token}/results?lang=fa").get_data(as_text=True)
    assert f'href="/s/{token}/report.docx?lang=fa"' in page
    response = phone.get(f"/s/{token}/report.docx?lang=fa")
    assert response.status_code == 200
    assert response.mimetype == DOCX
    assert_right_to_left(docx.Document(io.BytesIO(response.data)))
