"""The rollout status report: one or two A4 pages a project team lead hands the board.

Progress per stage (with the model's readiness gates), overdue and blocked milestones,
what is due next, and the latest maturity next to the target. Built like the full
report: self-contained HTML (fonts as data: URLs, print CSS inline) rendered by
`render.render_pdf` in a child process with a time limit. Bars are HTML/CSS, never SVG,
so Persian labels stay in reading order.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from flask import current_app, render_template
from sqlalchemy import func, select

from .. import i18n, verdicts
from ..catalog import Catalog, data_dir
from ..extensions import db
from ..results import agreed_values_of, questionnaire_of, responses_of, score_assessment
from ..rollout.operations import (
    RoadmapStage,
    StageProgress,
    current_date,
    overall_percent,
    roadmap_stages,
    stage_progress,
    waiting_on,
)
from ..scoring import AssessmentScore, score
from ..tables import CUSTOM_MODEL, Assessment, Milestone, Roadmap
from ..web import get_catalog
from .cache import cached, report_key
from .render import (
    ReportError,
    brand_context,
    data_url,
    font_faces,
    render_pdf,
    report_language,
    shorten,
    write_atomically,
)

#: rows per milestone list before "and N more"; fewer when two pages would not hold them
#: (see `fit_rows`)
LIST_CAP = 8
#: "due next" looks this many days ahead
DUE_WINDOW_DAYS = 30
#: longest milestone title, notes and owner name printed (the roadmap pages show them whole):
#: a title takes at most two lines, notes one, an owner two
TITLE_CHARS = 110
NOTES_CHARS = 75
OWNER_CHARS = 40
#: a client name longer than this is set smaller (status.css: h1.client-long)
LONG_NAME = 60
#: milestones named after "waits on", and how long each name may be
WAITING_SHOWN = 1
WAITING_CHARS = 40
_PERSIAN_LETTERS = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")


@dataclass(frozen=True)
class GateLine:
    status: str  #: pass, fail or unknown
    description: str


@dataclass(frozen=True)
class StageRow:
    number: int
    name: str
    progress: StageProgress
    gates: list[GateLine]


@dataclass(frozen=True)
class MilestoneRow:
    title: str
    stage: str
    owner: str
    status: str
    due_on: date | None
    days_late: int
    days_left: int
    notes: str
    waiting_on: list[str]
    waiting_more: int


@dataclass(frozen=True)
class Capped:
    """A list cut to a few rows, and how many were left out."""

    rows: list[MilestoneRow]
    more: int


@dataclass(frozen=True)
class MaturityRow:
    name: str
    score: float | None
    target: int  #: on the 0..100 scale
    gap: float | None  #: levels below the target (0 at or above it)


@dataclass(frozen=True)
class ReadinessLine:
    """The roadmap's model's readiness verdict and its reasons, in the report's language."""

    verdict: str  #: ready, conditional or not_ready
    label: str
    reasons: list[str]


@cache
def status_css() -> str:
    return (data_dir("reports") / "status.css").read_text(encoding="utf-8")


def row_limits(lengths: list[int], budget: int, cap: int = LIST_CAP) -> list[int]:
    """How many rows each list shows: at most `cap` each and `budget` in all, taken
    from the longest list first (the later list when two are as long)."""
    shown = [min(n, cap) for n in lengths]
    while sum(shown) > budget:
        longest = max(range(len(shown)), key=lambda i: (shown[i], i))
        shown[longest] -= 1
    return shown


# --- will it fit on two pages? ------------------------------------------------------------
# A rough layout of the report in mm, from the sizes in status.css, to choose how many
# milestone rows two pages hold. It errs on the long side: an average glyph is taken as
# 0.5 em wide in either script (Vazirmatn's are about 0.45), and each wrapped line as a
# tenth short of full.

#: a page's body: A4 less the margins of status.css, and its width
PAGE_MM = 297 - 13 - 15
BODY_MM = 210 - 14 - 14
#: pages the report fits, and room kept free on each for what the estimate misses
PAGES = 2
PAGE_SLACK_MM = 5
#: text widths of the milestone table's columns (status.css: col.c-* less the padding)
TITLE_MM = BODY_MM - 28 - 30 - 24 - 12 - 2
STAGE_MM = 28 - 2
OWNER_MM = 30 - 2
_PT = 25.4 / 72
GLYPH_EM = 0.5


def line_mm(size_pt: float, height: float = 1.38) -> float:
    """The height in mm of a line of text `size_pt` tall."""
    return size_pt * height * _PT


