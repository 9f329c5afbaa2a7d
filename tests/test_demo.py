"""The demo workspace: an English client and a Persian one, each first in its own language."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape as html_unescape
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.demo import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    DEMO_TEAM_EMAIL,
    DEMO_VIEWER_EMAIL,
    ENGLISH,
    PERSIAN,
)
from assessment.extensions import db
from assessment.tables import AgreedAnswer, Answer, Assessment, Client, DataProfile, Respondent

from .conftest import app_in
from .helpers import login, text_of
from .persian import foreign_in_persian

PERSIAN_NAME = PERSIAN.client["name"]
ENGLISH_NAME = ENGLISH.client["name"]
#: e-mail and web addresses, which a Persian text writes in Latin script
_ADDRESSES = re.compile(r"[\w.+-]+@[\w.-]+|https?://\S+")


def latin_in(text: str) -> list[str]:
    """What the one Persian-text check finds in `text` once its addresses are taken out."""
    return foreign_in_persian(text, allowed=_ADDRESSES.findall(text))


@pytest.fixture(scope="module")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """One app with the demo created once (it takes a few seconds), shared by the module."""
    with app_in(tmp_path_factory.mktemp("demo"), demo=True) as app:
        yield app


@pytest.fixture
def web(demo_app: Flask) -> FlaskClient:
    client = demo_app.test_client()
    login(client, DEMO_EMAIL, DEMO_PASSWORD)
    return client


@dataclass(frozen=True)
class Seen:
    """What a user reads of the Persian client that the demo wrote (the catalogue's texts,
    such as milestone titles, have their own tests)."""

    client_id: int
    baseline_id: int
    fields: list[str]
    titles: list[str]
    assessments: list[tuple[str, str]]
    people: list[str]
    team: list[tuple[str, str, str]]
    model: str
    done: int
    blocked: list[str]
    evidence: list[str]
    comments: list[str]
    agreed: list[str]
    named: bool

    def texts(self) -> list[str]:
        return [*self.fields, *self.titles, *self.people,
                *(text for member in self.team for text in member), *self.blocked,
                *self.evidence, *self.comments, *self.agreed]


def seen(app: Flask) -> Seen:
    with app.app_context():
        client = db.session.scalar(select(Client).where(Client.name == PERSIAN_NAME))
        assert client is not None
        baseline = client.assessments[0]
        assert baseline.roadmap is not None
        assert baseline.workshop is not None
        milestones = baseline.roadmap.milestones
        of_client = (Assessment.client_id == client.id)
        return Seen(
            client_id=client.id, baseline_id=baseline.id,
            fields=[client.name, client.sector, client.country, client.contact,
                    client.notes],
            titles=[a.title for a in client.assessments],
            assessments=[(a.questionnaire_id, a.status) for a in client.assessments],
            people=list(db.session.scalars(select(Respondent.name).join(Assessment)
                                           .where(of_client))),
            team=[(m.name, m.email, m.role) for m in client.team],
            model=baseline.roadmap.model_id,
            done=sum(m.status == "done" for m in milestones),
            blocked=[m.notes for m in milestones if m.status == "blocked"],
            evidence=[e.label for m in milestones for e in m.evidence],
            comments=list(db.session.scalars(
                select(Answer.comment).join(Respondent).join(Assessment)
                .where(of_client, Answer.comment != ""))),
            agreed=list(db.session.scalars(select(AgreedAnswer.note).join(Assessment)
                                           .where(of_client))),
            named=baseline.workshop.named,
        )


def test_the_demo_has_an_english_client_and_a_persian_one(demo_app: Flask) -> None:
    with demo_app.app_context():
        names = db.session.scalars(select(Client.name).order_by(Client.id)).all()
    assert names == [ENGLISH_NAME, PERSIAN_NAME]
    fa = seen(demo_app)
    # a finished workshop and its re-assessment, so the trend has two points
    assert fa.assessments == [("workshop", "complete"), ("workshop", "complete")]
    # another model than the English client's Gartner; names shown in its workshop
    assert (fa.model, fa.named) == ("kalakota", True)
    assert (len(fa.team), len(fa.blocked), len(fa.evidence)) == (4, 1, 1)
    assert fa.done >= 5
    assert len(fa.people) == 12 + 10
    assert fa.comments
    assert len(fa.agreed) == 1


def test_the_persian_client_is_written_in_persian(demo_app: Flask) -> None:
    texts = seen(demo_app).texts()
    assert all(texts), "an empty text"
    assert {text: latin_in(text) for text in texts} == {text: [] for text in texts}
    # the filter lets through only the acronym and addresses
    assert latin_in("برنامه‌ی CRM، a.b@x.example و https://x.example/a-1.pdf") == []
    assert latin_in("کارگاه 2 و Workshop") == ["Workshop", "2"]


def test_each_language_sees_its_own_client_first(web: FlaskClient) -> None:
    for lang, first, second in (("fa", PERSIAN_NAME, ENGLISH_NAME),
                                ("en", ENGLISH_NAME, PERSIAN_NAME)):
        page = web.get(f"/dashboard?lang={lang}").get_data(as_text=True)
        assert page.index(f">{first}</a>") < page.index(f">{second}</a>"), lang


def test_the_persian_clients_pages_show_its_persian_data(demo_app: Flask,
                                                         web: FlaskClient) -> None:
    fa = seen(demo_app)
    page = text_of(web.get(f"/clients/{fa.client_id}?lang=fa").get_data(as_text=True))
    shown = [text for text in [*fa.fields, *fa.titles] if text != PERSIAN.client["contact"]]
    assert [text for text in shown if text not in page] == []  # (the contact is on its form)
    team = text_of(web.get(f"/clients/{fa.client_id}/team?lang=fa").get_data(as_text=True))
    assert [m for m in fa.team if m[0] not in team or m[2] not in team] == []
    roadmap = web.get(f"/assessments/{fa.baseline_id}/roadmap?lang=fa")
    assert fa.team[0][0] in roadmap.get_data(as_text=True)
    assert web.get(f"/clients/{fa.client_id}/trend?lang=fa").status_code == 200
    results = web.get(f"/assessments/{fa.baseline_id}/results?lang=fa")
    assert fa.agreed[0] in text_of(results.get_data(as_text=True))


def test_the_english_clients_own_people_sign_in_to_their_own_pages(demo_app: Flask) -> None:
    """The team member lands on the milestones she owns, the viewer on the client it reads;
    neither reaches the other client."""
    with demo_app.app_context():
        english, persian = (db.session.scalar(select(Client.id).where(Client.name == name))
                            for name in (ENGLISH_NAME, PERSIAN_NAME))
    for email, landing in ((DEMO_TEAM_EMAIL, "/my/milestones"),
                           (DEMO_VIEWER_EMAIL, f"/my/clients/{english}")):
        web = demo_app.test_client()
        response = web.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        while response.status_code == 302:
            response = web.get(response.headers["Location"])
        assert response.request.path == landing, email
        page = response.get_data(as_text=True)
        assert ENGLISH_NAME in page
        assert PERSIAN_NAME not in page
        if landing == "/my/milestones":
            assert page.count('class="card shadow-sm mb-3 my-milestone') > 0
        assert web.get(f"/clients/{persian}").status_code in (403, 404)


# --- the English client's customer data (issue 20) ---------------------------------------


def test_the_english_client_has_a_baseline_and_an_improved_profile(demo_app: Flask) -> None:
    with demo_app.app_context():
        profiles = list(db.session.scalars(select(DataProfile).order_by(DataProfile.created_at)))
        assert {p.client.name for p in profiles} == {ENGLISH_NAME}
        assert len(profiles) == 2
        before, after = profiles
        assert 80 <= (after.created_at - before.created_at).days <= 95  # three months on
        assert before.score < after.score
        assert before.result["quality"]["duplicates"] > after.result["quality"]["duplicates"]
        for profile in profiles:
            assert profile.result["pyramid"]
            assert profile.result["rfm"]
            assert profile.score == profile.result["score"]
    # the files were in a temporary folder, now gone: nothing in the instance folder
    assert not list(Path(demo_app.instance_path).rglob("*.csv"))


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_trend_page_shows_the_measured_data_level_beside_the_stated_one(
        demo_app: Flask, web: FlaskClient, lang: str) -> None:
    with demo_app.app_context():
        client_id = db.session.scalar(select(Client.id).where(Client.name == ENGLISH_NAME))
        scores = list(db.session.scalars(select(DataProfile.score)
                                         .order_by(DataProfile.created_at)))
    page = web.get(f"/clients/{client_id}/trend?lang={lang}").get_data(as_text=True)
    section = page.split('data-testid="data-levels"')[1].split("</section>")[0]
    kinds = re.findall(r'data-kind="(\w+)"', section)
    assert kinds == ["measured", "stated", "measured", "stated"]  # by date
    measured = [re.sub(r"<[^>]+>", "", row) for row in
                re.findall(r'data-kind="measured">(.*?)</tr>', section, re.S)]
    five = "5" if lang == "en" else "۵"
    for row, score in zip(measured, scores, strict=True):
        digit = str(score) if lang == "en" else "۰۱۲۳۴۵"[score]
        assert f"{digit}/{five}" in row or f"{digit} از {five}" in row
    if lang == "fa":
        text = text_of(section)
        assert "داده‌های مشتری در گذر زمان" in text
        # the English client's assessment titles are what its people typed
        assert foreign_in_persian(text, allowed=[ENGLISH.baseline_title,
                                                 ENGLISH.reassessment_title]) == []


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_figures_partial_draws_the_three_charts_with_names(demo_app: Flask,
                                                               lang: str) -> None:
    """templates/customerdata/_figures.html, as the results page includes it: the charts
    carry their names on a screen; Persian digits and words in Persian."""
    from flask import render_template_string

    with demo_app.app_context():
        profile = db.session.scalars(select(DataProfile).order_by(DataProfile.id)).first()
        assert profile is not None
        with demo_app.test_request_context(f"/?lang={lang}"):
            html = render_template_string(
                '{% include "customerdata/_figures.html" ignore missing %}',
                result=profile.result)
    for chart in ("pyramid", "rfm-grid", "completeness"):
        assert f'class="{chart}"' in html
    assert html.count('data-segment="') >= 9 + 25  # the table's rows and the grid's cells
    names = ("Top customers", "Champions", "Mobile") if lang == "en" else (
        "مشتریان ممتاز", "قهرمانان", "موبایل")
    for name in names:
        assert name in html
    if lang == "fa":
        text = html_unescape(re.sub(r"<style>.*?</style>", " ", html, flags=re.S))
        assert latin_in(text_of(text)) == []
