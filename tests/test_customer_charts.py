"""The customer-data charts: the pyramid, the RFM grid and the completeness bars."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from assessment.charts import (
    PYRAMID_ROW,
    PYRAMID_WIDTH,
    completeness_rows,
    completeness_svg,
    customer_pyramid_svg,
    pyramid_rows,
    rfm_grid_svg,
)
from assessment.customerdata import profile_files
from assessment.customerdata.rfm import SEGMENTS, segment_of

from .persian import foreign_in_persian

SVG = "{http://www.w3.org/2000/svg}"


def small_profile(folder: Path) -> dict[str, Any]:
    """A profile of 40 customers' purchases written by hand: customer n buys n % 7 + 1
    times, amounts rising with n, some without a mobile or an e-mail."""
    lines = ["customer,name,mobile,email,date,amount"]
    for n in range(40):
        mobile = f"0912{n:07d}" if n % 4 else ""
        email = f"c{n}@example.com" if n % 3 else "not an address"
        for k in range(n % 7 + 1):
            lines.append(f"C{n:03d},Name {n},{mobile},{email},2024-{(n + k) % 12 + 1:02d}-10,"
                         f"{(n + 1) * 1000}")
    path = folder / "purchases.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return profile_files([path]).to_json()


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return small_profile(tmp_path_factory.mktemp("charts"))


def parse(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def box(svg: str) -> tuple[float, float, float, float]:
    match = re.search(r'viewBox="([^"]+)"', svg)
    assert match is not None
    x0, y0, width, height = map(float, match.group(1).split())
    return x0, y0, x0 + width, y0 + height


def marks_inside(svg: str) -> list[str]:
    """Every coordinate of a shape or text outside the viewBox (texts at their anchor
    widened by a generous width per character)."""
    left, top, right, bottom = box(svg)
    outside = []
    for element in parse(svg).iter():
        tag = element.tag.removeprefix(SVG)
        a = element.attrib
        if tag == "rect":
            xs = [float(a["x"]), float(a["x"]) + float(a["width"])]
            ys = [float(a["y"]), float(a["y"]) + float(a["height"])]
        elif tag == "line":
            xs, ys = [float(a["x1"]), float(a["x2"])], [float(a["y1"]), float(a["y2"])]
        elif tag == "polygon":
            pairs = [p.split(",") for p in a["points"].split()]
            xs, ys = [float(p[0]) for p in pairs], [float(p[1]) for p in pairs]
        elif tag == "text":
            x, y = float(a["x"]), float(a["y"])
            extent = len(element.text or "") * float(a["font-size"]) * 0.6
            anchor = a["text-anchor"]
            xs = [x - extent if anchor == "end" else x - extent / 2 if anchor == "middle"
                  else x, x + extent if anchor == "start" else x + extent / 2
                  if anchor == "middle" else x]
            ys = [y - float(a["font-size"]), y]
        else:
            continue
        if min(xs) < left - 0.01 or max(xs) > right + 0.01 or min(ys) < top - 0.01 \
                or max(ys) > bottom + 0.01:
            outside.append(f"{tag} {a}")
    return outside


def texts(svg: str, cls: str) -> list[str]:
    return [t.text or "" for t in parse(svg).iter(f"{SVG}text") if t.get("class") == cls]


def groups(svg: str, cls: str) -> list[ElementTree.Element]:
    return [g for g in parse(svg).iter(f"{SVG}g") if g.get("class") == cls]


# --- the pyramid ---------------------------------------------------------------------------


def test_the_pyramid_has_a_band_per_tier_with_its_customers_and_share(
        result: dict[str, Any]) -> None:
    svg = customer_pyramid_svg(result, "en", title="Pyramid <&>")
    tiers = {t["tier"]: t for t in result["pyramid"]}
    rows = groups(svg, "tier")
    assert [g.get("data-tier") for g in rows] == ["top", "big", "medium", "small", "inactive"]
    assert texts(svg, "customers") == [str(tiers[t]["customers"]) for t in pyramid_rows(result)]
    assert texts(svg, "share") == [f"{round(tiers[t]['revenue_share'] * 100)}%"
                                   for t in pyramid_rows(result)]
    assert "Pyramid &lt;&amp;&gt;" in svg
    assert box(svg)[3] == PYRAMID_ROW * 5
    # the bands widen from the apex to the base; the inactive band is as wide as the base
    widths = []
    for group in rows[:4]:
        band = group.find(f"{SVG}polygon")
        assert band is not None
        xs = [float(p.split(",")[0]) for p in band.get("points", "").split()]
        widths.append(max(xs) - min(xs))
    assert widths == sorted(widths)
    inactive = rows[4].find(f"{SVG}rect")
    assert inactive is not None
    assert abs(float(inactive.get("width", 0)) - widths[-1]) < 0.5
    assert marks_inside(svg) == []


def test_the_pyramid_mirrors_in_persian_with_persian_digits(result: dict[str, Any]) -> None:
    ltr = customer_pyramid_svg(result, "en")
    rtl = customer_pyramid_svg(result, "fa")

    def xs(svg: str, cls: str) -> list[float]:
        return [float(t.get("x", 0)) for t in parse(svg).iter(f"{SVG}text")
                if t.get("class") == cls]

    for cls in ("customers", "share"):
        for a, b in zip(xs(ltr, cls), xs(rtl, cls), strict=True):
            assert abs(a + b - PYRAMID_WIDTH) < 0.1
    # the figures sit right of the pyramid in English, left of it in Persian
    assert min(xs(ltr, "customers")) > PYRAMID_WIDTH / 2 > max(xs(rtl, "customers"))
    assert foreign_in_persian(" ".join(texts(rtl, "customers") + texts(rtl, "share"))) == []
    assert "٪" in texts(rtl, "share")[0]
    assert marks_inside(rtl) == []


def test_the_pyramid_draws_names_only_when_given(result: dict[str, Any]) -> None:
    assert texts(customer_pyramid_svg(result, "en"), "label") == []
    names = {"top": "Top", "big": "Big", "medium": "Medium", "small": "Small",
             "inactive": "Inactive customers"}
    for lang in ("en", "fa"):
        svg = customer_pyramid_svg(result, lang, labels=names)
        assert texts(svg, "label") == list(names.values())
        assert marks_inside(svg) == []


# --- the RFM grid ---------------------------------------------------------------------------


def test_the_grid_has_every_cell_with_its_count_and_segment(result: dict[str, Any]) -> None:
    svg = rfm_grid_svg(result, "en")
    grid = result["rfm"]["grid"]
    cells = groups(svg, "cell")
    assert len(cells) == 25
    for cell in cells:
        r, f = int(cell.get("data-r", 0)), int(cell.get("data-f", 0))
        assert cell.get("data-segment") == segment_of(r, f)
        count = [t.text for t in cell.iter(f"{SVG}text") if t.get("class") == "count"]
        assert count == [str(grid[r - 1][f - 1])]
    assert sum(int(t) for t in texts(svg, "count")) == result["rfm"]["customers"]
    # each segment's number once, in the corner of one of its cells
    keyed = {cell.get("data-segment"): t.text for cell in cells for t in cell.iter(f"{SVG}text")
             if t.get("class") == "key"}
    assert keyed == {s: str(n) for n, s in enumerate(SEGMENTS, start=1)}
    # darker cells hold more customers
    shade = {(int(c.get("data-r", 0)), int(c.get("data-f", 0))):
             float(c.find(f"{SVG}rect").get("fill-opacity", 0))  # type: ignore[union-attr]
             for c in cells}
    ranked = sorted(shade, key=lambda rf: grid[rf[0] - 1][rf[1] - 1])
    assert [shade[rf] for rf in ranked] == sorted(shade.values())
    assert marks_inside(svg) == []


def test_the_grid_puts_recent_buyers_on_top_and_mirrors_frequency_in_persian(
        result: dict[str, Any]) -> None:
    def place(svg: str) -> dict[tuple[int, int], tuple[float, float]]:
        found = {}
        for cell in groups(svg, "cell"):
            rect = cell.find(f"{SVG}rect")
            assert rect is not None
            found[int(cell.get("data-r", 0)), int(cell.get("data-f", 0))] = (
                float(rect.get("x", 0)), float(rect.get("y", 0)))
        return found

    ltr, rtl = place(rfm_grid_svg(result, "en")), place(rfm_grid_svg(result, "fa"))
    assert ltr[5, 1][1] < ltr[1, 1][1]  # R 5 at the top
    assert ltr[3, 1][0] < ltr[3, 5][0]  # F 1 on the left in English
    assert rtl[3, 1][0] > rtl[3, 5][0]  # and on the right in Persian
    assert all(ltr[key][1] == rtl[key][1] for key in ltr)
    svg = rfm_grid_svg(result, "fa")
    assert texts(svg, "f-axis") == list("۱۲۳۴۵")
    assert foreign_in_persian(" ".join(texts(svg, "count") + texts(svg, "key"))) == []
    assert marks_inside(svg) == []


def test_segment_outlines_separate_two_segments_only(result: dict[str, Any]) -> None:
    """An outline runs between champions (R 4, F 4) and loyal (R 3, F 4), none between
    the two champions' cells R 5, F 4 and R 5, F 5."""
    svg = rfm_grid_svg(result, "en")
    lines = [(float(e.get("x1", 0)), float(e.get("y1", 0)), float(e.get("x2", 0)),
              float(e.get("y2", 0))) for e in parse(svg).iter(f"{SVG}line")
             if e.get("class") == "outline"]
    cells = {(int(c.get("data-r", 0)), int(c.get("data-f", 0))): c.find(f"{SVG}rect")
             for c in groups(svg, "cell")}

    def edge(rect: Any, side: str) -> float:
        return float(rect.get("x")) + (float(rect.get("width")) if side == "right" else 0) \
            if side in ("left", "right") else float(rect.get("y")) + float(rect.get("height"))

    below = edge(cells[4, 4], "bottom")
    assert any(y1 == y2 == below for _x1, y1, _x2, y2 in lines)
    between = edge(cells[5, 4], "right")
    assert not any(x1 == x2 == between and y1 < float(cells[5, 4].get("y")) + 1  # type: ignore[union-attr]
                   for x1, y1, x2, _y2 in lines)