def text_lines(text: str, width_mm: float, size_pt: float) -> int:
    """About how many lines `text` takes in a column `width_mm` wide (never too few): a word
    longer than half a line (an address) may start a line of its own."""
    per_line = max(1, int(width_mm / (size_pt * _PT * GLYPH_EM)))
    long_words = sum(len(word) > per_line / 2 for word in text.split())
    return max(1, math.ceil(len(text) * 1.1 / per_line) + long_words)


def text_mm(text: str, width_mm: float, size_pt: float, height: float = 1.38) -> float:
    return text_lines(text, width_mm, size_pt) * line_mm(size_pt, height)


def pages_needed(blocks: list[float], page_mm: float = PAGE_MM - PAGE_SLACK_MM) -> int:
    """Pages that blocks of these heights (mm) take, one after the other, none split
    across a page: a block that does not fit in what is left of a page starts the next."""
    pages, used = 1, 0.0
    for height in blocks:
        if used and used + height > page_mm:
            pages, used = pages + 1, 0.0
        used += height
        while used > page_mm:  # taller than a page: it runs on
            pages, used = pages + 1, used - page_mm
    return pages


def _row_mm(row: MilestoneRow, kind: str) -> float:
    """A milestone row's height (status.css: table.ms)."""
    chip = " " * 14 if kind != "blocked" and row.status in ("blocked", "in_progress") else ""
    title = text_mm(row.title + chip, TITLE_MM, 7.6, 1.3)
    if row.waiting_on:
        title += text_mm(" " * 12 + " ".join(row.waiting_on) + " " * 12 * bool(row.waiting_more),
                          TITLE_MM, 7, 1.3)
    if row.notes and kind == "blocked":
        title += text_mm(row.notes, TITLE_MM, 7, 1.3)
    owner = text_mm(row.owner or " " * 10, OWNER_MM, 7.6, 1.3)
    stage = text_mm(row.stage, STAGE_MM, 7.6, 1.3)
    return max(title, owner, stage) + 1.6


def _list_blocks(rows: list[MilestoneRow], more: int, kind: str, note: bool) -> list[float]:
    """A milestone list's section: its heading kept with the table's head and first row."""
    heading = 11.0
    if not rows:
        return [heading + 6.0 + 4.5 * note]
    heights = [_row_mm(row, kind) for row in rows]
    return [heading + 7.5 + heights[0], *heights[1:], 4.5 * (bool(more) + note)]


@dataclass(frozen=True)
class Frame:
    """What the report holds around its milestone lists, for `fit_rows`."""

    top: list[str]  #: client name, model line, then the four facts
    stages: list[tuple[str, list[str]]]  #: each stage's name and its gates' descriptions
    maturity: int  #: rows of maturity against the target (0: no maturity yet)
    source: str  #: the line naming the assessment the maturity comes from
    reasons: list[str]  #: the readiness verdict's reasons
    readiness: bool
    trend: tuple[float, list[str], str] | None  #: chart height (mm), key labels, caption


def frame_blocks(frame: Frame) -> tuple[list[float], list[float]]:
    """The blocks before the milestone lists and those after them (heights in mm)."""
    client, model, *facts = frame.top
    # band, kicker, client name, model line, the facts (a label over each) and the figures
    name_pt = 19 if len(client) <= LONG_NAME else 14
    header = (6 + 4.6 + text_mm(client, BODY_MM - 42, name_pt, 1.2) + 1
              + text_mm(model + " " * 30, BODY_MM - 42, 9.5) + 2
              + 3.4 + max(text_mm(fact, BODY_MM / 4 - 4, 8.5) for fact in facts) + 3.5)
    before = [header, 23.0]
    for index, (name, gates) in enumerate(frame.stages):
        block = text_mm(name, 60, 8.5) + 3.4 + 2.6
        block += sum(text_mm(" " * 18 + gate, BODY_MM - 8, 7, 1.35) + 0.6 for gate in gates)
        # the section's heading and the table's head stay with the first stage
        before.append(block + (1.2 if gates else 0) + (16.0 if index == 0 else 0))
    if any(gates for _name, gates in frame.stages):
        before.append(text_mm(" " * 150, BODY_MM, 7.5) + 1)
    if frame.maturity:
        maturity = (12 + text_mm(frame.source, BODY_MM, 7.8) + 1.5
                    + max(34.0, frame.maturity * 7.0))
        if frame.readiness:
            maturity += 7 + sum(text_mm(r, BODY_MM - 6, 8, 1.35) for r in frame.reasons)
    else:
        maturity = 12 + text_mm(" " * 110, BODY_MM, 8.5) + 2
    after = [maturity]
    if frame.trend is not None:
        height, labels, caption = frame.trend
        key_mm = sum(13 + len(label) * 7.5 * _PT * 0.55 for label in labels)
        after.append(12 + height + 2 + math.ceil(key_mm / BODY_MM) * line_mm(7.5) + 1
                     + (text_mm(caption, BODY_MM, 7.5) + 1 if caption else 0))
    return before, after


