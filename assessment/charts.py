"""Charts drawn on the server as SVG, with no script and no web fonts of their own.

The radar mirrors in right-to-left languages (stages run counter-clockwise from the
top). Labels are plain <text>; the browser shapes and orders Persian text itself.
For print, `labels=False` draws numbers only so labels can sit in HTML around it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from xml.sax.saxutils import escape  # nosec B406 # escapes what we write, parses nothing

RING_LEVELS = (1, 2, 3, 4, 5)


def _point(cx: float, cy: float, radius: float, index: int, count: int,
           rtl: bool) -> tuple[float, float]:
    angle = 2 * math.pi * index / count
    dx = math.sin(angle) * radius
    return (cx - dx if rtl else cx + dx), cy - math.cos(angle) * radius


def _polygon(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def radar_svg(labels: Sequence[str], current: Sequence[float | None],
              target: Sequence[float | None], *, rtl: bool = False, size: int = 420,
              title: str = "", numbers: Sequence[str] | None = None,
              show_labels: bool = True, marks: Sequence[str] | None = None) -> str:
    """A radar of scores 0-100 per axis, `current` filled, `target` dashed.

    Without labels each axis shows its number, 1 to n, or `marks` when given (a Persian
    page numbers its axes in Persian digits)."""
    count = len(labels)
    cx = cy = size / 2
    radius = size * (0.32 if show_labels else 0.42)
    pad = size * 0.18 if show_labels else 0  # room for long labels left and right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{-pad:.0f} 0 {size + 2 * pad:.0f} {size}" '
        f'role="img" aria-label="{escape(title)}" class="radar" style="direction:ltr">',
        f"<title>{escape(title)}</title>",
    ]
    for level in RING_LEVELS:
        ring = [_point(cx, cy, radius * level / 5, i, count, rtl) for i in range(count)]
        parts.append(f'<polygon points="{_polygon(ring)}" fill="none" stroke="#d5dbe1" '
                     f'stroke-width="1"/>')
    for i in range(count):
        x, y = _point(cx, cy, radius, i, count, rtl)
        parts.append(f'<line x1="{cx}" y1="{cy}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d5dbe1"/>')
    if any(v is not None for v in target):
        pts = [_point(cx, cy, radius * (v or 0) / 100, i, count, rtl)
               for i, v in enumerate(target)]
        parts.append(f'<polygon points="{_polygon(pts)}" fill="none" stroke="#c2571a" '
                     f'stroke-width="2" stroke-dasharray="6 4" class="target"/>')
    pts = [_point(cx, cy, radius * (v or 0) / 100, i, count, rtl)
           for i, v in enumerate(current)]
    parts.append(f'<polygon points="{_polygon(pts)}" fill="#1f6f8b" fill-opacity="0.28" '
                 f'stroke="#1f6f8b" stroke-width="2.5" class="current"/>')
    for (x, y), value in zip(pts, current, strict=True):
        if value is not None:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1f6f8b"/>')
    for i, label in enumerate(labels):
        x, y = _point(cx, cy, radius + (22 if show_labels else 14), i, count, rtl)
        anchor = "middle" if abs(x - cx) < 1 else ("start" if x > cx else "end")
        text = label if show_labels else marks[i] if marks is not None else str(i + 1)
        parts.append(f'<text x="{x:.1f}" y="{y + 5:.1f}" text-anchor="{anchor}" '
                     f'font-size="15" fill="#1d2733">{escape(text)}</text>')
        if show_labels and numbers is not None:
            parts.append(f'<text x="{x:.1f}" y="{y + 23:.1f}" text-anchor="{anchor}" '
                         f'font-size="13" fill="#5b6776">{escape(numbers[i])}</text>')
    parts.append("</svg>")
    return "".join(parts)


#: The stage strip's geometry, in viewBox units: a row per stage, the bars' track between
#: the label column (when drawn) and the score column.
STRIP_WIDTH = 600
STRIP_ROW = 30
STRIP_BAR = 14
STRIP_LABELS = 170
STRIP_NUMBERS = 44
STRIP_PAD = 6


def strip_track(rtl: bool, show_labels: bool) -> tuple[float, float]:
    """Where the stage strip's 0 and 100 fall on the x axis: 0 on the left in a
    left-to-right chart, on the right in a right-to-left one."""
    labels = STRIP_LABELS if show_labels else 0
    left = (STRIP_NUMBERS if rtl else labels) + STRIP_PAD
    right = STRIP_WIDTH - (labels if rtl else STRIP_NUMBERS) - STRIP_PAD
    return (right, left) if rtl else (left, right)


def stage_strip_svg(labels: Sequence[str], current: Sequence[float | None],
                    target: Sequence[float | None], *,
                    previous: Sequence[float | None] | None = None, rtl: bool = False,
                    numbers: Sequence[str] | None = None, title: str = "",
                    show_labels: bool = True, width_mm: float | None = None) -> str:
    """A row per stage: a bar for its score (0-100), a tick at its target and, when
    `previous` is given, a faint mark at the previous assessment's score.

    Bars grow from the reading side: from the left in English, from the right in Persian
    (`rtl`). `labels` name the rows (drawn beside them, or only as each row's title when
    `show_labels` is False, so a printed page can set the names in HTML: WeasyPrint draws
    Persian words inside SVG text in reverse); `numbers`, the scores as the reader writes
    them (digits localised by the caller), sit at the bars' far end. With `width_mm` the
    chart is that wide on paper and each row STRIP_ROW / STRIP_WIDTH of it high."""
    count = len(labels)
    height = count * STRIP_ROW
    zero, full = strip_track(rtl, show_labels)

    def x_of(value: float) -> float:
        return zero + (full - zero) * max(0.0, min(100.0, value)) / 100

    size = "" if width_mm is None else (
        f'width="{width_mm:g}mm" height="{width_mm * height / STRIP_WIDTH:.2f}mm" ')
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {STRIP_WIDTH} {height}" '
        f'{size}role="img" aria-label="{escape(title)}" class="strip" style="direction:ltr">',
        f"<title>{escape(title)}</title>",
    ]
    for level in (0, *RING_LEVELS):  # the level boundaries, 0 to 100 by 20
        x = x_of(level * 20)
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height}" '
                     f'stroke="#dde3e8" stroke-width="1" class="grid"/>')
    for i, label in enumerate(labels):
        top = i * STRIP_ROW
        middle = top + STRIP_ROW / 2
        bar_top = middle - STRIP_BAR / 2
        parts.append(f'<g class="row"><title>{escape(label)}</title>')
        value = current[i]
        if value is not None:
            x0, x1 = sorted((zero, x_of(value)))
            parts.append(f'<rect x="{x0:.1f}" y="{bar_top:.1f}" width="{x1 - x0:.1f}" '
                         f'height="{STRIP_BAR}" fill="#1f6f8b" class="current"/>')
        if previous is not None and previous[i] is not None:
            x = x_of(previous[i] or 0)
            parts.append(f'<line x1="{x:.1f}" y1="{bar_top - 2:.1f}" x2="{x:.1f}" '
                         f'y2="{bar_top + STRIP_BAR + 2:.1f}" stroke="#b8c2cc" '
                         f'stroke-width="3" class="previous"/>')
        if target[i] is not None:
            x = x_of(target[i] or 0)
            parts.append(f'<line x1="{x:.1f}" y1="{bar_top - 4:.1f}" x2="{x:.1f}" '
                         f'y2="{bar_top + STRIP_BAR + 4:.1f}" stroke="#c2571a" '
                         f'stroke-width="3" class="target"/>')
        if show_labels:
            x = STRIP_WIDTH - 2 if rtl else 2
            parts.append(f'<text x="{x}" y="{middle + 5:.1f}" text-anchor="'
                         f'{"end" if rtl else "start"}" font-size="14" fill="#1d2733" '
                         f'class="label">{escape(label)}</text>')
        if numbers is not None:
            x = STRIP_NUMBERS if rtl else STRIP_WIDTH - STRIP_NUMBERS
            parts.append(f'<text x="{x}" y="{middle + 5:.1f}" text-anchor="'
                         f'{"end" if rtl else "start"}" font-size="14" font-weight="bold" '
                         f'fill="#1d2733" class="number">{escape(numbers[i])}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
