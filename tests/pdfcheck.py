"""Checks on a rendered PDF that read where things are drawn (pdfplumber keeps coordinates).

`pdftotext` and pypdf drop or keep text drawn off the page without saying so; these
checks look at every glyph, line, rectangle, curve and image with its box, in points
from the page's top-left corner.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pdfplumber

MM = 72 / 25.4
#: how far a box may stick out (antialiasing, a stroke's half width)
SLACK = 1.0


@dataclass(frozen=True)
class Outside:
    page: int  #: 1-based
    kind: str  #: char, rect, line, curve or image
    box: tuple[float, float, float, float]  #: x0, top, x1, bottom
    text: str = ""


def drawn_outside(pdf: bytes) -> list[Outside]:
    """Everything drawn at least partly outside its page."""
    return [found for layout in page_layouts(pdf, (0, 0)) for found in layout.outside]


def text_heights(pdf: bytes, margins_mm: tuple[float, float]) -> list[float]:
    """Per page, the share (0-1) of the body's height that its text spans, from the top of
    its first line to the bottom of its last. The body is the page less the top and bottom
    margins (`margins_mm`), where running headers and footers sit and are not counted."""
    return [layout.text_share for layout in page_layouts(pdf, margins_mm)]


def thin_pages(pdf: bytes, margins_mm: tuple[float, float], least: float = 0.2) -> list[int]:
    """Pages (1-based) other than the first and the last whose text spans less than `least`
    of the body's height: a page a reader turns to find two lines on."""
    return thin_of(page_layouts(pdf, margins_mm), least)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page as pdfplumber extracts it (in visual order, lines top down)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() or "" for page in document.pages]


def _rgb(colour: str) -> tuple[float, float, float]:
    return (int(colour[1:3], 16) / 255, int(colour[3:5], 16) / 255, int(colour[5:7], 16) / 255)


def chars_around_lines(pdf: bytes, colour: str, margins: tuple[float, float, float, float]
                       ) -> list[dict[str, object]]:
    """The glyphs drawn around a chart: on each page, those inside the box that the lines
    stroked in `colour` (#rrggbb, such as a chart's grid) span, widened by `margins` (points
    above, right, below and left) to take in the axis labels. Each glyph as pdfplumber
    gives it, with its "size" in points as printed."""
    want = _rgb(colour)
    found: list[dict[str, object]] = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for page in document.pages:
            grid = [line for line in page.lines
                    if len(line.get("stroking_color") or ()) == 3
                    and all(abs(float(a) - b) < 0.01
                            for a, b in zip(line["stroking_color"], want, strict=True))]
            if not grid:
                continue
            top = min(float(line["top"]) for line in grid) - margins[0]
            right = max(float(line["x1"]) for line in grid) + margins[1]
            bottom = max(float(line["bottom"]) for line in grid) + margins[2]
            left = min(float(line["x0"]) for line in grid) - margins[3]
            found += [char for char in page.chars if char["text"].strip()
                      and left <= float(char["x0"]) and float(char["x1"]) <= right
                      and top <= float(char["top"]) and float(char["bottom"]) <= bottom]
    return found


@dataclass(frozen=True)
class PageLayout:
    """What one reading of a page finds: what is drawn outside it, and the share (0-1) of
    its body's height that its text spans (as `text_heights`)."""

    outside: list[Outside]
    text_share: float


def page_layouts(pdf: bytes, margins_mm: tuple[float, float]) -> list[PageLayout]:
    """What is drawn outside each page and how much of its body its text spans, in one
    reading of the PDF (pdfplumber takes seconds a page on a dense report: read it once
    when both are wanted). `drawn_outside`, `text_heights` and `thin_pages` use it."""
    top_margin, bottom_margin = (m * MM for m in margins_mm)
    layouts = []
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        for number, page in enumerate(document.pages, start=1):
            width, height = float(page.width), float(page.height)
            outside = []
            for kind in ("char", "rect", "line", "curve", "image"):
                for obj in page.objects.get(kind, []):
                    box = (float(obj["x0"]), float(obj["top"]), float(obj["x1"]),
                           float(obj["bottom"]))
                    if box[0] < -SLACK or box[1] < -SLACK or box[2] > width + SLACK \
                            or box[3] > height + SLACK:
                        outside.append(Outside(number, kind, box, obj.get("text", "")))
            body = height - top_margin - bottom_margin
            chars = [c for c in page.chars if c["text"].strip()
                     and float(c["top"]) >= top_margin - SLACK
                     and float(c["bottom"]) <= height - bottom_margin + SLACK]
            share = (max(float(c["bottom"]) for c in chars)
                     - min(float(c["top"]) for c in chars)) / body if chars else 0.0
            layouts.append(PageLayout(outside, share))
    return layouts


def thin_of(layouts: list[PageLayout], least: float = 0.2) -> list[int]:
    """`thin_pages` from `page_layouts`: pages (1-based) but the first and the last whose
    text spans less than `least` of the body's height."""
    return [number for number, layout in enumerate(layouts, start=1)
            if 1 < number < len(layouts) and layout.text_share < least]