def fit_rows(frame: Frame, lists: list[tuple[list[MilestoneRow], int, str, bool]],
             pages: int = PAGES) -> list[int]:
    """How many rows of each milestone list (rows up to LIST_CAP, how many there are in
    all, kind, whether a note follows) the report shows so that it fits `pages` pages:
    rows go from the longest list first (`row_limits`), down to none."""
    before, after = frame_blocks(frame)
    lengths = [total for _rows, total, _kind, _note in lists]
    limits = row_limits(lengths, sum(min(n, LIST_CAP) for n in lengths))
    for budget in range(sum(limits), -1, -1):
        limits = row_limits(lengths, budget)
        middle = [height for (rows, total, kind, note), limit in zip(lists, limits, strict=True)
                  for height in _list_blocks(rows[:limit], total - limit, kind, note)]
        if pages_needed(before + middle + after) <= pages:
            break
    return limits


def latest_scored(catalog: Catalog, roadmap: Roadmap) -> tuple[Assessment, AssessmentScore]:
    """The client's latest completed assessment with the roadmap's questionnaire that has
    scored answers (the same points the trend compares); the roadmap's own assessment when
    none has."""
    own = roadmap.assessment
    candidates = db.session.scalars(
        select(Assessment)
        .where(Assessment.client_id == own.client_id,
               Assessment.questionnaire_id == own.questionnaire_id,
               Assessment.status == "complete")
        .order_by(func.coalesce(Assessment.completed_at, Assessment.created_at).desc(),
                  Assessment.id.desc()))
    for candidate in candidates:
        result = score_assessment(catalog, candidate)
        if result.maturity_index is not None:
            return candidate, result
    return own, score_assessment(catalog, own)


def _gate_scores(catalog: Catalog, roadmap: Roadmap, assessment: Assessment,
                 result: AssessmentScore) -> AssessmentScore | None:
    """A score holding the roadmap model's gates, for `assessment` (not always the roadmap's)."""
    model_id = roadmap.model_id
    if model_id == CUSTOM_MODEL or model_id not in catalog.models:
        return None
    if any(gate.model == model_id for gate in result.gates):
        return result
    return score(catalog, questionnaire_of(catalog, assessment),
                 responses_of(catalog, assessment), targets=assessment.targets or None,
                 agreed=agreed_values_of(catalog, assessment), models=[model_id])


def _milestone_row(milestone: Milestone, lang: str, stage_names: dict[str, str],
                   today: date) -> MilestoneRow:
    due = milestone.due_on
    waits = waiting_on(milestone)
    return MilestoneRow(
        title=shorten(milestone.title(lang), TITLE_CHARS),
        stage=stage_names.get(milestone.stage, milestone.stage),
        owner=shorten(milestone.owner.name, OWNER_CHARS) if milestone.owner is not None else "",
        status=milestone.status,
        due_on=due,
        days_late=(today - due).days if due is not None and due < today else 0,
        days_left=(due - today).days if due is not None and due >= today else 0,
        notes=shorten(milestone.notes, NOTES_CHARS) if milestone.notes else "",
        waiting_on=[shorten(dep.title(lang), WAITING_CHARS) for dep in waits[:WAITING_SHOWN]],
        waiting_more=max(0, len(waits) - WAITING_SHOWN),
    )


def _by_due(milestone: Milestone) -> tuple[date, int, int]:
    return (milestone.due_on or date.max, milestone.position, milestone.id or 0)


def _trend_key(catalog: Catalog, lang: str) -> list[tuple[str, str, str]]:
    """The trend chart's key, as HTML beside it: (colour, line style, label)."""
    from flask_babel import gettext as _

    from ..trend.chart import READINESS_COLOUR, STAGE_COLOURS, TARGET_COLOUR

    return [(READINESS_COLOUR, "solid thick", _("Maturity index")),
            (READINESS_COLOUR, "dashed", _("Projected")),
            (TARGET_COLOUR, "dotted", _("Target")),
            *[(STAGE_COLOURS[s.id], "solid", s.name.get(lang)) for s in catalog.stages]]


def _svg_height_mm(svg: str) -> float:
    """The printed height of the trend chart: its height attribute in mm, else the old
    fixed 45 mm box."""
    found = re.search(r'<svg[^>]*\sheight="([\d.]+)mm"', svg)
    return float(found.group(1)) if found else 45.0


