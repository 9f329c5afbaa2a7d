"""Curry's customer pyramid over the window before the as-of date.

Active customers bought in the window: the `window_months` calendar months up to and
including the as-of date (a purchase on the same day `window_months` months earlier is
just outside it). They are ranked by the ranking factor in the window, highest first,
ties broken by customer id (as text, smaller first). With n active customers the tier
boundaries are at 1%, 5% and 20% of n, each rounded to the nearest whole customer (a
half rounds up), the first at least 1: `top` holds ranks 1..b1, `big` up to b5, `medium`
up to b20 and `small` the rest. `inactive` customers bought before the window and nothing
in it; their share of the window's factor is 0.

The ranking factor is revenue (the sum of amounts) when the files have amounts; without
them, the number of purchases (rows), or the number of distinct products held when asked.
Each tier's `revenue_share` is its share of the window's total factor (0 when that is 0).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import asdict, dataclass
from datetime import date

import polars as pl

TIERS = ("top", "big", "medium", "small", "inactive")
RANKING_FACTORS = ("revenue", "purchases", "products")


@dataclass
class Tier:
    tier: str
    customers: int
    revenue_share: float

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def months_before(day: date, months: int) -> date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def half_up(value: float) -> int:
    return math.floor(value + 0.5)


def boundaries(active: int) -> tuple[int, int, int]:
    """The last rank of the top, big and medium tiers among `active` customers."""
    if active == 0:
        return 0, 0, 0
    top = max(1, half_up(active * 0.01))
    big = max(top, half_up(active * 0.05))
    medium = max(big, half_up(active * 0.20))
    return top, big, medium


def factor_expression(ranking: str) -> pl.Expr:
    if ranking == "revenue":
        return pl.col("amount").fill_null(0.0).sum()
    if ranking == "products":
        return pl.col("product").drop_nulls().n_unique().cast(pl.Float64)
    return pl.len().cast(pl.Float64)


def pyramid(purchases: pl.DataFrame, ids: pl.DataFrame, as_of: date, window_months: int,
            ranking: str = "revenue") -> list[Tier]:
    """The five tiers, in order, from purchases (`cid`, `day`, `amount`, and `product`
    when ranking by products) and `ids` (`cid`, `order`: each customer's place in the
    order of customer ids as text, for ties); `cid` is a number for each customer."""
    start = months_before(as_of, window_months)
    window = purchases.filter((pl.col("day") > start) & (pl.col("day") <= as_of))
    active = (window.group_by("cid").agg(factor_expression(ranking).alias("factor"))
              .join(ids, on="cid", how="left")
              .sort(["factor", "order"], descending=[True, False]))
    before = purchases.filter(pl.col("day") <= start).select("cid").unique()
    inactive = before.join(active.select("cid"), on="cid", how="anti").height
    count = active.height
    top, big, medium = boundaries(count)
    factors = active["factor"]
    total = float(factors.sum()) if count else 0.0

    def share(first: int, last: int) -> float:
        if total <= 0 or last <= first:
            return 0.0
        return float(factors.slice(first, last - first).sum()) / total

    return [
        Tier("top", top, share(0, top)),
        Tier("big", big - top, share(top, big)),
        Tier("medium", medium - big, share(big, medium)),
        Tier("small", count - medium, share(medium, count)),
        Tier("inactive", inactive, 0.0),
    ]
