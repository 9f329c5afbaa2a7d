"""Identification (Peppers and Rogers' first step): who the customers are and how well the
file knows them.

A customer record is one distinct customer: the value of the customer column (trimmed,
digits and letters unified). A list without that column and without dates has a record
on each row. In a transactions file without it, a row's customer is the first of a valid
national id, a valid mobile number, a valid e-mail address or a name that the row carries
(a row with none of them is a record of its own). Its identifying fields are the first filled value
each has among its rows.

For each identifying field: `filled`, the share of records that have a value, and
`valid`, the share that have a valid one (so valid <= filled); names and cities are valid
when filled. For the fields of a purchase (customer, date, amount, product) the same
shares are over the rows of the files that have that column.

Likely duplicates: records whose normalised name and mobile are both equal, or whose
e-mail is, or whose national id is. Groups are joined transitively (A shares a mobile and
name with B, B an e-mail with C: one group), found in the engine by propagating the
smallest record number along shared keys until nothing changes. `duplicates` counts the
records beyond the first of each group; `records_involved` counts every record in a group
of two or more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import polars as pl

from . import normalise as norm

Frame = TypeVar("Frame", pl.DataFrame, pl.LazyFrame)
#: label propagation stops here even if some very long chain is still joining
MAX_ROUNDS = 30


@dataclass
class Duplicates:
    duplicates: int
    groups: int
    records_involved: int


def identity_keys(frame: Frame) -> Frame:
    """Add the normalised keys of the identifying fields present in `frame`."""
    columns = set(frame.collect_schema().names())
    keys = []
    if "name" in columns:
        keys.append(norm.name_key(pl.col("name")).alias("name_key"))
    if "mobile" in columns:
        keys.append(norm.mobile_key(pl.col("mobile")).alias("mobile_key"))
    if "email" in columns:
        keys.append(norm.email_key(pl.col("email")).alias("email_key"))
    if "national_id" in columns:
        keys.append(norm.national_id_key(pl.col("national_id")).alias("national_id_key"))
    return frame.with_columns(keys) if keys else frame


def fallback_key(frame: pl.DataFrame, offset: int = 0) -> pl.Expr:
    """The record key of a row that has no customer id (see the module's docstring)."""
    parts = []
    for column, prefix in (("national_id_key", "n:"), ("mobile_key", "m:"),
                           ("email_key", "e:"), ("name_key", "p:")):
        if column in frame.columns:
            parts.append(pl.lit(prefix) + pl.col(column))
    parts.append(pl.lit("r:") + (pl.int_range(pl.len()) + offset).cast(pl.String))
    return pl.coalesce(parts)


def field_quality(customers: pl.DataFrame, roles: set[str]) -> dict[str, dict[str, float]]:
    """Filled and valid shares of each identifying field mapped, over customer records."""
    total = customers.height
    out: dict[str, dict[str, float]] = {}
    checks: dict[str, pl.Expr] = {
        "name": pl.col("name_key").is_not_null() if "name_key" in customers.columns
        else pl.lit(value=False),
        "mobile": pl.col("mobile_key").is_not_null() if "mobile_key" in customers.columns
        else pl.lit(value=False),
        "email": pl.col("email_key").is_not_null() if "email_key" in customers.columns
        else pl.lit(value=False),
        "national_id": pl.col("national_id_key").is_not_null()
        if "national_id_key" in customers.columns else pl.lit(value=False),
    }
    if "phone" in customers.columns:
        checks["phone"] = norm.phone_valid(pl.col("phone")).fill_null(value=False)
    if "city" in customers.columns:
        checks["city"] = pl.col("city").is_not_null()
    wanted = [role for role in ("name", "mobile", "phone", "email", "national_id", "city")
              if role in roles and role in customers.columns]
    if not wanted or not total:
        return {role: {"filled": 0.0, "valid": 0.0} for role in wanted}
    counts = customers.select(
        [pl.col(role).is_not_null().sum().alias(f"{role}.filled") for role in wanted]
        + [checks[role].sum().alias(f"{role}.valid") for role in wanted]
    ).row(0, named=True)
    for role in wanted:
        out[role] = {"filled": counts[f"{role}.filled"] / total,
                     "valid": counts[f"{role}.valid"] / total}
    return out


def reachable_share(customers: pl.DataFrame) -> float:
    """The share of records with at least one valid way to reach them: a mobile, a phone
    or an e-mail address."""
    if not customers.height:
        return 0.0
    ways = [pl.col(c).is_not_null() for c in ("mobile_key", "email_key")
            if c in customers.columns]
    if "phone" in customers.columns:
        ways.append(norm.phone_valid(pl.col("phone")).fill_null(value=False))
    if not ways:
        return 0.0
    reached: int = customers.select(pl.any_horizontal(ways).sum()).item()
    return reached / customers.height


def duplicates(customers: pl.DataFrame) -> Duplicates:
    """Likely duplicate records among `customers` (one row per record, with keys)."""
    keys = []
    if {"name_key", "mobile_key"} <= set(customers.columns):
        keys.append(pl.when(pl.col("name_key").is_not_null())
                    .then(pl.col("name_key") + pl.lit("|") + pl.col("mobile_key"))
                    .alias("k_contact"))
    if "email_key" in customers.columns:
        keys.append(pl.col("email_key").alias("k_email"))
    if "national_id_key" in customers.columns:
        keys.append(pl.col("national_id_key").alias("k_nid"))
    if not keys or customers.height < 2:
        return Duplicates(0, 0, 0)
    records = customers.select(keys).with_row_index("record").with_columns(
        pl.col("record").alias("label"))
    names = [key.meta.output_name() for key in keys]
    for _ in range(MAX_ROUNDS):
        before = records["label"]
        for name in names:
            smallest = pl.col("label").min().over(name)
            records = records.with_columns(
                pl.when(pl.col(name).is_not_null())
                .then(pl.min_horizontal("label", smallest))
                .otherwise(pl.col("label")).alias("label"))
        if records["label"].equals(before):
            break
    sizes = records.group_by("label").len()
    shared = sizes.filter(pl.col("len") > 1)
    involved = int(shared["len"].sum()) if shared.height else 0
    return Duplicates(duplicates=involved - shared.height, groups=shared.height,
                      records_involved=involved)