def check_trend_svg(svg: str | None) -> str | None:
    """The trend chart goes into the PDF as inline SVG: numbers and ids only, since
    WeasyPrint draws SVG text without reordering Persian (it would come out reversed)."""
    if svg is None:
        return None
    if any(char.isalpha() for char in _PERSIAN_LETTERS.findall(svg)):
        raise ValueError("the trend SVG must not contain Persian letters; put labels in "
                         "trend_caption or around the chart")
    return svg


def status_context(catalog: Catalog, roadmap: Roadmap, lang: str, today: date, *,
                   trend_svg: str | None = None, trend_caption: str = "") -> dict[str, Any]:
    """Everything the status template shows, in `lang`, as of `today`."""
    assessment = roadmap.assessment
    client = assessment.client
    workspace = client.workspace
    latest, result = latest_scored(catalog, roadmap)
    gate_scores = _gate_scores(catalog, roadmap, latest, result)
    stages: list[RoadmapStage] = roadmap_stages(catalog, roadmap, gate_scores)
    milestones = list(roadmap.milestones)
    progress = stage_progress(stages, milestones, today)
    stage_names = {s.id: s.name.get(lang) for s in stages}

    model = catalog.models.get(roadmap.model_id)
    gate_text: dict[tuple[str, str], str] = {}
    if model is not None:
        for model_stage in model.stages:
            for gate in model_stage.gates:
                gate_text[(model_stage.id, gate.id)] = gate.description.get(lang)
    rows = [StageRow(index, stage.name.get(lang), figures,
                     [GateLine(g.status, gate_text.get((stage.id, g.gate), g.gate))
                      for g in stage.gates])
            for index, (stage, figures) in enumerate(zip(stages, progress, strict=True),
                                                      start=1)]

    open_items = sorted((m for m in milestones if m.status != "done"), key=_by_due)
    overdue = [m for m in open_items if m.overdue(today)]
    blocked = [m for m in open_items if m.status == "blocked"]
    # A blocked milestone is listed once, under blocked (with its days late), not twice.
    overdue_unblocked = [m for m in overdue if m.status != "blocked"]
    ahead = [m for m in open_items if m.due_on is not None and m.due_on >= today]
    window_end = today + timedelta(days=DUE_WINDOW_DAYS)
    due_soon = [m for m in ahead if m.due_on is not None and m.due_on <= window_end]
    due_within_window = bool(due_soon)

    readiness = None
    if gate_scores is not None and result.maturity_index is not None:
        model_score = gate_scores.model(roadmap.model_id)
        readiness = ReadinessLine(model_score.readiness.verdict,
                                  verdicts.verdict_label(model_score.readiness.verdict),
                                  verdicts.reasons_of(model_score, catalog, lang))

    upcoming = due_soon or ahead
    model_name = model.name.get(lang) if model is not None else roadmap.title
    maturity = [MaturityRow(catalog.stage(s.stage).name.get(lang), s.score, s.target * 20,
                            s.gap) for s in result.stages]
    latest_date = latest.completed_at or latest.created_at
    questionnaire = questionnaire_of(catalog, latest)
    trend_key = _trend_key(catalog, lang) if trend_svg else []

    # Each list's first rows, then as many of them as two pages hold.
    candidates = [[_milestone_row(m, lang, stage_names, today) for m in items[:LIST_CAP]]
                  for items in (overdue_unblocked, blocked, upcoming)]
    frame = Frame(
        top=[client.name, model_name, i18n.format_date(today, lang), assessment.title,
             workspace.name],
        stages=[(row.name, [gate.description for gate in row.gates]) for row in rows],
        maturity=len(maturity) if result.maturity_index is not None else 0,
        source=" ".join([latest.title, i18n.format_date(latest_date, lang),
                         questionnaire.name.get(lang), " " * 60 * (latest.id != assessment.id)]),
        reasons=readiness.reasons if readiness is not None else [],
        readiness=readiness is not None,
        trend=None if not trend_svg else (_svg_height_mm(trend_svg),
                                          [label for _c, _s, label in trend_key], trend_caption))
    overdue_note = len(overdue) > len(overdue_unblocked)
    limits = fit_rows(frame, [
        (candidates[0], len(overdue_unblocked), "overdue", overdue_note),
        (candidates[1], len(blocked), "blocked", False),
        (candidates[2], len(upcoming), "next", False)])

    def listed(index: int, items: list[Milestone]) -> Capped:
        limit = limits[index]
        return Capped(candidates[index][:limit], max(0, len(items) - limit))
    percent = overall_percent(milestones)
    return {
        "lang": lang,
        "dir": i18n.direction(lang),
        "today": today,
        "roadmap": roadmap,
        "assessment": assessment,
        "client": client,
        "workspace": workspace,
        **brand_context(workspace, client),
        "logo": data_url(client.logo, client.logo_type or "image/png")
        if client.logo else None,
        "custom": model is None,
        "model_name": model_name,
        "accepted": roadmap.accepted_at is not None,
        "overall": percent,
        "milestone_count": len(milestones),
        "done_count": sum(m.status == "done" for m in milestones),
        "overdue_count": len(overdue),
        "blocked_count": len(blocked),
        "stages": rows,
        "has_gates": any(row.gates for row in rows),
        "overdue": listed(0, overdue_unblocked),
        "overdue_blocked": len(overdue) - len(overdue_unblocked),
        "blocked": listed(1, blocked),
        "due_next": listed(2, upcoming),
        "due_within_window": due_within_window,
        "due_window_days": DUE_WINDOW_DAYS,
        "latest": latest,
        "latest_date": latest_date,
        "latest_is_own": latest.id == assessment.id,
        "result": result,
        "questionnaire": questionnaire,
        "maturity": maturity,
        "readiness": readiness,
        "level_name": (catalog.scale.level(result.level).name.get(lang)
                       if result.level is not None else None),
        # Optional "maturity over time" chart: an SVG with numbers only, and its caption.
        "trend_svg": check_trend_svg(trend_svg),
        "trend_key": trend_key,
        "trend_caption": trend_caption,
        # A variable, not a literal: Jinja folds `100|digits` once, in the first render's language.
        "hundred": 100,
        "long_name": LONG_NAME,
        "font_faces": font_faces(),
        "print_css": status_css(),
    }


