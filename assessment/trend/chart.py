"""The trend chart: maturity index and stage scores over time, drawn as SVG on the server.

Time runs left to right in English and right to left in Persian. With `for_print` the
SVG holds numbers only (WeasyPrint draws Persian words inside SVG text in reverse), so
every word, the legend included, sits in HTML around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape  # nosec B406 # escapes what we write, parses nothing

from .. import i18n
from ..schema import CANONICAL_STAGE_IDS
from .operations import Trend

WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 46, 30, 22, 40
#: In print the SVG is set PRINT_WIDTH_MM wide (its own width and height attributes), so
#: one unit of the viewBox is PRINT_WIDTH_MM / WIDTH mm on paper: about a fifth of a mm.
#: The labels are sized from that to print at PRINT_LABEL_PT (values: a little larger),
#: and the chart is less tall than on screen, so it takes less of the page.
PRINT_WIDTH_MM = 150
PRINT_HEIGHT = 290
PRINT_LABEL_PT = 7.5
_MM_PER_PT = 25.4 / 72


def print_font_size(points: float) -> int:
    """The font size, in viewBox units, that prints at least `points` pt tall."""
    return math.ceil(points * _MM_PER_PT * WIDTH / PRINT_WIDTH_MM)

READINESS_COLOUR = "#1f6f8b"
TARGET_COLOUR = "#c2571a"
TODAY_COLOUR = "#9aa5b1"
GRID_COLOUR = "#dde3e8"
#: one colour per canonical stage, also used by the legend in HTML
STAGE_COLOURS: dict[str, str] = {
    "vision": "#8e44ad",
    "strategy": "#3b5bdb",
    "process": "#2f9e44",
    "data": "#c79100",
    "technology": "#c92a2a",
    "metrics": "#7f5539",
}
_MONTH_STEPS = (1, 2, 3, 6, 12, 24)
_MAX_TICKS = 7


def _month_ticks(first: date, last: date, lang: str) -> list[tuple[date, str]]:
    """The first day of each month (Solar Hijri months in Persian) between two dates,
    thinned so at most _MAX_TICKS are labelled; labels are digits in Persian."""
    starts = [(day, i18n.digits(f"{year}/{month:02d}", "fa") if lang == "fa"
               else f"{i18n.EN_SHORT_MONTHS[month - 1]} {year}")
              for day, year, month in i18n.month_starts(first, last, lang)]
    for step in _MONTH_STEPS:
        if len(starts[::step]) <= _MAX_TICKS:
            return starts[::step]
    return starts[:: _MONTH_STEPS[-1]]


def _day_label(day: date, lang: str) -> str:
    if lang == "fa":
        return i18n.jalali_input(day)
    return f"{day.day} {i18n.EN_SHORT_MONTHS[day.month - 1]} {day.year}"


def _span(trend: Trend) -> tuple[date, date]:
    dates = [p.on for p in trend.points]
    if trend.projection is not None:
        dates += [step.on for step in trend.projection.steps]
    return (min(dates), max(dates)) if dates else (trend.today, trend.today)


def shows_today(trend: Trend) -> bool:
    """Whether the chart marks today (it does when today falls inside its time span)."""
    first, last = _span(trend)
    return first < last and first <= trend.today <= last


def _polyline(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def trend_svg(trend: Trend, lang: str, *, for_print: bool = False, title: str = "") -> str:
    """The trend as an SVG line chart: x is time (dates proportional), y the score 0-100.

    The maturity index is a thick line with dots and its value; each stage a thin line in
    its STAGE_COLOURS colour; the projection a dashed line on from the latest point; the
    target index a dotted line across. `title` (screen only) labels the chart for screen
    readers. An empty trend gives an empty chart with its axes.
    """
    rtl = lang == "fa"
    height = PRINT_HEIGHT if for_print else HEIGHT
    plot_w, plot_h = WIDTH - LEFT - RIGHT, height - TOP - BOTTOM
    # axis labels and values: the screen's sizes, or what prints at PRINT_LABEL_PT
    small = print_font_size(PRINT_LABEL_PT) if for_print else 12
    large = small + 1 if for_print else 13
    projection = trend.projection
    dates = [p.on for p in trend.points]
    if projection is not None:
        dates += [step.on for step in projection.steps]
    first, last = _span(trend)
    span = (last - first).days

    def x_of(day: date) -> float:
        inset = 14.0  # keep the end dots off the axes
        x = LEFT + plot_w / 2 if span == 0 else (
            LEFT + inset + (plot_w - 2 * inset) * (day - first).days / span)
        return WIDTH - x if rtl else x

    def y_of(value: float) -> float:
        return TOP + plot_h * (1 - value / 100)

    def mirror(x: float) -> float:
        return WIDTH - x if rtl else x

    def anchor(ltr: str) -> str:
        if not rtl or ltr == "middle":
            return ltr
        return "end" if ltr == "start" else "start"

    def num(value: float) -> str:
        return i18n.number(value, lang)

    sep = "،" if rtl else " ·"  # "·" beside a Persian digit reads as a zero
    label = "" if for_print else title
    size = (f' width="{PRINT_WIDTH_MM}mm" height="{PRINT_WIDTH_MM * height / WIDTH:.1f}mm"'
            if for_print else "")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}"{size} '
        f'class="trend-chart" role="img" style="direction:ltr"'
        + (f' aria-label="{escape(label)}"' if label else "") + ">",
    ]
    if label:
        parts.append(f"<title>{escape(label)}</title>")
    # grid: scores 0-100, one line per maturity level
    for value in range(0, 101, 20):
        y = y_of(value)
        parts.append(f'<line x1="{mirror(LEFT):.0f}" y1="{y:.1f}" '
                     f'x2="{mirror(WIDTH - RIGHT):.0f}" y2="{y:.1f}" '
                     f'stroke="{GRID_COLOUR}" stroke-width="1"/>')
        parts.append(f'<text x="{mirror(LEFT - 8):.0f}" y="{y + 4:.1f}" '
                     f'text-anchor="{anchor("end")}" font-size="{small}" fill="#5b6776">'
                     f"{num(value)}</text>")
    axis_y = y_of(0)
    # time axis: month starts, or the dates themselves when the span is under a month
    ticks = _month_ticks(first, last, lang) if span else []
    if len(ticks) < 2:
        ticks = [(day, _day_label(day, lang)) for day in sorted(set(dates))][:_MAX_TICKS]
    for day, text in ticks:
        x = x_of(day)
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y:.1f}" x2="{x:.1f}" y2="{axis_y + 5:.1f}" '
                     f'stroke="#5b6776"/>')
        parts.append(f'<text x="{x:.1f}" y="{axis_y + 20:.1f}" text-anchor="middle" '
                     f'font-size="{small}" fill="#5b6776" class="tick">{escape(text)}</text>')
    if shows_today(trend):
        x = x_of(trend.today)
        parts.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{axis_y:.1f}" '
                     f'stroke="{TODAY_COLOUR}" stroke-width="1" stroke-dasharray="2 3" '
                     f'class="today"/>')
    if trend.target_index is not None:
        y = y_of(trend.target_index)
        parts.append(f'<line x1="{mirror(LEFT):.0f}" y1="{y:.1f}" x2="{mirror(WIDTH - RIGHT):.0f}"'
                     f' y2="{y:.1f}" stroke="{TARGET_COLOUR}" stroke-width="1.5" '
                     f'stroke-dasharray="1 4" stroke-linecap="round" class="target"/>')

    # the six stages, thin
    for stage in CANONICAL_STAGE_IDS:
        colour = STAGE_COLOURS[stage]
        pts = [(x_of(p.on), y_of(score)) for p in trend.points
               if (score := p.stages.get(stage)) is not None]
        if len(pts) > 1:
            parts.append(f'<polyline points="{_polyline(pts)}" fill="none" stroke="{colour}" '
                         f'stroke-width="1.75" stroke-opacity="0.85" data-stage="{stage}"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}" '
                         f'data-stage="{stage}"/>')

    # the maturity index, thick, with its values
    halo = "" if for_print else ' paint-order="stroke" stroke="#fff" stroke-width="3"'
    placed: list[tuple[float, float]] = []

    def value_label(x: float, y: float, text: str, colour: str, css: str) -> None:
        """Above the dot, else below it, else not at all (the table has every value)."""
        for candidate in (y - 11, y + 22):
            if all(abs(x - px) > 26 or abs(candidate - py) > 15 for px, py in placed):
                placed.append((x, candidate))
                parts.append(f'<text x="{x:.1f}" y="{candidate:.1f}" text-anchor="middle" '
                             f'font-size="{large}" font-weight="700" fill="{colour}"{halo} '
                             f'class="{css}">{text}</text>')
                return

    ready = [(p, x_of(p.on), y_of(p.maturity_index)) for p in trend.points
             if p.maturity_index is not None]
    projected: list[tuple[float, float]] = []
    if projection is not None and ready:
        projected = [(x_of(s.on), y_of(s.maturity_index)) for s in projection.steps
                     if s.maturity_index is not None]
        start = (ready[-1][1], ready[-1][2])
        parts.append(f'<polyline points="{_polyline([start, *projected])}" fill="none" '
                     f'stroke="{READINESS_COLOUR}" stroke-width="2.5" stroke-dasharray="7 5" '
                     f'class="projection"/>')
        for x, y in projected:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#fff" '
                         f'stroke="{READINESS_COLOUR}" stroke-width="2" class="projected"/>')
    if len(ready) > 1:
        parts.append(f'<polyline points="{_polyline([(x, y) for _, x, y in ready])}" '
                     f'fill="none" stroke="{READINESS_COLOUR}" stroke-width="4" '
                     f'stroke-linejoin="round" class="readiness"/>')
    for point, x, y in ready:
        tip = "" if for_print else (
            f"<title>{escape(point.title)}{sep} {escape(i18n.format_date(point.on, lang))}"
            f"{sep} {num(point.maturity_index or 0)}</title>")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5.5" fill="{READINESS_COLOUR}" '
                     f'stroke="#fff" stroke-width="2" class="point" '
                     f'data-assessment="{point.assessment_id}">{tip}</circle>')
    # labels last, the latest first, so they sit on top and the newest wins a crowded spot
    for point, x, y in reversed(ready):
        value_label(x, y, num(point.maturity_index or 0), "#1d2733", "value")
    if projection is not None and projected and projection.final.maturity_index is not None:
        x, y = projected[-1]
        value_label(x, y, num(projection.final.maturity_index), READINESS_COLOUR,
                    "projected-value")
    parts.append("</svg>")
    return "".join(parts)
