"""Charts drawn on the server as SVG, with no script and no web fonts of their own.

The radar mirrors in right-to-left languages (stages run counter-clockwise from the
top). Labels are plain <text>; the browser shapes and orders Persian text itself.
For print, `labels=False` draws numbers only so labels can sit in HTML around it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any
from xml.sax.saxutils import escape  # nosec B406 # escapes what we write, parses nothing

from .i18n import digits, number, percent

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


# --- customer data (issue 20): the pyramid, the RFM grid, completeness --------------------
#
# Each takes a stored profile (`customerdata.Profile.to_json()`) and the page's language.
# They draw shapes and numbers only unless `labels` names the rows: WeasyPrint sets
# Persian words inside SVG text in reverse, so a printed page puts the names in HTML beside
# rows of a known height (`row_mm`), and a web page may pass them to be drawn.

#: the pyramid's geometry, in viewBox units: a row per tier (and one for the inactive)
PYRAMID_WIDTH = 600
PYRAMID_ROW = 36
PYRAMID_BASE = 380
PYRAMID_TIERS = ("top", "big", "medium", "small")
#: the pyramid's bands, apex to base, and the inactive customers' band under it
PYRAMID_FILLS = {"top": "#123f50", "big": "#1f6f8b", "medium": "#4f9bb5", "small": "#9ccbdb",
                 "inactive": "#d5dbe1"}
#: completeness: a row per identifying field, in this order when the file has it
COMPLETENESS_FIELDS = ("name", "mobile", "phone", "email", "national_id", "city")
COMPLETENESS_WIDTH = 600
COMPLETENESS_ROW = 30
COMPLETENESS_BAR = 16
COMPLETENESS_NUMBERS = 130  #: room for the two shares at the bars' far end
COMPLETENESS_LABELS = 170
#: the RFM grid: cells, and the margins that hold the scores 1-5 of each axis
RFM_CELL = 60
RFM_AXIS = 26
RFM_PAD = 6


def _svg_open(width: float, height: float, cls: str, title: str,
              width_mm: float | None) -> list[str]:
    size = "" if width_mm is None else (
        f'width="{width_mm:g}mm" height="{width_mm * height / width:.2f}mm" ')
    return [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
            f'{size}role="img" aria-label="{escape(title)}" class="{cls}" '
            f'style="direction:ltr">', f"<title>{escape(title)}</title>"]


def _text(x: float, y: float, text: str, *, anchor: str = "middle", size: int = 14,
          fill: str = "#1d2733", cls: str = "", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    klass = f' class="{cls}"' if cls else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
            f'fill="{fill}"{weight}{klass}>{escape(text)}</text>')


def pyramid_rows(result: Mapping[str, Any]) -> list[str]:
    """The tiers the pyramid draws, apex first, the inactive customers last."""
    return [*PYRAMID_TIERS, "inactive"] if result.get("pyramid") else []


def customer_pyramid_svg(result: Mapping[str, Any], lang: str, *, title: str = "",
                         labels: Mapping[str, str] | None = None,
                         width_mm: float | None = None) -> str:
    """Curry's pyramid: the top 1%, next 4%, next 15% and remaining 80% of the customers
    who bought in the window as bands from apex to base (equal heights: a band's size is
    its rank, not its count), then the inactive customers in a band under the base. Beside
    each band, its customers and its share of revenue in the window.

    The apex sits on the reading side: the pyramid on the left and its figures on the
    right in English, mirrored in Persian. Each row is PYRAMID_ROW / PYRAMID_WIDTH of the
    chart's width high, so a printed page can set the tiers' names beside it."""
    tiers = {t["tier"]: t for t in result["pyramid"]}
    rtl = lang == "fa"
    rows = pyramid_rows(result)
    height = PYRAMID_ROW * len(rows)
    label_room = 150 if labels else 0
    base = PYRAMID_BASE - label_room
    # the pyramid's centre line and the two figures' columns, in English
    centre = label_room + 8 + base / 2
    count_x = label_room + 8 + base + 80
    share_x = count_x + 80

    def x(value: float) -> float:
        return PYRAMID_WIDTH - value if rtl else value

    levels = len(PYRAMID_TIERS)
    parts = _svg_open(PYRAMID_WIDTH, height, "pyramid", title, width_mm)
    for i, tier in enumerate(rows):
        top = i * PYRAMID_ROW
        figures = tiers.get(tier, {"customers": 0, "revenue_share": 0.0})
        parts.append(f'<g class="tier" data-tier="{tier}"><title>'
                     f'{escape((labels or {}).get(tier, tier))}</title>')
        if tier == "inactive":
            half = base / 2
            parts.append(f'<rect x="{min(x(centre - half), x(centre + half)):.1f}" '
                         f'y="{top + 6:.1f}" width="{base:.1f}" height="{PYRAMID_ROW - 8}" '
                         f'fill="{PYRAMID_FILLS[tier]}" stroke="#8a96a3" '
                         f'stroke-dasharray="4 3" class="band"/>')
        else:
            upper = base / 2 * i / levels
            lower = base / 2 * (i + 1) / levels
            corners = [(centre - upper, top), (centre + upper, top),
                       (centre + lower, top + PYRAMID_ROW), (centre - lower, top + PYRAMID_ROW)]
            parts.append(f'<polygon points="{_polygon([(x(a), b) for a, b in corners])}" '
                         f'fill="{PYRAMID_FILLS[tier]}" stroke="#ffffff" stroke-width="2" '
                         f'class="band"/>')
        middle = top + PYRAMID_ROW / 2 + 5
        if labels:
            parts.append(_text(x(4), middle, labels.get(tier, tier), size=13, cls="label",
                               anchor="end" if rtl else "start"))
        parts.append(_text(x(count_x), middle, number(figures["customers"], lang),
                           anchor="start" if rtl else "end", cls="customers", bold=True))
        parts.append(_text(x(share_x), middle, percent(figures["revenue_share"], lang),
                           anchor="start" if rtl else "end", cls="share"))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def completeness_rows(result: Mapping[str, Any]) -> list[str]:
    """The identifying fields the files have, in the chart's order."""
    fields = result["quality"]["fields"]
    return [name for name in COMPLETENESS_FIELDS if name in fields]


