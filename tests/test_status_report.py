"""The rollout status report: real WeasyPrint output, read back with pypdf, in both languages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from assessment.extensions import db
from assessment.printing import render as rendering
from assessment.printing.render import ReportError, render_pdf, render_pdf_here
from assessment.printing.status import (
    build_status_html,
    check_trend_svg,
    row_limits,
    write_status_report,
)
from assessment.scoring import score
from assessment.tables import Assessment, Milestone, Roadmap
from assessment.web import get_catalog

from .conftest import Answers, World
from .helpers import ZWNJ, login, persian_digits, read_pdf, squash

START = date(2025, 3, 1)
TODAY = START + timedelta(days=100)  # into the fourth of Gartner's eight 30-day stages
LATE = START + timedelta(days=720)  # past every due date
HOSTILE = '<img src="file:///etc/passwd">'
TREND_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100">'
             '<polyline fill="none" stroke="#1f6f8b" stroke-width="2" points="10,80 290,20"/>'
             '<text x="10" y="95" font-size="9">38</text></svg>')


@dataclass(frozen=True)
class Rollout:
    client_id: int
    assessment_id: int
    roadmap_id: int
    overdue_id: int
    blocked_id: int
    due_next_id: int
    hostile_id: int


def persian_run(text: str) -> str:
    """The longest stretch of Persian words in `text` (pypdf reorders mixed-script lines)."""
    runs = re.findall(r"[\u0600-\u06FF]+(?: [\u0600-\u06FF]+)*", text.replace(ZWNJ, ""))
    return max(runs, key=len)


def levels(*bases: int) -> Answers:
    """Answers for `World.answered`: person p gives question n the level (bases[p] + n) % 4,
    enough to score every stage."""
    return lambda person, n, _question: str((bases[person] + n) % 4)


def build(app: Flask, world: World, *, everything_overdue: bool = False) -> Rollout:
    """A Gartner roadmap three months in: some milestones done, some blocked, some late."""
    client_id = world.client(world.user())
    aid = world.answered(client_id, levels(1, 2, 3), respondents=3)
    sara = world.member(client_id, "Sara Ahmadi", role="Lead")
    maryam = world.member(client_id, "مریم رضایی", role="فروش")
    plan = world.roadmap(aid, "gartner", starts_on=START, accepted=True, owners=(maryam, sara))
    items = plan.milestone_ids
    if everything_overdue:
        world.move(items[:20], "blocked", 10, on=START)
        world.edit_milestone(items[:20], depends_on=items[30:33],
                             notes="Waiting for the board to sign the budget. " * 4)
    else:
        world.move(items[:14], "done", on=START + timedelta(days=25))  # the first two stages
        world.move(items[15], "in_progress", 40, on=START)
        world.move(items[18], "blocked", 20, on=START)
        world.edit_milestone(items[18], depends_on=[items[15]], notes=f"Budget first. {HOSTILE}")
        world.edit_milestone(items[20], title_en=f"{HOSTILE} typed by the team",
                             title_fa=f"{HOSTILE} typed by the team")
    with app.app_context():
        milestones = db.session.get(Roadmap, plan.roadmap_id).milestones
        when = LATE if everything_overdue else TODAY
        overdue = next(m for m in milestones if m.overdue(when) and m.status != "blocked")
        blocked = next(m for m in milestones if m.status == "blocked")
        due_next = next((m for m in milestones if m.status != "done" and m.due_on
                         and TODAY <= m.due_on <= TODAY + timedelta(days=30)), milestones[-1])
        return Rollout(client_id, aid, plan.roadmap_id, overdue.id, blocked.id, due_next.id,
                       items[20])


@pytest.fixture
def rollout(app: Flask, world: World) -> Rollout:
    return build(app, world)


def render(app: Flask, roadmap_id: int, lang: str, today: date = TODAY,
           **trend: Any) -> tuple[str, bytes]:
    with app.app_context():
        html = build_status_html(db.session.get(Roadmap, roadmap_id), lang, today, **trend)
        return html, render_pdf(html, timeout=120)


def maturity(app: Flask, assessment_id: int) -> int:
    from assessment.results import score_assessment

    with app.app_context():
        result = score_assessment(get_catalog(app), db.session.get(Assessment, assessment_id))
    assert result.maturity_index is not None
    return round(result.maturity_index)


def title(app: Flask, milestone_id: int, lang: str) -> str:
    with app.app_context():
        return db.session.get(Milestone, milestone_id).title(lang)


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_status_report_holds_the_rollout_in_both_languages(app: Flask, rollout: Rollout,
                                                           lang: str) -> None:
    catalog = get_catalog(app)
    model = catalog.models["gartner"]
    if lang == "fa":  # Jinja folds constant filter calls once: English first must not leak
        render(app, rollout.roadmap_id, "en")
    _html, pdf = render(app, rollout.roadmap_id, lang)
    reader, text = read_pdf(pdf)
    flat = squash(text)
    assert len(reader.pages) in (1, 2)
    assert "Acme Trading" in flat
    assert reader.metadata is not None
    assert reader.metadata.title == ("CRM rollout status: Acme Trading" if lang == "en"
                                     else "وضعیت استقرار CRM: Acme Trading")
    assert reader.metadata.author == "ana"
    assert str(reader.trailer["/Root"]["/Lang"]) == lang
    index = maturity(app, rollout.assessment_id)
    milestones = [title(app, i, lang) for i in
                  (rollout.overdue_id, rollout.blocked_id, rollout.due_next_id)]
    if lang == "en":
        assert model.name.en in flat
        for stage in model.stages:
            assert stage.name.en in flat, stage.id
        for text in milestones:
            assert text[:100] in flat
        assert re.search(rf"Maturity index {index}\s*/\s*100", flat)
        assert "Readiness index" not in flat
        assert "Overdue milestones" in flat
        assert "Gate: fails" in flat  # the assessment is below Gartner's strategy gate
        assert "Days late" in flat
    else:
        assert persian_run(model.name.fa) in flat
        for stage in model.stages:
            assert persian_run(stage.name.fa) in flat, stage.id
        for text in milestones:
            assert persian_run(text[:100]) in flat
        # Persian reads in logical order, not reversed
        assert "ارزشمند مشتری" in flat
        assert "یرتشم دنمشزرا" not in flat
        # pypdf gives digit runs inside right-to-left lines back to front
        fa_index = persian_digits(index)
        assert re.search(rf"({fa_index}|{fa_index[::-1]}) از (۱۰۰|۰۰۱)", flat), fa_index
        assert "شاخص بلوغ" in flat
        # "x of y" is «x از y» in Persian, never with a slash
        assert not re.search(r"[۰-۹]\s*/\s*[۰-۹]", flat)
        assert "100" not in flat  # every figure in Persian digits
        assert "خرداد" in flat  # Solar Hijri dates: 9 June 2025 is 19 Khordad 1404
        assert "June" not in flat


def test_fifty_milestones_all_overdue_stay_within_two_pages(app: Flask, world: World) -> None:
    rollout = build(app, world, everything_overdue=True)
    with app.app_context():
        count = len(db.session.get(Roadmap, rollout.roadmap_id).milestones)
    assert count == 50
    for lang in ("en", "fa"):
        html, pdf = render(app, rollout.roadmap_id, lang, LATE)
        reader, text = read_pdf(pdf)
        flat = squash(text)
        assert len(reader.pages) <= 2, lang
        # 30 overdue and not blocked, 20 blocked: as many rows as two pages hold (several of
        # each), the rest counted under each list
        listed = [len(re.findall(r'<td class="title">', table))
                  for table in re.findall(r'<table class="ms ms-(?:overdue|blocked)">.*?</table>',
                                          html, re.S)]
        assert len(listed) == 2
        assert min(listed) >= 4, listed
        more = (30 - listed[0], 20 - listed[1])
        # pypdf may return a Persian digit run reversed in a right-to-left line
        if lang == "en":
            assert f"and {more[0]} more overdue" in flat
            assert f"and {more[1]} more blocked" in flat
        else:
            overdue, stuck = (persian_digits(n) for n in more)
            assert re.search(f"و ({overdue}|{overdue[::-1]}) نقطه‌ی عطف عقب‌افتاده‌ی دیگر"
                             .replace(ZWNJ, ""), flat)
            assert re.search(f"و ({stuck}|{stuck[::-1]}) نقطه‌ی عطف متوقف دیگر"
                             .replace(ZWNJ, ""), flat)
    _html, pdf = render(app, rollout.roadmap_id, "fa", LATE, trend_svg=TREND_SVG,
                        trend_caption="شاخص آمادگی در سه ارزیابی")
    reader, text = read_pdf(pdf)
    flat = squash(text)
    assert len(reader.pages) <= 2
    assert "شاخص آمادگی در سه ارزیابی" in flat


def test_trend_chart_slot_takes_only_numbers(app: Flask, rollout: Rollout) -> None:
    html, _pdf = render(app, rollout.roadmap_id, "en", trend_svg=TREND_SVG,
                        trend_caption="Readiness index over time")
    assert TREND_SVG in html
    assert 'class="ltr-box trend-chart"' in html  # an SVG in an RTL block crashes layout
    without, _ = render(app, rollout.roadmap_id, "en")
    assert 'id="trend"' not in without
    with pytest.raises(ValueError, match="Persian"):
        check_trend_svg("<svg><text>شاخص</text></svg>")


def test_user_text_is_printed_as_text_and_nothing_is_fetched(
    app: Flask, world: World, rollout: Rollout, monkeypatch: pytest.MonkeyPatch
) -> None:
    # make the hostile milestone the one due next, and the blocked one carries hostile notes
    world.edit_milestone(rollout.hostile_id, due_on=TODAY + timedelta(days=1))
    with app.app_context():
        html = build_status_html(db.session.get(Roadmap, rollout.roadmap_id), "en", TODAY)
    assert HOSTILE not in html
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt; typed by the team" in html
    references = re.findall(r'(?:src|href)\s*=\s*"([^"#][^"]*)"', html)
    references += re.findall(r'url\(\s*"?([^")]+)', html)
    assert references
    assert all(ref.startswith("data:") for ref in references)
    fetched: list[str] = []
    original = rendering.make_fetcher

    def recording() -> Any:
        fetcher = original()
        inner = fetcher.fetch

        def fetch(url: str, headers: Any = None) -> Any:
            fetched.append(url)
            return inner(url, headers)

        fetcher.fetch = fetch
        return fetcher

    monkeypatch.setattr(rendering, "make_fetcher", recording)
    with app.app_context():
        pdf = render_pdf_here(html)
    assert fetched
    assert all(url.startswith("data:") for url in fetched), [u[:40] for u in fetched]
    flat = squash(read_pdf(pdf)[1])
    assert f"{HOSTILE} typed by the team" in flat
    assert f"Budget first. {HOSTILE}" in flat


def test_latest_maturity_comes_from_the_newest_scored_assessment(app: Flask, world: World,
                                                                 rollout: Rollout) -> None:
    catalog = get_catalog(app)
    client_id = rollout.client_id
    world.complete(rollout.assessment_id, at=datetime(2025, 2, 20))
    # levels(2, 2): with the December 2026 executive questions, levels(3, 3) happened to
    # round to the same index as the first assessment, and the two could not be told apart
    again_id = world.answered(client_id, levels(2, 2), respondents=2, title="Three months on",
                              completed_at=datetime(2025, 6, 1))
    # newer, but nothing to score; newer still, but another questionnaire
    world.complete(world.assessment(client_id, title="Not started"), at=datetime(2025, 6, 5))
    world.answered(client_id, levels(0), questionnaire="workshop", title="Workshop",
                   completed_at=datetime(2025, 6, 7))
    newer, older = maturity(app, again_id), maturity(app, rollout.assessment_id)
    assert newer != older
    html, pdf = render(app, rollout.roadmap_id, "en")
    flat = squash(read_pdf(pdf)[1])
    assert re.search(rf"Maturity index {newer}\s*/\s*100", flat)
    assert "From the assessment Three months on" in flat
    assert "Workshop" not in flat
    # the gates are judged on the newer answers too
    with app.app_context():
        from assessment.results import questionnaire_of, responses_of

        again = db.session.get(Assessment, again_id)
        gates = score(catalog, questionnaire_of(catalog, again), responses_of(catalog, again),
                      targets=again.targets, models=["gartner"]).gates
    labels = {"pass": "Gate: passes", "fail": "Gate: fails", "unknown": "Gate: not known yet"}
    for gate in gates:
        assert labels[gate.status] in flat
    assert html.count('class="chip chip-') == len(gates)


def test_row_limits_share_the_space_between_the_lists() -> None:
    assert row_limits([3, 2, 1], 20) == [3, 2, 1]
    assert row_limits([30, 20, 20], 20) == [7, 7, 6]
    assert row_limits([30, 0, 2], 20) == [8, 0, 2]
    assert row_limits([30, 20, 20], 14) == [5, 5, 4]


def test_download_the_status_report(app: Flask, world: World, rollout: Rollout) -> None:
    app.config["TODAY"] = TODAY
    client = app.test_client()
    url = f"/assessments/{rollout.assessment_id}/roadmap/status.pdf"
    assert client.get(f"{url}?lang=en").status_code == 302  # sign in first
    login(client)
    response = client.get(f"{url}?lang=fa")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="acme-trading-rollout-status-2025-06-09-fa.pdf"')
    html = client.get(f"{url}?lang=en&format=html")
    assert html.status_code == 200
    assert html.mimetype == "text/html"
    assert html.get_data(as_text=True).startswith("<!doctype html>")
    assert "default-src 'none'" in html.headers["Content-Security-Policy"]
    with app.app_context():
        roadmap = db.session.get(Roadmap, rollout.roadmap_id)
        assert html.get_data(as_text=True) == build_status_html(roadmap, "en", TODAY)
    assert client.get(f"{url}?lang=de").status_code == 404
    plain = world.assessment(world.query(lambda s: s.get(Assessment,
                                                         rollout.assessment_id).client_id))
    assert client.get(f"/assessments/{plain}/roadmap/status.pdf").status_code == 404

    world.user("other@example.com")
    other = app.test_client()
    login(other, "other@example.com")
    assert other.get(f"{url}?lang=en").status_code == 404
    assert other.get(f"{url}?lang=en&format=html").status_code == 404


def test_a_failed_render_says_why_and_writes_nothing(app: Flask, rollout: Rollout,
                                                     tmp_path: Path) -> None:
    app.config["REPORT_TIMEOUT"] = 0.01
    client = app.test_client()
    login(client)
    response = client.get(f"/assessments/{rollout.assessment_id}/roadmap/status.pdf?lang=en")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assessments/{rollout.assessment_id}/roadmap")
    with client.session_transaction() as session:
        messages = [text for _category, text in session["_flashes"]]
    assert any("longer than" in text for text in messages)
    target = tmp_path / "out" / "status.pdf"
    with app.app_context():
        roadmap = db.session.get(Roadmap, rollout.roadmap_id)
        with pytest.raises(ReportError):
            write_status_report(roadmap, "fa", target, today=TODAY, timeout=0.01)
        assert not target.exists()
        write_status_report(roadmap, "fa", target, today=TODAY, timeout=120)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in target.parent.iterdir()] == ["status.pdf"]


def test_custom_roadmap_shows_its_name_and_the_six_stages(app: Flask, world: World) -> None:
    aid = world.assessment(world.client(world.user()))
    catalog = get_catalog(app)
    roadmap_id = world.roadmap(aid, "custom", starts_on=START, title="Our own way").roadmap_id
    _html, pdf = render(app, roadmap_id, "en")
    flat = squash(read_pdf(pdf)[1])
    assert "Our own way (custom roadmap)" in flat
    assert "proposal, not yet accepted" in flat
    for stage in catalog.stages:
        assert stage.name.en in flat
    assert "No assessment of this client has answers with a level yet" in flat


@pytest.mark.parametrize("lang", ["en", "fa"])
def test_the_roadmap_model_s_readiness_verdict_and_gaps_in_levels(app: Flask, rollout: Rollout,
                                                                  lang: str) -> None:
    from flask_babel import force_locale

    from assessment.results import score_assessment
    from assessment.verdicts import reasons_of, verdict_label

    catalog = get_catalog(app)
    with app.test_request_context(), force_locale(lang):
        result = score_assessment(catalog, db.session.get(Assessment, rollout.assessment_id))
        gartner = result.model("gartner")
        label = verdict_label(gartner.readiness.verdict)
        reasons = reasons_of(gartner, catalog, lang)
        gaps = [s.gap for s in result.stages if s.gap is not None and s.gap >= 0.05]
    assert reasons
    assert gaps
    _html, pdf = render(app, rollout.roadmap_id, lang)
    flat = squash(read_pdf(pdf)[1])
    if lang == "en":
        assert f"Readiness for this model: {label}" in flat
        for reason in reasons:
            assert reason in flat
        for gap in gaps:  # in levels, not points
            assert f"{gap:.1f} levels below" in flat
    else:
        assert label in flat
        assert "آمادگی برای این مدل" in flat
        for reason in reasons:
            assert persian_run(reason) in flat
        assert "سطح زیر هدف" in flat
