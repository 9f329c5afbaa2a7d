"""The one entry point: files, a mapping, an as-of date and a window in; a profile out.

`profile_files` reads every file (reading.py), recognises its columns (columns.py), puts
the rows of all files in one table (a customer list and a transactions file are joined by
their customer column), and measures identification (identify.py), the pyramid
(pyramid.py), RFM (rfm.py) and the data level (score.py). The result holds aggregates
only - counts, shares, dates and the files' headers, never a value from a cell - and
`Profile.to_json()` is the form in which a profile is printed and stored.

Without a date column (a customer list alone) there are no purchases: `pyramid` and
`rfm` are null (None) and only identification is measured.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from ..errors import FieldError
from . import identify
from . import normalise as norm
from .columns import IDENTITY_ROLES, ROLES, ColumnMapping, recognise
from .pyramid import RANKING_FACTORS, Tier, months_before, pyramid
from .reading import read_table
from .rfm import Rfm, rfm
from .score import DataScore, measured_level

WINDOW_MONTHS = (6, 12)  # the least and most months of the pyramid's window
DEFAULT_WINDOW = 12
Progress = Callable[[float], None]


@dataclass
class FileSummary:
    rows: int
    mapping: ColumnMapping

    def to_json(self) -> dict[str, object]:
        return {"rows": self.rows, "mapping": self.mapping.to_json()}


@dataclass
class Profile:
    rows: int
    customers: int
    first_date: date | None
    last_date: date | None
    as_of: date | None
    window_months: int
    ranking: str | None
    pyramid: list[Tier] | None
    rfm: Rfm | None
    fields: dict[str, dict[str, float]]
    duplicates: identify.Duplicates
    reachable: float
    freshness: dict[str, Any]
    score: DataScore
    files: list[FileSummary] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def iso(day: date | None) -> str | None:
            return day.isoformat() if day else None

        return {
            "rows": self.rows,
            "customers": self.customers,
            "first_date": iso(self.first_date),
            "last_date": iso(self.last_date),
            "as_of": iso(self.as_of),
            "window_months": self.window_months,
            "ranking": self.ranking,
            "pyramid": [tier.to_json() for tier in self.pyramid]
            if self.pyramid is not None else None,
            "rfm": self.rfm.to_json() if self.rfm is not None else None,
            "quality": {
                "fields": self.fields,
                "duplicates": self.duplicates.duplicates,
                "duplicate_groups": self.duplicates.groups,
                "duplicate_records_involved": self.duplicates.records_involved,
                "reachable": self.reachable,
                "freshness": self.freshness,
            },
            "score": self.score.level,
            "score_detail": self.score.to_json(),
            "files": [summary.to_json() for summary in self.files],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


def check_options(mapping: dict[str, str], window_months: int,
                  ranking: str | None) -> None:
    unknown = sorted(set(mapping) - set(ROLES))
    if unknown:
        raise FieldError("map", f"unknown role {', '.join(unknown)}; the roles are "
                                f"{', '.join(ROLES)}")
    if not WINDOW_MONTHS[0] <= window_months <= WINDOW_MONTHS[1]:
        raise FieldError("window_months", f"the window is {WINDOW_MONTHS[0]} to "
                                          f"{WINDOW_MONTHS[1]} months")
    if ranking is not None and ranking not in RANKING_FACTORS:
        raise FieldError("ranking", f"rank by {', '.join(RANKING_FACTORS)}")


def _roles_frame(table: pl.DataFrame, mapping: ColumnMapping, source: int) -> pl.DataFrame:
    """The file's columns under their roles (empty cells are null already)."""
    columns = [pl.col(column).cast(pl.String).alias(role)
               for role, column in mapping.roles.items()]
    columns += [pl.lit(None, pl.String).alias(role) for role in ROLES
                if role not in mapping.roles]
    frame = table.select(columns).select(ROLES).with_columns(
        pl.lit(source, pl.Int32).alias("source"))
    if "customer" not in mapping.roles and "date" not in mapping.roles:
        # a list without ids: each row is a record of its own
        frame = frame.with_columns(
            (pl.lit(f"r{source}:") + pl.int_range(pl.len()).cast(pl.String)).alias("key"))
    return frame


def _keys(rows: pl.DataFrame) -> pl.DataFrame:
    """Each row's customer record key (identify.py's docstring says how), and `cid`, its
    64-bit hash, which the engine groups by faster than by text."""
    own = pl.col("key") if "key" in rows.columns else pl.lit(None, pl.String)
    key = norm.identifier(pl.col("customer"), ascii_only=norm.is_ascii(rows["customer"]))
    rows = rows.lazy().with_columns(pl.coalesce(key, own).alias("key")).collect()
    if rows["key"].null_count():
        named, anonymous = rows.filter(pl.col("key").is_not_null()), rows.filter(
            pl.col("key").is_null())
        anonymous = identify.identity_keys(anonymous)
        anonymous = anonymous.with_columns(identify.fallback_key(anonymous).alias("key"))
        rows = pl.concat([named, anonymous.select(named.columns)])
    return rows.with_columns(pl.col("key").hash(seed=20).alias("cid"))


def _row_fields(rows: pl.DataFrame, mapped: dict[str, set[int]]) -> dict[str, dict[str, float]]:
    """Filled and valid shares of the purchase fields over the rows of files that have them."""
    valid = {"customer": pl.col("customer").is_not_null(), "date": pl.col("day").is_not_null(),
             "amount": pl.col("value").is_not_null(), "product": pl.col("product").is_not_null()}
    out: dict[str, dict[str, float]] = {}
    for role, check in valid.items():
        sources = mapped.get(role)
        if not sources:
            continue
        counts = rows.filter(pl.col("source").is_in(list(sources))).select(
            pl.len().alias("rows"), pl.col(role).is_not_null().sum().alias("filled"),
            check.sum().alias("valid")).row(0, named=True)
        total = counts["rows"] or 1
        out[role] = {"filled": counts["filled"] / total, "valid": counts["valid"] / total}
    return out


