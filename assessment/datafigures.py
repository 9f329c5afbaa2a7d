"""A customer-data profile's figures as pages and the report show them: the names of its
tiers, segments and fields in the request's language, and its three charts.

`figures(result, lang)` is a template global (web.py), so any page given a stored
profile's `result` can draw them (templates/customerdata/_figures.html). On a screen the
charts carry their own names; on paper (`width_mm`) they carry numbers only and the
names go beside them in HTML, each row `row_mm` high (WeasyPrint reverses Persian words
inside SVG).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext as _

from . import charts, i18n


def tier_names(lang: str) -> dict[str, str]:
    """The pyramid's tiers, with their shares of the active customers."""
    def share(value: float) -> str:
        return i18n.percent(value, lang)

    return {"top": _("Top customers (the first %(share)s)", share=share(0.01)),
            "big": _("Big (the next %(share)s)", share=share(0.04)),
            "medium": _("Medium (the next %(share)s)", share=share(0.15)),
            "small": _("Small (the remaining %(share)s)", share=share(0.80)),
            "inactive": _("Inactive (nothing bought in the window)")}


def segment_names() -> dict[str, str]:
    """The nine RFM segments, in the engine's order."""
    names = {"champions": _("Champions"), "loyal": _("Loyal"), "new": _("New customers"),
             "promising": _("Promising"), "needs_attention": _("Needs attention"),
             "cannot_lose": _("Cannot lose them"), "at_risk": _("At risk"),
             "hibernating": _("Hibernating"), "lost": _("Lost")}
    return {segment: names[segment] for segment in charts.rfm_segments()}


def field_names() -> dict[str, str]:
    """The roles a file's columns can play (customerdata.columns.ROLES)."""
    return {"customer": _("Customer id"), "name": _("Name"), "mobile": _("Mobile"),
            "phone": _("Phone"), "email": _("E-mail"), "national_id": _("National id"),
            "city": _("City or address"), "date": _("Date"), "amount": _("Amount"),
            "product": _("Product")}


def ranking_name(ranking: str | None) -> str:
    """What the pyramid ranks customers by."""
    names: dict[str, str] = {"revenue": _("revenue"), "purchases": _("number of purchases"),
                             "products": _("products held")}
    return names.get(ranking or "", "")


@dataclass(frozen=True)
class ChartRows:
    """A chart and the names of its rows, top to bottom."""

    svg: str
    names: list[str]
    row_mm: float = 0.0  #: on paper, the height of a row


@dataclass(frozen=True)
class Figures:
    """A profile's charts and names (`pyramid` and `grid` None without dates)."""

    completeness: ChartRows
    pyramid: ChartRows | None
    grid: str | None
    #: the segment numbers in the grid, each with its name and figures
    segments: list[tuple[int, str, Mapping[str, Any]]] = field(default_factory=list)
    as_of: date | None = None
    ranking: str = ""  #: what the pyramid ranks by, in words


def figures(result: Mapping[str, Any], lang: str, width_mm: float | None = None,
            grid_mm: float | None = None) -> Figures:
    """The charts of `result` (a stored profile) in `lang`; on paper when `width_mm`
    (the pyramid's and the bars' width; the grid's is `grid_mm`) is given."""
    on_paper = width_mm is not None
    fields = field_names()
    rows = charts.completeness_rows(result)
    completeness = ChartRows(
        charts.completeness_svg(result, lang, title=_("Identifying fields: filled and valid"),
                                labels=None if on_paper else fields, width_mm=width_mm),
        [fields[name] for name in rows],
        (width_mm or 0) * charts.COMPLETENESS_ROW / charts.COMPLETENESS_WIDTH)
    pyramid = None
    if result.get("pyramid"):
        tiers = tier_names(lang)
        pyramid = ChartRows(
            charts.customer_pyramid_svg(result, lang, title=_("Customer pyramid"),
                                        labels=None if on_paper else tiers,
                                        width_mm=width_mm),
            [tiers[tier] for tier in charts.pyramid_rows(result)],
            (width_mm or 0) * charts.PYRAMID_ROW / charts.PYRAMID_WIDTH)
    grid = None
    segments = []
    if result.get("rfm"):
        grid = charts.rfm_grid_svg(result, lang, title=_("Customers by recency and frequency"),
                                   width_mm=grid_mm)
        names = segment_names()
        segments = [(n, names[s["segment"]], s)
                    for n, s in enumerate(result["rfm"]["segments"], start=1)]
    as_of = date.fromisoformat(result["as_of"]) if result.get("as_of") else None
    return Figures(completeness, pyramid, grid, segments, as_of,
                   ranking_name(result.get("ranking")))


def limit_names() -> dict[str, str]:
    """What can keep the measured data level from being one higher (customerdata/score.py)."""
    return {"reach": _("customers that can be reached"), "validity": _("valid values"),
            "duplicates": _("duplicate records"), "freshness": _("recent activity")}


def unit_name(unit: str) -> str:
    """The files' money unit as the consultant labelled it."""
    names: dict[str, str] = {"rial": _("rial"), "toman": _("toman")}
    return names.get(unit, "")
