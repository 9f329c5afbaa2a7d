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

import jdatetime

from .. import i18n
from ..tables import Milestone
from .operations import RoadmapStage

_FA_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
              "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
              "Dec")


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
    out: list[tuple[date, str]] = []
    if lang == "fa":
        j = jdatetime.date.fromgregorian(date=first)
        j = jdatetime.date(j.year, j.month, 1)
        while True:
            day = j.togregorian()
            if day > last:
                break
            if day >= first:
                label = _FA_MONTHS[j.month - 1]
                if j.month == 1 or not out:
                    label += " " + i18n.digits(j.year, "fa")
                out.append((day, label))
            j = (jdatetime.date(j.year + 1, 1, 1) if j.month == 12
                 else jdatetime.date(j.year, j.month + 1, 1))
        return out
    current = date(first.year, first.month, 1)
    while current <= last:
        if current >= first:
            label = _EN_MONTHS[current.month - 1]
            if current.month == 1 or not out:
                label += f" {current.year}"
            out.append((current, label))
        current = date(current.year + (current.month == 12), current.month % 12 + 1, 1)
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
