"""The benchmark's comparison: the same profile as `crm-maturity data profile` computed
with plain pandas (row-wise string methods, one Python conversion per distinct date),
for bench_profile.py to time in its own process. Prints the figures it compares as JSON.

Covers what the benchmark's file holds (customer id, name, mobile, date, amount):
record keys, dates, amounts, duplicates by name and mobile, the pyramid and the RFM
segments, by the rules in assessment/customerdata.
"""

from __future__ import annotations

import json
import math
import re
import sys
from datetime import date

import jdatetime
import pandas as pd

DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ة": "ه"})
DATE = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
SEGMENTS = ("champions", "loyal", "new", "promising", "needs_attention", "cannot_lose",
            "at_risk", "hibernating", "lost")


def parse(text: str) -> date | None:
    head = text.translate(DIGITS).strip().split(" ")[0].split("T")[0]
    found = DATE.match(head)
    if not found:
        return None
    year, month, day = (int(p) for p in found.groups())
    try:
        if 1300 <= year < 1500:
            return jdatetime.date(year, month, day).togregorian()  # type: ignore[no-any-return]
        if 1900 <= year < 2200:
            return date(year, month, day)
    except ValueError:
        return None
    return None


def months_before(day: date, months: int) -> date:
    import calendar

    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def scores(frame: pd.DataFrame, column: str, best_high: bool) -> pd.Series:
    ordered = frame.sort_values([column, "key"], ascending=[not best_high, True])
    position = pd.Series(range(len(ordered)), index=ordered.index)
    return (5 - position * 5 // len(ordered)).reindex(frame.index)


def segment(r: int, f: int) -> str:
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


def main(path: str) -> None:
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows.columns = ["customer", "name", "mobile", "date", "amount", "product"]
    rows["key"] = rows["customer"].str.strip().str.translate(DIGITS).str.lower()
    texts = rows["date"].str.strip()
    rows["day"] = pd.to_datetime(texts.map({t: parse(t) for t in texts.unique()}))
    amount = rows["amount"].str.translate(DIGITS).str.replace(
        r"(?i)ریال|ريال|تومان|rials?|irr", "", regex=True).str.replace("٫", ".")
    rows["value"] = pd.to_numeric(amount.str.replace(r"[^0-9.\-]", "", regex=True),
                                  errors="coerce")

    customers = rows.groupby("key").agg(name=("name", "first"), mobile=("mobile", "first"))
    name = customers["name"].str.translate(DIGITS).str.translate(LETTERS).str.lower()
    name = name.str.replace(r"[\s\u200c]+", "", regex=True)
    number = customers["mobile"].str.translate(DIGITS).str.replace(r"[^0-9]", "", regex=True)
    number = number.where(~number.str.startswith("0098"), number.str[4:])
    number = number.where(~(number.str.startswith("98") & (number.str.len() == 12)),
                          number.str[2:])
    number = number.where(~number.str.startswith("0"), number.str[1:])
    mobile = number.where(number.str.fullmatch(r"9[0-9]{9}"))
    contact = (name.where(name != "") + "|" + mobile).reset_index(drop=True)
    label = pd.Series(range(len(contact)))
    while True:
        smallest = label.groupby(contact).transform("min")
        new = smallest.where(contact.notna(), label).combine(label, min)
        if new.equals(label):
            break
        label = new
    sizes = label.value_counts()
    shared = sizes[sizes > 1]
    duplicates = int(shared.sum() - len(shared))

    as_of = rows["day"].max()
    start = pd.Timestamp(months_before(as_of.date(), 12))
    window = rows[(rows["day"] > start) & (rows["day"] <= as_of)]
    active = window.groupby("key")["value"].sum().reset_index()
    active = active.sort_values(["value", "key"], ascending=[False, True])
    n = len(active)
    top = max(1, math.floor(n * 0.01 + 0.5))
    big = max(top, math.floor(n * 0.05 + 0.5))
    medium = max(big, math.floor(n * 0.20 + 0.5))
    before = set(rows.loc[rows["day"] <= start, "key"]) - set(active["key"])
    tiers = [top, big - top, medium - big, n - medium, len(before)]

    upto = rows[rows["day"] <= as_of]
    per = upto.groupby("key").agg(last=("day", "max"), purchases=("day", "size"),
                                  revenue=("value", "sum")).reset_index()
    per["days"] = (as_of - per["last"]).dt.days
    per["r"] = scores(per, "days", best_high=False)
    per["f"] = scores(per, "purchases", best_high=True)
    per["segment"] = [segment(r, f) for r, f in zip(per["r"], per["f"], strict=True)]
    counts = per["segment"].value_counts()
    print(json.dumps({
        "rows": len(rows), "customers": len(customers),
        "pyramid": [{"customers": int(c)} for c in tiers],
        "rfm": {"segments": [{"customers": int(counts.get(s, 0))} for s in SEGMENTS]},
        "quality": {"duplicates": duplicates},
    }))


if __name__ == "__main__":
    main(sys.argv[1])
