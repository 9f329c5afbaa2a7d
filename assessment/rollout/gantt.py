"""The roadmap timeline: where each bar sits, as percentages of the time axis.

The page draws it with HTML and CSS (`inset-inline-start`), so in Persian the same
numbers put time running from right to left with no extra code, and titles wrap and
shape as any text does. Month ticks follow the calendar of the language: Solar Hijri
months in Persian, Gregorian months in English.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .. import i18n
from ..tables import Milestone
from .operations import RoadmapStage


@dataclass(frozen=True)
class Tick:
    at: float  #: percent of the axis
    label: str


@dataclass(frozen=True)
class Bar:
    milestone: Milestone
    start: float  #: percent of the axis
    width: float
    overdue: bool


@dataclass(frozen=True)
class StageRow:
    stage: RoadmapStage
    start: float | None
    width: float | None
    bars: tuple[Bar, ...]
    #: undated milestones of the stage, listed under it
    undated: tuple[Milestone, ...]


@dataclass(frozen=True)
class Timeline:
    first: date
    last: date
    ticks: tuple[Tick, ...]
    today: float | None
    rows: tuple[StageRow, ...]


def _month_starts(first: date, last: date, lang: str) -> list[tuple[date, str]]:
    """Month ticks named in the language's calendar, with the year on the first and on
    each new year."""
    names = i18n.FA_MONTHS if lang == "fa" else i18n.EN_SHORT_MONTHS
    out: list[tuple[date, str]] = []
    for day, year, month in i18n.month_starts(first, last, lang):
        label = names[month - 1]
        if month == 1 or not out:
            label += " " + i18n.digits(year, lang)
        out.append((day, label))
    return out


def build(stages: Sequence[RoadmapStage], milestones: Iterable[Milestone], today: date,
          lang: str) -> Timeline | None:
    """The timeline of a roadmap, or None when no milestone has dates yet."""
    items = list(milestones)
    dated = [m for m in items if m.start_on or m.due_on]
    if not dated:
        return None
    days = [d for m in dated for d in (m.start_on, m.due_on) if d is not None] + [today]
    first = min(days) - timedelta(days=3)
    last = max(days) + timedelta(days=4)
    span = (last - first).days

    def at(day: date) -> float:
        return round(100 * (day - first).days / span, 3)

    rows = []
    for stage in stages:
        mine = [m for m in items if m.stage == stage.id]
        bars = []
        for m in mine:
            start = m.start_on or m.due_on
            end = m.due_on or m.start_on
            if start is None or end is None:
                continue
            left = at(start)
            width = max(at(end + timedelta(days=1)) - left, 0.6)
            bars.append(Bar(m, left, width, m.overdue(today)))
        if bars:
            stage_start = min(b.start for b in bars)
            stage_end = max(b.start + b.width for b in bars)
            rows.append(StageRow(stage, stage_start, round(stage_end - stage_start, 3),
                                 tuple(bars), tuple(m for m in mine
                                                    if not (m.start_on or m.due_on))))
        else:
            rows.append(StageRow(stage, None, None, (), tuple(mine)))
    ticks = tuple(Tick(at(day), label) for day, label in _month_starts(first, last, lang))
    return Timeline(first, last, ticks, at(today) if first <= today <= last else None,
                    tuple(rows))