def profile_files(paths: Sequence[Path], mapping: dict[str, str] | None = None,
                  as_of: date | None = None, window_months: int = DEFAULT_WINDOW,
                  ranking: str | None = None, progress: Progress | None = None) -> Profile:
    """Profile the customer data in `paths` (see the module's docstring).

    `mapping` (role -> column header) overrides the recognised columns in every file
    that has that header; `as_of` defaults to the last date in the files; `ranking` is
    revenue, purchases or products (by default revenue when there are amounts, else
    purchases). Raises reading.DataFileError for a file that cannot be read and
    errors.FieldError for an option that cannot be taken.
    """
    if not paths:
        raise FieldError("files", "no file to profile")
    mapping = dict(mapping or {})
    check_options(mapping, window_months, ranking)
    report = progress or (lambda _fraction: None)
    frames, summaries = [], []
    mapped: dict[str, set[int]] = {}
    for source, path in enumerate(paths):
        table = read_table(Path(path))
        columns = recognise(table.columns, mapping)
        for role in columns.roles:
            mapped.setdefault(role, set()).add(source)
        frames.append(_roles_frame(table, columns, source))
        summaries.append(FileSummary(table.height, columns))
        report(0.4 * (source + 1) / len(paths))
    missing = [f"{role}={column}" for role, column in mapping.items()
               if all(summary.mapping.roles.get(role) != column for summary in summaries)]
    if missing:
        raise FieldError("map", f"no file has the column of {', '.join(missing)}")
    rows = _keys(pl.concat(frames, how="diagonal"))
    rows = rows.with_columns(norm.amounts(rows["amount"]).alias("value"),
                             norm.dates(rows["date"]).alias("day"))
    report(0.6)

    identity = [role for role in IDENTITY_ROLES if role in mapped]
    grouped = rows.lazy().group_by("cid").agg(
        [pl.col("key").first()]
        + [pl.col(role).drop_nulls().first() for role in identity]
        + [pl.col("day").max().alias("last_day")]
    ).with_columns([norm.blank_to_null(pl.col(role)).alias(role) for role in identity])
    customers = identify.identity_keys(grouped).collect()
    fields = {**_row_fields(rows, mapped), **identify.field_quality(customers, set(mapped))}
    fields = {role: fields[role] for role in ROLES if role in fields}
    dupes = identify.duplicates(customers)
    reach = identify.reachable_share(customers)
    report(0.75)

    first_date, last_date = rows["day"].min(), rows["day"].max()
    as_of = as_of or last_date  # type: ignore[assignment]
    has_amounts = "amount" in mapped and rows["value"].null_count() < rows.height
    chosen = ranking or ("revenue" if has_amounts else "purchases")
    if chosen == "revenue" and not has_amounts:
        raise FieldError("ranking", "the files have no amounts to rank by revenue")
    if chosen == "products" and "product" not in mapped:
        raise FieldError("ranking", "the files have no product column")
    tiers: list[Tier] | None = None
    segments: Rfm | None = None
    freshness: dict[str, Any] = {"with_activity": 0.0, "active_in_window": None,
                                 "median_days_since_last": None}
    if isinstance(as_of, date) and isinstance(last_date, date):
        purchases = rows.filter(pl.col("day").is_not_null()).select(
            "cid", "day", pl.col("value").alias("amount"),
            *(["product"] if chosen == "products" else []))
        # ties go by customer id as text: its place in that order, sorted once
        ids = customers.select("cid", pl.col("key").rank("ordinal").alias("order"))
        tiers = pyramid(purchases, ids, as_of, window_months, chosen)
        segments = rfm(purchases, ids, as_of, with_amounts=has_amounts)
        freshness = _freshness(customers, as_of, window_months)
    report(0.95)
    score = measured_level(reach, _validity(fields), dupes.duplicates / max(1, customers.height),
                           freshness["active_in_window"])
    return Profile(
        rows=rows.height, customers=customers.height,
        first_date=first_date if isinstance(first_date, date) else None,
        last_date=last_date if isinstance(last_date, date) else None,
        as_of=as_of if isinstance(as_of, date) else None, window_months=window_months,
        ranking=chosen if tiers is not None else None, pyramid=tiers, rfm=segments,
        fields=fields, duplicates=dupes, reachable=reach, freshness=freshness, score=score,
        files=summaries,
    )


def _freshness(customers: pl.DataFrame, as_of: date, window_months: int) -> dict[str, Any]:
    start = months_before(as_of, window_months)
    total = customers.height or 1
    figures = customers.select(
        pl.col("last_day").is_not_null().sum().alias("with_activity"),
        ((pl.col("last_day") > start) & (pl.col("last_day") <= as_of)).sum().alias("active"),
        (pl.lit(as_of) - pl.col("last_day")).dt.total_days().median().alias("median"),
    ).row(0, named=True)
    median = figures["median"]
    return {"with_activity": figures["with_activity"] / total,
            "active_in_window": figures["active"] / total,
            "median_days_since_last": round(median) if median is not None else None}


def _validity(fields: dict[str, dict[str, float]]) -> float | None:
    """The mean share of filled values that are valid, over the checked contact fields."""
    shares = [values["valid"] / values["filled"] for role, values in fields.items()
              if role in ("mobile", "phone", "email", "national_id") and values["filled"]]
    return sum(shares) / len(shares) if shares else None
