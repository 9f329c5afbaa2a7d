"""Turning what clients type into comparable values: Polars expressions, one per kind.

Every function here either returns a Polars expression over a column of text (so a million
rows are cleaned in the engine, not row by row in Python) or, for dates, converts each
distinct text once and lets the engine map it back onto the rows.

- digits: Persian (۰-۹) and Arabic-Indic (٠-٩) digits become 0-9;
- letters: Arabic ي/ى and ك become Persian ی and ک, ة becomes ه, tatweel is dropped;
- names: those, then lower case with every space and half-space (ZWNJ) removed, so
  «محمد‌رضا», «محمد رضا» and «محمدرضا» give one key;
- mobiles: +98 912..., 0098 912..., 98912..., 0912..., 912... (any digits, any spacing)
  all give 9121234567; valid when that is 9 followed by nine digits;
- e-mail: trimmed and lower case; valid when it is local@domain.tld without spaces;
- national id: digits only, 8 or 9 digits padded with leading zeros (a spreadsheet that
  stored it as a number dropped them), valid when its check digit is right and it is not
  one digit repeated;
- dates: Solar Hijri (1402/05/12, ۱۴۰۲-۰۵-۱۲) or Gregorian (2023-08-03, with or without a
  time after it), year first;
- amounts: «٫» as the decimal point, thousands separators (, ٬ ، ' and spaces) and
  currency words (ریال, تومان, rial, toman, IRR...) ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

import jdatetime
import polars as pl

_DIGITS_FROM = list("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩")
_DIGITS_TO = list("01234567890123456789")
_LETTERS_FROM = ["ي", "ى", "ك", "ة", "ـ", "\u064b", "\u064c", "\u064d", "\u064e", "\u064f",
                 "\u0650", "\u0651", "\u0652"]
_LETTERS_TO = ["ی", "ی", "ک", "ه", "", "", "", "", "", "", "", "", ""]
#: space-like characters: ZWNJ (the half-space), no-break and thin spaces, and the marks
#: that set direction, which spreadsheets leave in copied cells
_INVISIBLE = "\u200c\u200d\u200e\u200f\u00a0\u2009\u202f\ufeff"

#: digits only: an optional 0098, 98 or 0, then the ten national digits of a mobile
MOBILE_PATTERN = r"^(?:0098|98|0)?(9[0-9]{9})$"
PHONE_PATTERN = r"^(?:(?:0098|98|0)?[1-9][0-9]{9}|[1-9][0-9]{7})$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[a-z]{2,}$"


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    """Trimmed text, with empty cells as null."""
    text = expr.cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text).otherwise(None)


def latin_digits(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(_DIGITS_FROM, _DIGITS_TO)


def persian_letters(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_many(_LETTERS_FROM, _LETTERS_TO)


def identifier(expr: pl.Expr, ascii_only: bool = False) -> pl.Expr:
    """A customer id as a key: trimmed, Latin digits, the letters unified, lower case
    (`ascii_only`: the column has no other script, so there are no digits to convert)."""
    text = expr.cast(pl.String)
    if not ascii_only:
        text = persian_letters(latin_digits(text))
    return blank_to_null(text.str.to_lowercase())


def is_ascii(column: pl.Series) -> bool:
    return not column.str.contains(r"[^\x00-\x7f]").any()


def name_key(expr: pl.Expr) -> pl.Expr:
    """A name as a key: letters unified, lower case, without spaces or half-spaces."""
    text = persian_letters(latin_digits(expr)).str.to_lowercase()
    text = text.str.replace_all(f"[\\s{_INVISIBLE}]+", "")
    return pl.when(text.str.len_bytes() > 0).then(text)


def only_digits(expr: pl.Expr) -> pl.Expr:
    return latin_digits(expr).str.replace_all(r"[^0-9]", "")


def mobile_key(expr: pl.Expr) -> pl.Expr:
    """An Iranian mobile number as its ten national digits (9121234567), or null when the
    text is not one: 0098, 98 or 0 before 9 and nine more digits."""
    return only_digits(expr).str.extract(MOBILE_PATTERN, 1)


def phone_valid(expr: pl.Expr) -> pl.Expr:
    """A phone number that can be dialled in Iran: a local eight-digit number, or ten
    national digits (area code or mobile) after 0, 98 or 0098."""
    return only_digits(expr).str.contains(PHONE_PATTERN)


def email_key(expr: pl.Expr) -> pl.Expr:
    """An e-mail address as a key (lower case), or null when it is not one."""
    text = blank_to_null(expr).str.to_lowercase()
    return pl.when(text.str.contains(EMAIL_PATTERN)).then(text).otherwise(None)


def national_id_key(expr: pl.Expr) -> pl.Expr:
    """An Iranian national id as its ten digits (leading zeros kept or restored), or null
    when its check digit is wrong or it is one digit repeated."""
    number = only_digits(expr)
    ten = pl.when(number.str.len_chars().is_between(8, 10)).then(number.str.zfill(10))
    weighted = pl.sum_horizontal(
        [ten.str.slice(i, 1).cast(pl.Int32, strict=False) * (10 - i) for i in range(9)]
    )
    remainder = weighted % 11
    check = ten.str.slice(9, 1).cast(pl.Int32, strict=False)
    right = pl.when(remainder < 2).then(check == remainder).otherwise(check == 11 - remainder)
    repeated = ten.str.contains(r"^(0{10}|1{10}|2{10}|3{10}|4{10}|5{10}|6{10}|7{10}|8{10}|9{10})$")
    return pl.when(right & ~repeated).then(ten).otherwise(None)


_DATE_PARTS = re.compile(r"^(\d{4})[/\-.](\d{1,2})[/\-.](\d{1,2})$")
_LATIN = str.maketrans("".join(_DIGITS_FROM), "".join(_DIGITS_TO))


def parse_date(text: str) -> date | None:
    """One date as written in a file: year first, Solar Hijri (years 1300-1499) or
    Gregorian (1900-2199), with '/', '-' or '.' between the parts and an optional time
    after a space or 'T'. None when it is not a date."""
    head = text.translate(_LATIN).strip().split(" ")[0].split("T")[0]
    found = _DATE_PARTS.match(head)
    if not found:
        return None
    year, month, day = (int(part) for part in found.groups())
    try:
        if 1300 <= year < 1500:
            return jdatetime.date(year, month, day).togregorian()  # type: ignore[no-any-return]
        if 1900 <= year < 2200:
            return date(year, month, day)
    except ValueError:
        return None
    return None


def date_mapping(values: Iterable[str | None]) -> dict[str, date | None]:
    """Each distinct date text converted once."""
    return {value: parse_date(value) for value in values if value is not None}


def dates(column: pl.Series) -> pl.Series:
    """A column of date texts as dates (null where a cell is not a date), converting each
    distinct text once and mapping the results back in the engine."""
    text = column.cast(pl.String).str.strip_chars()
    distinct = text.unique().drop_nulls()
    iso = distinct.str.to_date("%Y-%m-%d", strict=False)
    lookup = pl.DataFrame({"text": distinct, "day": iso})
    # the common ISO form is read by the engine; every other distinct text once in Python
    others = lookup.filter(pl.col("day").is_null())["text"].to_list()
    if others:
        parsed = date_mapping(others)
        extra = pl.DataFrame({"text": list(parsed), "day": list(parsed.values())},
                             schema={"text": pl.String, "day": pl.Date})
        lookup = pl.concat([lookup.filter(pl.col("day").is_not_null()), extra])
    frame = pl.DataFrame({"text": text}).join(lookup, on="text", how="left",
                                              maintain_order="left")
    return frame["day"]


_CURRENCY = r"(?i)ریال|ريال|تومان|تومن|rials?|tomans?|irr|irt|rls?\.?"


def amounts(column: pl.Series) -> pl.Series:
    """Money in the file's own unit as floats, null where a cell holds no figure. Plain
    numbers are read by a cast; only the cells that are not are cleaned up."""
    text = column.cast(pl.String)
    plain = text.cast(pl.Float64, strict=False)
    plain = pl.select(pl.when(plain.is_finite()).then(plain)).to_series()  # not nan or inf
    odd = plain.is_null() & text.is_not_null()
    if not odd.any():
        return plain
    frame = pl.DataFrame({"text": text.filter(odd)})
    cleaned = frame.select(clean_amount(pl.col("text")))["text"]
    return plain.scatter(odd.arg_true(), cleaned)


def clean_amount(expr: pl.Expr) -> pl.Expr:
    text = latin_digits(expr).str.replace_all(_CURRENCY, "")
    text = text.str.replace_all("٫", ".").str.replace_all(r"[^0-9.\-]", "")
    # several dots can only be thousands separators (1.250.000)
    text = pl.when(text.str.count_matches(r"\.") > 1).then(
        text.str.replace_all(r"\.", "")).otherwise(text)
    return text.cast(pl.Float64, strict=False)
