"""The consultancy's brand: the workspace settings page, the one check of a brand colour,
the firm's logo, the running header and footer of both reports, and the PDF's reading
direction."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import pdfplumber
import pytest
from flask import Flask
from PIL import Image
from pypdf import PdfReader

from assessment import brand
from assessment.accounts.operations import save_workspace
from assessment.errors import FieldError
from assessment.extensions import db
from assessment.i18n import format_date
from assessment.printing.render import render_pdf_here
from assessment.printing.report import build_html
from assessment.printing.status import build_status_html
from assessment.tables import Assessment, Roadmap, User, Workspace

from .conftest import Signed, World, app_in
from .pdfcheck import MM, drawn_outside
from .persian import foreign_in_persian

BRAND = "#aa3300"
FIRM = "Mehr Advisory"
CLIENT = "Acme Trading"
TODAY = date(2026, 3, 2)


def image(kind: str, size: tuple[int, int] = (120, 40)) -> bytes:
    """A real image of `kind` (PNG, JPEG, GIF), a blue box."""
    out = io.BytesIO()
    Image.new("RGB", size, (30, 90, 200)).save(out, kind)
    return out.getvalue()


# --- the one check of a brand colour -------------------------------------------------

MALFORMED = ["red", "#12345", "#GGGGGG", "#123456; } body {", "", "   ", "123456", "#1234567",
             "#12 34 56", "rgb(1, 2, 3)", "#abcd", None]


@pytest.mark.parametrize("text", MALFORMED)
def test_a_malformed_colour_is_refused_on_its_field(app: Flask, text: str | None) -> None:
    with app.test_request_context(), pytest.raises(FieldError) as refused:
        brand.check_colour(text)
    assert refused.value.field == "brand_colour"
    assert "six hexadecimal digits" in str(refused.value)
    assert brand.normal_colour(text) is None
    assert brand.print_colour(text) == brand.DEFAULT_BRAND


@pytest.mark.parametrize(("text", "stored"), [
    ("#AA3300", "#aa3300"), ("#aa3300", "#aa3300"), (" #1F6f8B ", "#1f6f8b"),
    ("#a30", "#aa3300"), ("#FFF", "#ffffff")])
def test_a_colour_is_stored_lower_case_in_six_digits(text: str, stored: str) -> None:
    assert brand.check_colour(text) == stored
    assert brand.print_colour(text) == stored


@pytest.mark.parametrize(("colour", "text"), [
    ("#1f6f8b", brand.LIGHT_TEXT), ("#000000", brand.LIGHT_TEXT), ("#aa3300", brand.LIGHT_TEXT),
    ("#ffffff", brand.DARK_TEXT), ("#f4d03f", brand.DARK_TEXT), ("#8fd3fe", brand.DARK_TEXT)])
def test_text_on_the_brand_colour_is_whichever_reads_better(colour: str, text: str) -> None:
    assert brand.text_on(colour) == text
    assert brand.contrast(text, colour) >= 4.5


# --- the settings page ---------------------------------------------------------------


def stored(world: World) -> tuple[str, str, str, str | None, bytes | None]:
    return world.query(lambda s: next(
        (w.name, w.brand_colour, w.confidentiality, w.logo_type, w.logo)
        for w in s.scalars(db.select(Workspace))))


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_settings_page_is_reached_from_the_top_bar(signed_in: Signed, lang: str) -> None:
    client, _, _ = signed_in
    client.get(f"/language/{lang}")
    dashboard = client.get("/dashboard").get_data(as_text=True)
    assert 'href="/workspace"' in dashboard
    page = client.get("/workspace")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ("Workspace settings" if lang == "en" else "تنظیمات فضای کاری") in text
    assert 'name="brand_colour"' in text
    assert 'name="logo"' in text


@pytest.mark.parametrize("text", [t for t in MALFORMED if t is not None])
def test_a_malformed_colour_is_shown_beside_its_field_and_nothing_is_stored(
        signed_in: Signed, text: str) -> None:
    client, world, _ = signed_in
    before = stored(world)
    response = client.post("/workspace", data={"name": "Renamed Consulting",
                                               "brand_colour": text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field = page.split('name="brand_colour"')[1].split("</div>\n      </div>")[0]
    assert "is-invalid" in page.split('name="brand_colour"')[0].rsplit("<input", 1)[1]
    assert "six hexadecimal digits" in page
    assert field  # the message follows the field
    assert stored(world) == before


def test_the_refusal_reads_in_persian(signed_in: Signed) -> None:
    client, _, _ = signed_in
    client.get("/language/fa")
    response = client.post("/workspace", data={"name": "Renamed", "brand_colour": "red"})
    assert response.status_code == 400
    message = re.search(r'<div class="invalid-feedback d-block">([^<]*)</div>',
                        response.get_data(as_text=True))
    assert message is not None
    assert "شش رقم در مبنای شانزده" in message.group(1)
    assert foreign_in_persian(message.group(1)) == []


def test_a_valid_brand_is_stored_checked(signed_in: Signed) -> None:
    client, world, _ = signed_in
    response = client.post("/workspace", data={
        "name": "  Mehr   Advisory ", "brand_colour": "#A30",
        "confidentiality": "For the board only."})
    assert response.status_code == 302
    assert stored(world)[:4] == ("Mehr Advisory", "#aa3300", "For the board only.", None)


@pytest.mark.parametrize(("kind", "mime"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_png_or_jpeg_logo_is_taken_and_can_be_removed(signed_in: Signed, kind: str,
                                                        mime: str) -> None:
    client, world, _ = signed_in
    data = image(kind)
    response = client.post("/workspace", data={
        "name": FIRM, "brand_colour": BRAND, "logo": (io.BytesIO(data), f"logo.{kind.lower()}")})
    assert response.status_code == 302
    assert stored(world)[3:] == (mime, data)
    assert f"data:{mime};base64," in client.get("/workspace").get_data(as_text=True)
    # saving again without a file keeps it; "remove" removes it
    client.post("/workspace", data={"name": FIRM, "brand_colour": BRAND})
    assert stored(world)[3:] == (mime, data)
    client.post("/workspace", data={"name": FIRM, "brand_colour": BRAND, "remove_logo": "y"})
    assert stored(world)[3:] == (None, None)


@pytest.mark.parametrize(("content", "name", "says"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "logo.png", "PNG or JPEG"),
    (image("GIF"), "logo.png", "PNG or JPEG"),
    (b"%PDF-1.7 not an image", "logo.jpg", "PNG or JPEG"),
    (image("PNG"), "logo.gif", "png, jpg, jpeg"),  # the form's own check of the name
    (image("PNG") + b"\0" * 5000, "logo.png", "larger than 4 KiB"),
])
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused(
        signed_in: Signed, monkeypatch: pytest.MonkeyPatch, content: bytes, name: str,
        says: str) -> None:
    client, world, _ = signed_in
    # (a smaller limit keeps the test request in memory; the rule is the same)
    monkeypatch.setattr(brand, "LOGO_MAX_BYTES", 4096)
    before = stored(world)
    response = client.post("/workspace", data={
        "name": "Renamed", "brand_colour": BRAND, "logo": (io.BytesIO(content), name)})
    assert response.status_code == 400
    assert says in response.get_data(as_text=True)
    assert stored(world) == before


# --- the reports -----------------------------------------------------------------------


@dataclass
class Printed:
    html: dict[str, str] = field(default_factory=dict)
    pdf: dict[str, bytes] = field(default_factory=dict)


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Printed]]:
    """The readiness and status reports of a branded workspace, in both languages."""
    with app_in(tmp_path_factory.mktemp("brand")) as app:
        world = World(app)
        user_id = world.user()
        client_id = world.client(user_id, CLIENT)
        assessment_id = world.answered(client_id, lambda p, n, q: str(n % 4),
                                       completed_at=datetime(2026, 2, 20), title="Baseline")
        world.roadmap(assessment_id, "gartner", starts_on=date(2026, 1, 5), accepted=True)
        found = {"readiness": Printed(), "status": Printed()}
        with app.app_context():
            user = db.session.get(User, user_id)
            save_workspace(user.workspace, name=FIRM, brand_colour=BRAND.upper(),
                           logo=image("PNG", (300, 100)))
            db.session.commit()
        for lang in ("en", "fa"):
            with app.app_context():
                assessment = db.session.get(Assessment, assessment_id)
                found["readiness"].html[lang] = build_html(assessment, lang)
                roadmap = db.session.scalar(db.select(Roadmap))
                found["status"].html[lang] = build_status_html(roadmap, lang, TODAY)
            for kind in found.values():
                kind.pdf[lang] = render_pdf_here(kind.html[lang])
        yield found


REPORTS = [(kind, lang) for kind in ("readiness", "status") for lang in ("en", "fa")]
#: each report's top and bottom page margins (reports/report.css, reports/status.css)
MARGINS = {"readiness": (20, 18), "status": (13, 15)}
TITLES = {"readiness": {"en": "CRM maturity and readiness report",
                        "fa": "گزارش بلوغ و آمادگی"},
          "status": {"en": "CRM rollout status", "fa": "وضعیت استقرار"}}


def _fills(pdf: bytes, colour: str) -> list[int]:
    """The pages (1-based) with a rectangle filled with `colour`."""
    want = tuple(int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5))
    pages = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            if any(len(rect.get("non_stroking_color") or ()) == 3 and all(
                    abs(float(a) - b) < 0.01 for a, b in zip(rect["non_stroking_color"], want,
                                                             strict=True))
                   for rect in page.rects):
                pages.append(number)
    return pages


@pytest.mark.parametrize(("kind", "lang"), REPORTS)
def test_the_checked_brand_colour_reaches_the_css_and_the_pdf(printed: dict[str, Printed],
                                                              kind: str, lang: str) -> None:
    report = printed[kind]
    assert f":root {{ --brand: {BRAND}; --on-brand: {brand.LIGHT_TEXT}; }}" in report.html[lang]
    assert 1 in _fills(report.pdf[lang], BRAND)  # the cover's band, the status report's


def test_a_colour_stored_unchecked_never_reaches_the_css(app: Flask, world: World) -> None:
    """A row written around the check (by hand, by an older version) prints ours."""
    user_id = world.user()
    assessment_id = world.answered(world.client(user_id), "2")
    with app.app_context():
        workspace = db.session.get(User, user_id).workspace
        workspace.brand_colour = "red;}"
        db.session.commit()
        html = build_html(db.session.get(Assessment, assessment_id), "en")
    assert "red;}" not in html
    assert f"--brand: {brand.DEFAULT_BRAND};" in html


def _margins(pdf: bytes, margins_mm: tuple[float, float]) -> list[tuple[str, str, int]]:
    """Per page: the text in its top margin, in its bottom margin (pdfplumber, visual order)
    and how many images its top margin holds."""
    top, bottom = (m * MM for m in margins_mm)
    found = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            height = float(page.height)
            head = page.crop((0, 0, float(page.width), top)).extract_text() or ""
            foot = page.crop((0, height - bottom, float(page.width), height)).extract_text() or ""
            images = [i for i in page.images if float(i["bottom"]) <= top]
            found.append((" ".join(head.split()), " ".join(foot.split()), len(images)))
    return found


@pytest.mark.parametrize(("kind", "lang"), REPORTS)
def test_every_page_but_the_cover_runs_the_header_and_footer(printed: dict[str, Printed],
                                                             kind: str, lang: str) -> None:
    pdf = printed[kind].pdf[lang]
    margins = _margins(pdf, MARGINS[kind])
    first = 1 if kind == "readiness" else 0  # the readiness report's cover has neither
    assert len(margins) > first + 1
    if first:
        assert margins[0] == ("", "", 0)
    total = len(margins)
    day = format_date(date(2026, 2, 20) if kind == "readiness" else TODAY, lang)
    for number, (head, foot, logos) in enumerate(margins, start=1):
        if number <= first:
            continue
        assert CLIENT in head, (number, head)
        assert FIRM in head, (number, head)
        assert logos == 1, number  # the firm's logo, small, in the header
        if lang == "en":
            assert f"{TITLES[kind]['en']} · {day}" in foot, (number, foot)
            assert f"{number} / {total}" in foot
            assert f"Confidential: prepared for {CLIENT} by {FIRM}." in foot
        else:
            fa_number = str(number).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
            fa_total = str(total).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
            # pdfplumber reads in visual order: a Persian word comes out reversed, a run
            # of digits as it is, a right-to-left line from its left end
            assert TITLES[kind]["fa"][::-1] in foot, (number, foot)
            assert all((word if word.isdigit() else word[::-1]) in foot
                       for word in day.split()), (number, day, foot)
            assert f"{fa_total} زا {fa_number}" in foot, (number, foot)
            assert "محرمانه"[::-1] in foot, (number, foot)
            assert f"{CLIENT} " in foot, (number, foot)
            assert FIRM in foot, (number, foot)
            assert foreign_in_persian(head + " " + foot, [CLIENT, FIRM]) == [], number
    assert drawn_outside(pdf) == []


@pytest.mark.parametrize(("kind", "lang"), REPORTS)
def test_user_text_in_the_running_elements_is_isolated(printed: dict[str, Printed], kind: str,
                                                       lang: str) -> None:
    html = printed[kind].html[lang]
    running = html.split('<div class="running-head"')[1].split("</table></div>", 2)
    both = running[0] + running[1]
    assert f'<bdi dir="ltr">{CLIENT}</bdi>' in both
    assert f'<bdi dir="ltr">{FIRM}</bdi>' in both


@pytest.mark.parametrize(("kind", "lang"), REPORTS)
def test_a_persian_report_is_read_right_to_left_in_a_viewer(printed: dict[str, Printed],
                                                             kind: str, lang: str) -> None:
    root = PdfReader(io.BytesIO(printed[kind].pdf[lang])).trailer["/Root"]
    preferences = root.get("/ViewerPreferences")
    if lang == "fa":
        assert preferences is not None
        assert preferences.get_object()["/Direction"] == "/R2L"
    else:
        assert preferences is None or preferences.get_object().get("/Direction", "/L2R") \
            == "/L2R"


def test_the_workspace_confidentiality_line_replaces_ours(app: Flask, world: World) -> None:
    user_id = world.user()
    assessment_id = world.answered(world.client(user_id, CLIENT), "2")
    with app.app_context():
        save_workspace(db.session.get(User, user_id).workspace, name=FIRM, brand_colour=BRAND,
                       confidentiality="Board copy (محرمانه)")
        db.session.commit()
        html = build_html(db.session.get(Assessment, assessment_id), "en")
    foot = html.split('<div class="running-foot"')[1].split("</table></div>")[0]
    assert '<bdi dir="ltr">Board copy (محرمانه)</bdi>' in foot
    assert "Confidential: prepared for" not in foot
