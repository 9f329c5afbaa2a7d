"""The server-side radar chart."""

from __future__ import annotations

import re
from xml.etree import ElementTree

from assessment.charts import (
    STRIP_ROW,
    STRIP_WIDTH,
    radar_svg,
    stage_strip_svg,
    strip_track,
)

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


# --- the board page's stage strip ------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def strip_rows(svg: str) -> list[dict[str, list[dict[str, str]]]]:
    """Each row of a stage strip: its drawn marks by class, each mark's attributes."""
    root = ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    rows = []
    for group in root.iter(f"{SVG}g"):
        marks: dict[str, list[dict[str, str]]] = {}
        for child in group:
            if child.tag != f"{SVG}title":
                marks.setdefault(child.get("class", ""), []).append(
                    {**child.attrib, "text": child.text or ""})
        rows.append(marks)
    return rows


def test_the_strip_has_a_row_per_stage_with_its_bar_target_and_number() -> None:
    svg = stage_strip_svg(LABELS, [20, 40, 60, 80, 100, None], [60] * 6,
                          numbers=["20", "40", "60", "80", "100", "–"], title="Stages <&>")
    rows = strip_rows(svg)
    assert len(rows) == 6
    assert [row["label"][0]["text"] for row in rows] == LABELS
    assert [row["number"][0]["text"] for row in rows] == ["20", "40", "60", "80", "100", "–"]
    assert [len(row.get("current", [])) for row in rows] == [1, 1, 1, 1, 1, 0]  # no score
    assert all(len(row["target"]) == 1 for row in rows)
    assert all("previous" not in row for row in rows)  # no previous scores: no marks
    assert "Stages &lt;&amp;&gt;" in svg
    # the rows go down the chart in order, each inside its own band
    tops = [float(row["current"][0]["y"]) for row in rows[:5]]
    assert tops == sorted(tops)
    assert tops[1] - tops[0] == STRIP_ROW


def test_strip_marks_sit_at_their_values_on_one_scale() -> None:
    rows = strip_rows(stage_strip_svg(LABELS, [50, 100, 0, 25, 75, 10],
                                      [60, 80, None, 20, 100, 0],
                                      previous=[40, None, 10, 25, 90, 0]))
    zero, full = strip_track(rtl=False, show_labels=True)
    assert zero < full

    def at(value: float) -> float:
        return zero + (full - zero) * value / 100

    first = rows[0]
    bar = first["current"][0]
    assert abs(float(bar["x"]) - zero) < 0.1
    assert abs(float(bar["x"]) + float(bar["width"]) - at(50)) < 0.1
    assert abs(float(first["target"][0]["x1"]) - at(60)) < 0.1
    assert abs(float(first["previous"][0]["x1"]) - at(40)) < 0.1
    assert abs(float(rows[1]["current"][0]["width"]) - (full - zero)) < 0.1
    assert "previous" not in rows[1]  # no previous score for that stage
    assert "target" not in rows[2]
    assert float(rows[2]["current"][0]["width"]) == 0  # a score of 0 is a bar of no length
    assert abs(float(rows[4]["target"][0]["x1"]) - at(100)) < 0.1


def test_the_strip_runs_right_to_left_in_persian() -> None:
    values = [50, 100, 0, 25, 75, 10]
    ltr = strip_rows(stage_strip_svg(LABELS, values, [60] * 6, previous=[30] * 6))
    rtl = strip_rows(stage_strip_svg(LABELS, values, [60] * 6, previous=[30] * 6, rtl=True,
                                     numbers=["۵۰"] * 6))
    zero, full = strip_track(rtl=True, show_labels=True)
    assert zero > full  # 0 on the right
    for left, right in zip(ltr, rtl, strict=True):
        # each bar ends at the reading side: on the right, where 0 is
        bar = right["current"][0]
        assert abs(float(bar["x"]) + float(bar["width"]) - zero) < 0.1
        # a mark at v sits as far from the right as it sits from the left in English
        ltr_zero = strip_track(rtl=False, show_labels=True)[0]
        for mark in ("target", "previous"):
            assert abs((float(left[mark][0]["x1"]) - ltr_zero)
                       - (zero - float(right[mark][0]["x1"]))) < 0.1
        # names on the right, anchored at their end; numbers at the bars' far end, left
        assert right["label"][0]["text-anchor"] == "end"
        assert float(right["label"][0]["x"]) > zero
        assert float(right["number"][0]["x"]) <= full
        assert right["number"][0]["text"] == "۵۰"


def test_a_printed_strip_names_its_rows_only_in_titles_and_has_a_size_on_paper() -> None:
    svg = stage_strip_svg(LABELS, [50] * 6, [60] * 6, show_labels=False, width_mm=120)
    assert all("label" not in row for row in strip_rows(svg))
    assert re.findall(r"<g class=\"row\"><title>([^<]+)</title>", svg) == LABELS
    assert 'width="120mm"' in svg
    assert f'height="{120 * 6 * STRIP_ROW / STRIP_WIDTH:.2f}mm"' in svg
    # without the label column the track starts near the edge
    assert strip_track(rtl=False, show_labels=False)[0] < STRIP_ROW
