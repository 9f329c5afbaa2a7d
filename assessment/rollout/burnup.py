"""Progress over the months: milestones planned to be done by each day (their due dates)
against milestones actually done (the day each was marked done), as a step chart.

Drawn as SVG on the server like the other charts. Time runs right to left in Persian.
The SVG holds numbers only; its legend is HTML around it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape  # nosec B406 # escapes what we write, parses nothing

from .. import i18n
from ..tables import Milestone

PLANNED = "#9aa5b1"
DONE = "#2e8b57"


@dataclass(frozen=True)
class Burnup:
    first: date
    last: date
    today: date
    total: int
    planned: tuple[tuple[date, int], ...]  #: cumulative milestones due by each date
    done: tuple[tuple[date, int], ...]  #: cumulative milestones done by each date
    #: how many should be done by today, and how many are
    planned_by_today: int
    done_by_today: int


def _cumulative(days: Iterable[date]) -> tuple[tuple[date, int], ...]:
    out: list[tuple[date, int]] = []
    for count, day in enumerate(sorted(days), start=1):
        if out and out[-1][0] == day:
            out[-1] = (day, count)
        else:
            out.append((day, count))
    return tuple(out)


def build(milestones: Sequence[Milestone], starts_on: date, today: date) -> Burnup | None:
    """The burn-up of a roadmap, or None while no milestone has a due date."""
    dues = [m.due_on for m in milestones if m.due_on is not None]
    if not dues:
        return None
    done = [m.done_on or today for m in milestones if m.status == "done"]
    first = min([starts_on, *dues, *done])
    last = max([*dues, today, *done])
    return Burnup(first=first, last=last, today=today, total=len(milestones),
                  planned=_cumulative(dues), done=_cumulative(d for d in done if d <= today),
                  planned_by_today=sum(d <= today for d in dues),
                  done_by_today=sum(d <= today for d in done))


def _month_ticks(first: date, last: date, lang: str) -> list[tuple[date, str]]:
    """Month ticks as digits: 1405/07 in Persian (Solar Hijri), 2026-09 in English."""
    joiner = "/" if lang == "fa" else "-"
    return [(day, i18n.digits(f"{year}{joiner}{month:02d}", lang))
            for day, year, month in i18n.month_starts(first, last, lang)]


def burnup_svg(chart: Burnup, lang: str, *, title: str = "", width: int = 720,
               height: int = 240) -> str:
    rtl = lang == "fa"
    left, right, top, bottom = 40, 16, 12, 28
    if rtl:
        left, right = right, left
    span = max((chart.last - chart.first).days, 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    top_count = max(chart.total, 1)

    def x(day: date) -> float:
        fraction = (day - chart.first).days / span
        return left + plot_w * (1 - fraction if rtl else fraction)

    def y(count: int) -> float:
        return top + plot_h * (1 - count / top_count)

    def steps(points: Sequence[tuple[date, int]], until: date) -> str:
        path = [f"M{x(chart.first):.1f},{y(0):.1f}"]
        for day, count in points:
            path.append(f"H{x(day):.1f}V{y(count):.1f}")
        path.append(f"H{x(until):.1f}")
        return "".join(path)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="{escape(title)}" class="burnup" style="direction:ltr">',
             f"<title>{escape(title)}</title>"]
    axis_x = left - 6 if not rtl else width - right + 6
    anchor = "end" if not rtl else "start"
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        count = round(top_count * fraction)
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(count):.1f}" '
                     f'y2="{y(count):.1f}" stroke="#e3e8ec"/>')
        parts.append(f'<text x="{axis_x}" y="{y(count) + 4:.1f}" font-size="11" '
                     f'text-anchor="{anchor}" fill="#5b6776">{i18n.digits(count, lang)}</text>')
    for day, label in _month_ticks(chart.first, chart.last, lang):
        parts.append(f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{top}" '
                     f'y2="{height - bottom}" stroke="#eef1f4"/>')
        parts.append(f'<text x="{x(day):.1f}" y="{height - 8}" font-size="11" '
                     f'text-anchor="middle" fill="#5b6776">{escape(label)}</text>')
    parts.append(f'<path d="{steps(chart.planned, chart.last)}" fill="none" stroke="{PLANNED}" '
                 f'stroke-width="2" stroke-dasharray="5 4" class="planned"/>')
    parts.append(f'<path d="{steps(chart.done, chart.today)}" fill="none" stroke="{DONE}" '
                 f'stroke-width="3" class="done"/>')
    if chart.first <= chart.today <= chart.last:
        parts.append(f'<line x1="{x(chart.today):.1f}" x2="{x(chart.today):.1f}" y1="{top}" '
                     f'y2="{height - bottom}" stroke="#c0392b" stroke-width="1.5" class="today"/>')
        parts.append(f'<circle cx="{x(chart.today):.1f}" cy="{y(chart.done_by_today):.1f}" '
                     f'r="4" fill="{DONE}"/>')
    parts.append("</svg>")
    return "".join(parts)