def build_status_html(roadmap: Roadmap, lang: str, today: date | None = None, *,
                      trend_svg: str | None = None, trend_caption: str = "") -> str:
    """The self-contained HTML of the status report, exactly as WeasyPrint gets it."""
    if lang not in i18n.LANGUAGES:
        raise ReportError(f"unknown language {lang!r}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    catalog = get_catalog()
    when = today or current_date()
    with report_language(app, lang):
        return render_template("reports/status.html", **status_context(
            catalog, roadmap, lang, when, trend_svg=trend_svg, trend_caption=trend_caption))


def render_status_pdf(roadmap: Roadmap, lang: str, today: date | None = None, *,
                      timeout: float | None = None, trend_svg: str | None = None,
                      trend_caption: str = "") -> bytes:
    """The status report as PDF bytes; ReportError (with a message for people) on failure."""
    html = build_status_html(roadmap, lang, today, trend_svg=trend_svg,
                             trend_caption=trend_caption)
    return render_pdf(html, timeout)


def status_report(roadmap: Roadmap, lang: str, today: date | None = None, *,
                  fmt: str = "pdf", timeout: float | None = None,
                  trend: Callable[[], tuple[str | None, str]] | None = None) -> bytes:
    """The status report as PDF (or the HTML WeasyPrint gets), from the report cache when
    nothing it shows has changed; `trend` gives the trend chart and its caption, made
    only when the report is. ReportError (with a message for people) on failure."""
    when = today or current_date()

    def make() -> bytes:
        chart, caption = trend() if trend else (None, "")
        html = build_status_html(roadmap, lang, when, trend_svg=chart, trend_caption=caption)
        db.session.commit()  # end the read before the slow part
        return html.encode("utf-8") if fmt == "html" else render_pdf(html, timeout)

    kind = "status+trend" if trend else "status"
    return cached(lambda: report_key(kind, roadmap.assessment, lang, fmt, when), fmt, make)


def write_status_report(roadmap: Roadmap, lang: str, path: Path, *, fmt: str = "pdf",
                        today: date | None = None, timeout: float | None = None) -> None:
    """Write the report (PDF, or the HTML WeasyPrint gets) to `path`; never a half file."""
    write_atomically(path, status_report(roadmap, lang, today, fmt=fmt, timeout=timeout))


def status_file_name(roadmap: Roadmap, lang: str, today: date | None = None,
                     extension: str = "pdf") -> str:
    """An ASCII-safe download name: client, 'rollout-status', the date, the language."""
    when = (today or current_date()).isoformat()
    client = re.sub(r"[^A-Za-z0-9]+", "-", roadmap.assessment.client.name).strip("-").lower()
    base = client[:60] or f"assessment-{roadmap.assessment_id}"
    return f"{base}-rollout-status-{when}-{lang}.{extension}"