def completeness_svg(result: Mapping[str, Any], lang: str, *, title: str = "",
                     labels: Mapping[str, str] | None = None,
                     width_mm: float | None = None) -> str:
    """A row per identifying field: a light bar for the share of customer records that
    have it filled and a dark one, over it, for the share with a valid value (never
    longer). The two shares, filled then valid, at the bars' far end; bars grow from the
    reading side. Rows are COMPLETENESS_ROW / COMPLETENESS_WIDTH of the width high."""
    fields = result["quality"]["fields"]
    rows = completeness_rows(result)
    rtl = lang == "fa"
    height = max(1, len(rows)) * COMPLETENESS_ROW
    start = (COMPLETENESS_LABELS if labels else 0) + 6
    end = COMPLETENESS_WIDTH - COMPLETENESS_NUMBERS - 6

    def x(value: float) -> float:
        return COMPLETENESS_WIDTH - value if rtl else value

    def span(share: float) -> tuple[float, float]:
        far = start + (end - start) * max(0.0, min(1.0, share))
        left, right = sorted((x(start), x(far)))
        return left, right - left

    parts = _svg_open(COMPLETENESS_WIDTH, height, "completeness", title, width_mm)
    for share in (0, 0.5, 1):
        gx = x(start + (end - start) * share)
        parts.append(f'<line x1="{gx:.1f}" y1="0" x2="{gx:.1f}" y2="{height}" '
                     f'stroke="#dde3e8" class="grid"/>')
    for i, name in enumerate(rows):
        top = i * COMPLETENESS_ROW
        bar_top = top + (COMPLETENESS_ROW - COMPLETENESS_BAR) / 2
        middle = top + COMPLETENESS_ROW / 2 + 5
        figures = fields[name]
        parts.append(f'<g class="field" data-field="{name}"><title>'
                     f'{escape((labels or {}).get(name, name))}</title>')
        for kind, fill in (("filled", "#b9d7e2"), ("valid", "#1f6f8b")):
            left, width = span(figures[kind])
            parts.append(f'<rect x="{left:.1f}" y="{bar_top:.1f}" width="{width:.1f}" '
                         f'height="{COMPLETENESS_BAR}" fill="{fill}" class="{kind}"/>')
        if labels:
            parts.append(_text(x(4), middle, labels.get(name, name), size=13, cls="label",
                               anchor="end" if rtl else "start"))
        parts.append(_text(x(end + 62), middle, percent(figures["filled"], lang),
                           anchor="start" if rtl else "end", cls="filled-share",
                           fill="#5b6776"))
        parts.append(_text(x(COMPLETENESS_WIDTH - 4), middle,
                           percent(figures["valid"], lang), anchor="start" if rtl else "end",
                           cls="valid-share", bold=True))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


