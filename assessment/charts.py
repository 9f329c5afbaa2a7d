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
