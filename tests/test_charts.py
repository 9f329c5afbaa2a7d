"""The server-side radar chart."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from assessment.charts import radar_svg

LABELS = ["Vision", "Strategy", "Process", "Data", "Technology", "Metrics"]


def points(svg: str, cls: str) -> list[tuple[float, float]]:
    match = re.search(rf'points="([^"]+)"[^>]*class="{cls}"', svg)
    assert match is not None
    return [tuple(map(float, p.split(","))) for p in match.group(1).split()]  # type: ignore[misc]


def test_radar_is_valid_svg_with_every_label() -> None:
    svg = radar_svg(LABELS, [20, 40, 60, 80, 100, None], [60] * 6, title="Stages <&>")
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == LABELS
    assert "Stages &lt;&amp;&gt;" in svg


def test_labels_fit_inside_the_view_box() -> None:
    svg = radar_svg(LABELS, [50] * 6, [60] * 6)
    box = re.search(r'viewBox="([^"]+)"', svg)
    assert box is not None
    x0, _, width, _ = map(float, box.group(1).split())
    texts = re.findall(r'<text x="([\d.-]+)"[^>]*text-anchor="(\w+)"[^>]*>([^<]+)<', svg)
    assert len(texts) == len(LABELS)
    for x, anchor, label in texts:
        extent = len(label) * 15 * 0.6  # a generous width per character at font-size 15
        left = float(x) - (extent if anchor == "end" else extent / 2 if anchor == "middle" else 0)
        right = float(x) + (extent if anchor == "start" else extent / 2 if anchor == "middle"
                            else 0)
        assert x0 <= left, label
        assert right <= x0 + width, label


def test_right_to_left_mirrors_the_axes() -> None:
    ltr = points(radar_svg(LABELS, [100] * 6, [0] * 6), "current")
    rtl = points(radar_svg(LABELS, [100] * 6, [0] * 6, rtl=True), "current")
    centre = 420 / 2
    for (x1, y1), (x2, y2) in zip(ltr, rtl, strict=True):
        assert abs((x1 - centre) + (x2 - centre)) < 0.2
        assert abs(y1 - y2) < 0.2
    # the second stage sits right of the top in English, left of it in Persian
    assert ltr[1][0] > centre > rtl[1][0]


def test_scores_scale_the_polygon() -> None:
    full = points(radar_svg(LABELS, [100] * 6, [None] * 6), "current")
    half = points(radar_svg(LABELS, [50] * 6, [None] * 6), "current")
    centre = 420 / 2
    assert abs((full[0][1] - centre) / 2 - (half[0][1] - centre)) < 0.2
    assert 'class="target"' not in radar_svg(LABELS, [50] * 6, [None] * 6)
