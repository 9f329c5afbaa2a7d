"""RFM: recency, frequency and monetary value of every customer with a purchase up to the
as-of date, each scored 1-5 by quintiles, and the nine segments by R and F.

R comes from the days between the last purchase and the as-of date (fewer is better), F
from the number of purchases (rows), M from revenue (the sum of amounts; without
amounts, M is not scored). For each measure the n customers are ranked best first, ties
broken by customer id (as text, smaller first); the customer at position p (0 for the
best) scores 5 - floor(5p / n). So with ten customers the best two score 5, the next two
4, and so on; recent buyers get R 5.

Segments (every R, F pair falls in exactly one):
champions R>=4 and F>=4; loyal R>=3 and F>=3, not champions; new R=5 and F=1; promising
R>=4 and F<=2, not new; needs attention R=3 and F<=2; cannot lose R=1 and F=5; at risk
R<=2 and F>=3, not cannot lose; hibernating R=2 and F<=2; lost R=1 and F<=2.
Customers at risk of leaving are those at risk and those the business cannot lose.
Revenue shares are of all revenue up to the as-of date (of all purchases without amounts).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import polars as pl

SEGMENTS = ("champions", "loyal", "new", "promising", "needs_attention", "cannot_lose",
            "at_risk", "hibernating", "lost")
LEAVING = ("at_risk", "cannot_lose")


def segment_of(r: int, f: int) -> str:
    """The segment of an R, F pair (the rules in the module's docstring)."""
    if r >= 4 and f >= 4:
        return "champions"
    if r >= 3 and f >= 3:
        return "loyal"
    if r == 5 and f == 1:
        return "new"
    if r >= 4:
        return "promising"
    if r == 3:
        return "needs_attention"
    if r == 1 and f == 5:
        return "cannot_lose"
    if f >= 3:
        return "at_risk"
    return "hibernating" if r == 2 else "lost"


def _segment_table() -> pl.DataFrame:
    pairs = [(r, f, segment_of(r, f)) for r in range(1, 6) for f in range(1, 6)]
    return pl.DataFrame(pairs, schema={"r": pl.Int8, "f": pl.Int8, "segment": pl.String},
                        orient="row")


@dataclass
class Segment:
    segment: str
    customers: int
    revenue_share: float


@dataclass
class Rfm:
    customers: int
    segments: list[Segment]
    at_risk_of_leaving: Segment
    #: customers by R (rows, 1-5) and F (columns, 1-5): grid[r - 1][f - 1]
    grid: list[list[int]] = field(default_factory=list)
    monetary_scored: bool = True

    def to_json(self) -> dict[str, object]:
        return {
            "customers": self.customers,
            "segments": [vars(s) for s in self.segments],
            "at_risk_of_leaving": {"customers": self.at_risk_of_leaving.customers,
                                   "revenue_share": self.at_risk_of_leaving.revenue_share},
            "grid": self.grid,
            "monetary_scored": self.monetary_scored,
        }


def quintile(measure: str, best_high: bool) -> pl.Expr:
    """Scores 1-5 by position among customers ranked best first, ties by customer id.

    The measure's dense rank (1 for the best value) and the customer's `order` make one
    integer, rank * (n + 1) + order, so a single sort ranks by both."""
    value = pl.col(measure).rank("dense", descending=best_high).cast(pl.Int64)
    combined = value * (pl.len().cast(pl.Int64) + 1) + pl.col("order").cast(pl.Int64)
    position = combined.rank("ordinal").cast(pl.Int64) - 1  # 0 for the best
    return (5 - (position * 5) // pl.len().cast(pl.Int64)).cast(pl.Int8)


def rfm(purchases: pl.DataFrame, ids: pl.DataFrame, as_of: date, with_amounts: bool) -> Rfm:
    """RFM over purchases (`cid`, `day`, `amount`) on or before `as_of`; `ids` gives each
    `cid` its `order` among the customer ids as text, for ties."""
    upto = purchases.filter(pl.col("day") <= as_of)
    per = upto.group_by("cid").agg(
        (pl.lit(as_of) - pl.col("day").max()).dt.total_days().alias("days"),
        pl.len().alias("purchases"),
        (pl.col("amount").fill_null(0.0).sum() if with_amounts
         else pl.len().cast(pl.Float64)).alias("revenue"),
    )
    per = per.join(ids, on="cid", how="left").with_columns(
        quintile("days", best_high=False).alias("r"),
        quintile("purchases", best_high=True).alias("f"),
        quintile("revenue", best_high=True).alias("m"),
    ).join(_segment_table(), on=["r", "f"], how="left")
    total = float(per["revenue"].sum()) if per.height else 0.0
    by_segment = {row["segment"]: row for row in per.group_by("segment").agg(
        pl.len().alias("customers"), pl.col("revenue").sum().alias("revenue")).to_dicts()}

    def segment(name: str, names: tuple[str, ...]) -> Segment:
        count = sum(by_segment[n]["customers"] for n in names if n in by_segment)
        revenue = sum(by_segment[n]["revenue"] for n in names if n in by_segment)
        return Segment(name, count, revenue / total if total > 0 else 0.0)

    grid = [[0] * 5 for _ in range(5)]
    for row in per.group_by("r", "f").len().iter_rows(named=True):
        grid[row["r"] - 1][row["f"] - 1] = row["len"]
    return Rfm(
        customers=per.height,
        segments=[segment(name, (name,)) for name in SEGMENTS],
        at_risk_of_leaving=segment("at_risk_of_leaving", LEAVING),
        grid=grid,
        monetary_scored=with_amounts,
    )