def rfm_segments() -> tuple[str, ...]:
    """The nine segments in the engine's order (their keys 1-9 in the grid)."""
    from .customerdata.rfm import SEGMENTS  # polars is loaded only where a grid is drawn

    return SEGMENTS


def rfm_grid_svg(result: Mapping[str, Any], lang: str, *, title: str = "",
                 width_mm: float | None = None) -> str:
    """The 5 x 5 grid of customers by R (rows, 5, the most recent buyers, at the top) and
    F (columns, 1 to 5 from the reading side: left to right in English, right to left in
    Persian), each cell shaded by its count and showing it. Thick lines outline the nine
    segments; each segment's number (its place in `rfm_segments()`, from 1) sits in a
    corner of its first cell, for a legend beside the chart."""
    from .customerdata.rfm import SEGMENTS, segment_of

    grid: list[list[int]] = result["rfm"]["grid"]
    rtl = lang == "fa"
    size = 5 * RFM_CELL
    width = RFM_AXIS + size + RFM_PAD
    height = size + RFM_AXIS + RFM_PAD
    most = max((n for row in grid for n in row), default=0) or 1

    def cell_x(f: int) -> float:  # the left edge of column f
        column = 5 - f if rtl else f - 1
        return (RFM_PAD if rtl else RFM_AXIS) + column * RFM_CELL

    def cell_y(r: int) -> float:  # the top edge of row r
        return RFM_PAD + (5 - r) * RFM_CELL

    parts = _svg_open(width, height, "rfm-grid", title, width_mm)
    keyed: set[str] = set()
    for r in range(5, 0, -1):
        for f in range(1, 6):
            count = grid[r - 1][f - 1]
            segment = segment_of(r, f)
            share = count / most
            left, top = cell_x(f), cell_y(r)
            parts.append(f'<g class="cell" data-r="{r}" data-f="{f}" data-segment="{segment}">'
                         f'<rect x="{left:.1f}" y="{top:.1f}" width="{RFM_CELL}" '
                         f'height="{RFM_CELL}" fill="#1f6f8b" '
                         f'fill-opacity="{0.06 + 0.84 * share:.2f}" stroke="#ffffff"/>')
            parts.append(_text(left + RFM_CELL / 2, top + RFM_CELL / 2 + 6,
                               number(count, lang), size=15, cls="count",
                               fill="#ffffff" if share > 0.5 else "#1d2733"))
            if segment not in keyed:
                keyed.add(segment)
                key = digits(SEGMENTS.index(segment) + 1, lang)
                corner = left + RFM_CELL - 5 if rtl else left + 5
                parts.append(_text(corner, top + 14, key, size=11, cls="key",
                                   anchor="end" if rtl else "start",
                                   fill="#ffffff" if share > 0.5 else "#5b6776"))
            parts.append("</g>")
    # the segments' outlines: the grid's edge, and every edge between two segments
    edges = []
    for r in range(1, 6):
        for f in range(1, 6):
            left, top = cell_x(f), cell_y(r)
            if f < 5 and segment_of(r, f) != segment_of(r, f + 1):
                edge = left if rtl else left + RFM_CELL
                edges.append((edge, top, edge, top + RFM_CELL))
            if r > 1 and segment_of(r, f) != segment_of(r - 1, f):
                edges.append((left, top + RFM_CELL, left + RFM_CELL, top + RFM_CELL))
    for x1, y1, x2, y2 in edges:
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
                     f'stroke="#1d2733" stroke-width="2.5" class="outline"/>')
    parts.append(f'<rect x="{cell_x(5) if rtl else cell_x(1):.1f}" y="{RFM_PAD}" '
                 f'width="{size}" height="{size}" fill="none" stroke="#1d2733" '
                 f'stroke-width="2.5" class="outline"/>')
    for n in range(1, 6):  # the axes' scores: R beside the rows, F under the columns
        axis_x = width - RFM_AXIS / 2 if rtl else RFM_AXIS / 2
        parts.append(_text(axis_x, cell_y(n) + RFM_CELL / 2 + 5, digits(n, lang),
                           size=13, cls="r-axis", fill="#5b6776"))
        parts.append(_text(cell_x(n) + RFM_CELL / 2, RFM_PAD + size + RFM_AXIS / 2 + 5,
                           digits(n, lang), size=13, cls="f-axis", fill="#5b6776"))
    parts.append("</svg>")
    return "".join(parts)