# --- completeness ----------------------------------------------------------------------------


def test_completeness_has_a_row_per_identifying_field_with_both_shares(
        result: dict[str, Any]) -> None:
    svg = completeness_svg(result, "en", width_mm=120)
    fields = result["quality"]["fields"]
    assert completeness_rows(result) == ["name", "mobile", "email"]
    assert [g.get("data-field") for g in groups(svg, "field")] == completeness_rows(result)
    assert texts(svg, "filled-share") == [f"{round(fields[f]['filled'] * 100)}%"
                                          for f in completeness_rows(result)]
    assert texts(svg, "valid-share") == [f"{round(fields[f]['valid'] * 100)}%"
                                         for f in completeness_rows(result)]
    assert 'width="120mm"' in svg
    for group in groups(svg, "field"):
        bars = {r.get("class"): r for r in group.iter(f"{SVG}rect")}
        # valid never longer than filled; both start at the same, reading, side
        assert float(bars["valid"].get("width", 0)) <= float(bars["filled"].get("width", 0))
        assert bars["valid"].get("x") == bars["filled"].get("x")
    email = {r.get("class"): float(r.get("width", 0)) for r in groups(svg, "field")[2].iter(
        f"{SVG}rect")}
    assert email["valid"] < email["filled"]  # a third of the e-mails are not addresses
    assert marks_inside(svg) == []


def test_completeness_bars_grow_from_the_right_in_persian(result: dict[str, Any]) -> None:
    ltr, rtl = completeness_svg(result, "en"), completeness_svg(result, "fa")
    for a, b in zip(groups(ltr, "field"), groups(rtl, "field"), strict=True):
        left = next(r for r in a.iter(f"{SVG}rect") if r.get("class") == "valid")
        right = next(r for r in b.iter(f"{SVG}rect") if r.get("class") == "valid")
        assert abs(float(left.get("x", 0)) + float(left.get("width", 0)) + float(
            right.get("x", 0)) - 600) < 0.2
    assert foreign_in_persian(" ".join(texts(rtl, "filled-share") + texts(rtl, "valid-share"))) \
        == []
    assert marks_inside(rtl) == []
    named = completeness_svg(result, "fa", labels={"name": "نام", "mobile": "موبایل",
                                                   "email": "ایمیل"})
    assert texts(named, "label") == ["نام", "موبایل", "ایمیل"]
    assert marks_inside(named) == []
