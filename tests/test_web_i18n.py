"""Persian and English: direction, translations, digits, Solar Hijri dates, the switch."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from assessment import i18n
from assessment.web import error_messages

from .conftest import Signed
from .persian import foreign_in_persian

TRANSLATIONS = Path(__file__).resolve().parent.parent / "assessment" / "translations"


def test_persian_pages_are_right_to_left_and_translated(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    cid = world.client(user_id)
    aid = world.assessment(cid)
    for url in ("/dashboard", f"/assessments/{aid}", f"/assessments/{aid}/walk/data",
                f"/assessments/{aid}/review", f"/assessments/{aid}/results", "/models",
                "/how-scores-work", f"/assessments/{aid}/roadmap", f"/clients/{cid}/team",
                f"/clients/{cid}/trend", "/clients/import"):
        page = client.get(url + "?lang=fa").get_data(as_text=True)
        assert '<html lang="fa" dir="rtl">' in page, url
        assert "bootstrap.rtl.min.css" in page, url
        visible = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", page, flags=re.S)
        english = re.findall(r"\b(?:the|and|of|to|Save|Results|Stage)\b", visible)
        assert english == [], (url, english[:5])


def test_english_pages_are_left_to_right(signed_in: Signed) -> None:
    client, _, _ = signed_in
    page = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    assert "bootstrap.min.css" in page


def test_language_choice_is_remembered(client: FlaskClient) -> None:
    response = client.get("/language/fa?next=/models")
    assert response.headers["Location"].endswith("/models")
    assert "lang=fa" in response.headers["Set-Cookie"]
    assert 'dir="rtl"' in client.get("/models").get_data(as_text=True)
    evil = client.get("/language/en?next=https://evil.example/")
    assert evil.headers["Location"].endswith("/")
    assert "evil" not in evil.headers["Location"]


def test_browser_language_is_the_default(client: FlaskClient) -> None:
    page = client.get("/models", headers={"Accept-Language": "fa-IR,fa;q=0.9"})
    assert 'lang="fa"' in page.get_data(as_text=True)


def test_numbers_are_persian_digits_in_persian(signed_in: Signed) -> None:
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id))
    client.post(f"/assessments/{aid}/answers/exec.vision.01", json={"value": 4})
    page = client.get(f"/assessments/{aid}/walk/vision?lang=fa").get_data(as_text=True)
    assert "۱ از ۵" in page  # the stepper's answered of total, never «۱/۵» (a decimal)
    results = client.get(f"/assessments/{aid}/results?lang=fa").get_data(as_text=True)
    index = re.search(r'data-testid="maturity-index">([^<]*)<', results)
    assert index is not None
    assert index.group(1) == "۸۰"


@pytest.mark.parametrize(("day", "fa", "en"), [
    (date(2026, 11, 22), "۱ آذر ۱۴۰۵", "22 November 2026"),
    (date(2026, 3, 21), "۱ فروردین ۱۴۰۵", "21 March 2026"),
    (date(2025, 3, 20), "۳۰ اسفند ۱۴۰۳", "20 March 2025"),
])
def test_dates_are_solar_hijri_in_persian(day: date, fa: str, en: str) -> None:
    assert i18n.format_date(day, "fa") == fa
    assert i18n.format_date(day, "en") == en


def test_solar_hijri_input_is_understood() -> None:
    assert i18n.parse_jalali("۱۴۰۵/۰۹/۰۱") == date(2026, 11, 22)
    assert i18n.parse_jalali("1405-9-1") == date(2026, 11, 22)
    for bad in ("1405/13/01", "tomorrow", "1405/09"):
        with pytest.raises(ValueError):  # noqa: PT011 - jdatetime raises plain ValueError
            i18n.parse_jalali(bad)


def forms(string: str | Sequence[str]) -> tuple[str, ...]:
    """A message's translation as a tuple of forms: one, or one per plural form (the .po
    reader gives plurals as tuples, the .mo reader as lists)."""
    return (string,) if isinstance(string, str) else tuple(string)


def test_persian_catalogue_is_complete_and_compiled() -> None:
    with (TRANSLATIONS / "fa" / "LC_MESSAGES" / "messages.po").open(encoding="utf-8") as po:
        source = read_po(po)
    with (TRANSLATIONS / "fa" / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = read_mo(mo)
    with (TRANSLATIONS / "messages.pot").open(encoding="utf-8") as pot:
        template = read_po(pot)
    missing = [m.id for m in template if m.id and (
        m.id not in source or not all(forms(source[m.id].string)))]
    assert missing == []
    stale = [m.id for m in source if (m.id and compiled.get(m.id) is None) or (
        m.id and forms(compiled[m.id].string) != forms(m.string))]
    assert stale == [], "run `make translations` to recompile messages.mo"


def test_every_interface_string_is_in_the_catalogue(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = TRANSLATIONS.parent.parent
    fresh = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    str(root / "babel.cfg"), "-k", "_l", "-k", "lazy_gettext", "--no-location",
                    "-o", str(fresh), str(root)], check=True, capture_output=True, cwd=root)
    with fresh.open(encoding="utf-8") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with (TRANSLATIONS / "fa" / "LC_MESSAGES" / "messages.po").open(encoding="utf-8") as po:
        translated = {m.id for m in read_po(po) if m.id and m.string}
    assert sorted(wanted - translated, key=str) == [], "run `make translations` and translate"


@pytest.mark.parametrize(("text", "direction"), [
    ("We measure this once a year", "ltr"), ("این را سالی یک بار می‌سنجیم", "rtl"),
    ("«CRM» در سازمان", "ltr"), ("۱۲ نفر", "rtl"), ("", "ltr"), ("123", "ltr"),
])
def test_text_direction_follows_the_first_letter(text: str, direction: str) -> None:
    assert i18n.text_direction(text) == direction


def test_constant_numbers_follow_each_request_language(signed_in: Signed) -> None:
    """`{{ 100|digits }}` must not be fixed in whichever language rendered the template first."""
    from typing import Any

    from assessment.tables import Answer, Assessment, Respondent

    client, world, user_id = signed_in
    assessment_id = world.assessment(world.client(user_id))

    def answer(session: Any) -> None:
        person = Respondent(assessment=session.get(Assessment, assessment_id),
                            kind="participant")
        session.add(person)
        session.flush()
        session.add(Answer(respondent_id=person.id, question_id="exec.vision.01", value="3"))
        session.commit()

    world.query(answer)
    persian = client.get(f"/assessments/{assessment_id}/results?lang=fa").get_data(as_text=True)
    english = client.get(f"/assessments/{assessment_id}/results?lang=en").get_data(as_text=True)
    assert " از ۱۰۰" in persian
    assert "/100" in english
    assert "۱۰۰" not in english


def test_downloading_in_the_other_language_keeps_the_interface_language(
        signed_in: Signed) -> None:
    client, world, user_id = signed_in
    assessment_id = world.assessment(world.client(user_id))
    client.get("/dashboard?lang=en")
    download = client.get(f"/assessments/{assessment_id}/export/findings.csv?lang=fa")
    assert download.status_code == 200
    assert "lang=fa" not in download.headers.get("Set-Cookie", "")
    page = client.get("/dashboard").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page
    client.get("/dashboard?lang=fa")
    assert '<html lang="fa" dir="rtl">' in client.get("/dashboard").get_data(as_text=True)


# --- the one number formatter (assessment/i18n.py) -------------------------------------


@pytest.mark.parametrize(("value", "places", "fa", "en"), [
    (7, 0, "۷", "7"),
    (2.25, 1, "۲٫۲", "2.2"),  # the decimal point is «٫» in Persian
    (9999, 0, "۹۹۹۹", "9999"),  # a four-digit figure reads well without a separator
    (12500, 0, "۱۲٬۵۰۰", "12,500"),  # the thousands separator «٬», never the comma «،»
    (1234567.25, 1, "۱٬۲۳۴٬۵۶۷٫۲", "1,234,567.2"),
    (None, 0, "–", "–"),
])
def test_numbers_in_both_languages(value: float | None, places: int, fa: str, en: str) -> None:
    assert i18n.number(value, "fa", places) == fa
    assert i18n.number(value, "en", places) == en


def test_percentages_keep_the_sign_after_the_figure() -> None:
    # Logical order figure then sign: in a right-to-left line the figure and «٪» form one
    # left-to-right run, so the reader sees the sign on the right of the figure.
    assert i18n.percent(0.434, "fa") == "۴۳٪"
    assert i18n.percent(0.434, "en") == "43%"
    assert i18n.percent(None, "fa") == "–"


def test_fractions_and_lists_read_as_persian() -> None:
    assert "۹" + i18n.out_of(48, "fa") == "۹ از ۴۸"
    assert "9" + i18n.out_of(48, "en") == "9/48"
    assert i18n.join_words(["الف", "ب", "ج"], "fa") == "الف، ب و ج"
    assert i18n.join_words(["a", "b", "c"], "en") == "a, b and c"
    assert i18n.join_words(["a"], "en") == "a"


@pytest.mark.parametrize(("size", "fa", "en"), [
    (0, "۰ بایت", "0 bytes"),
    (820, "۸۲۰ بایت", "820 bytes"),
    (1024, "۱ کیلوبایت", "1 KB"),
    (12_595, "۱۲ کیلوبایت", "12 KB"),
    (1536, "۱٫۵ کیلوبایت", "1.5 KB"),
    (5 * 2**20, "۵ مگابایت", "5 MB"),
    (int(3.5 * 2**20), "۳٫۵ مگابایت", "3.5 MB"),
])
def test_file_sizes(size: int, fa: str, en: str) -> None:
    assert i18n.filesize(size, "fa") == fa
    assert i18n.filesize(size, "en") == en


def test_evidence_sizes_and_anonymous_participants_in_persian(signed_in: Signed) -> None:
    """The milestone page writes a file's size, and the facilitator's page an anonymous
    participant's number, in Persian digits and words."""
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id))
    world.workshop(aid, 2)
    facilitator = client.get(f"/assessments/{aid}/workshop?lang=fa").get_data(as_text=True)
    assert "مشارکت‌کننده‌ی ۲" in facilitator
    assert "مشارکت‌کننده‌ی 2" not in facilitator
    plan = world.roadmap(aid, starts_on=date(2026, 9, 1))
    response = client.post(f"/milestones/{plan.milestone_ids[0]}/evidence/file",
                           data={"file": (io.BytesIO(b"%PDF-1.4\n" + b"x" * 1527), "m.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code in (302, 200), response.status_code
    page = client.get(f"/milestones/{plan.milestone_ids[0]}?lang=fa").get_data(as_text=True)
    assert "۱٫۵ کیلوبایت" in page
    assert "KiB" not in page


@pytest.mark.parametrize("code", [401, 409, 410, 415, 429, 500, 503])
def test_error_pages_never_show_werkzeug_english(client: FlaskClient, code: int) -> None:
    """Every error code the app can answer with has its own message in each language."""
    app = client.application
    with app.test_request_context("/?lang=fa"):
        persian = error_messages()[code]
    with app.test_request_context("/?lang=en"):
        english = error_messages()[code]
    assert persian != english
    assert foreign_in_persian(persian) == []


def test_user_text_takes_the_direction_of_its_first_strong_letter() -> None:
    from markupsafe import Markup

    from assessment.web import user_text

    assert i18n.text_direction("بانک ملت (Bank Mellat) & Co.") == "rtl"
    assert i18n.text_direction("(Bank Mellat) بانک ملت") == "ltr"
    # a byte-order mark pasted in front, digits and brackets decide nothing
    assert i18n.text_direction("\ufeffAcme & Co.") == "ltr"
    assert i18n.text_direction("۱۲ (۳) فروشگاه") == "rtl"
    assert i18n.text_direction("שלום") == "rtl"
    assert i18n.text_direction("") == "ltr"
    assert user_text("<b>Acme</b> & Co.") == (
        '<bdi dir="ltr">&lt;b&gt;Acme&lt;/b&gt; &amp; Co.</bdi>')
    # text already safe is isolated, not escaped a second time
    assert user_text(Markup("Acme &amp; Co.")) == '<bdi dir="ltr">Acme &amp; Co.</bdi>'
    assert user_text(None) == '<bdi dir="ltr"></bdi>'
