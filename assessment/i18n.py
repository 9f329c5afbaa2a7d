"""Languages: direction, and the one place numbers, dates and lists are written for people.

Every page, PDF and export writes its figures through this module (the Jinja filters in
web.py and `crm.digits`/`crm.outOf` in static/app.js follow the same rules):

- `digits`: Persian digits in Persian, with «٫» for the decimal point and «٪» for percent;
- `number`: a rounded figure; from 10,000 up its thousands grouped («۱۲٬۵۰۰», "12,500");
- `percent`: «۴۳٪» (the sign to the right of the figure as the reader sees it), "43%";
- `out_of`: « از ۴۸» after a figure in Persian (a slash between digits reads as a decimal
  sign there), "/48" in English;
- `signed`: a change with its sign, "+5", "−3", "0" (in Persian digits in Persian);
- `join_words`: «الف، ب و ج», "a, b and c";
- `filesize`: «۱۲٫۳ کیلوبایت», "12.3 KB";
- `format_date`: Solar Hijri in Persian, Gregorian in English.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

import jdatetime

LANGUAGES = ("en", "fa")
LANG_COOKIE = "lang"
_PERSIAN_DIGITS = str.maketrans("0123456789.%", "۰۱۲۳۴۵۶۷۸۹٫٪")
_LATIN_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")
FA_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور",
              "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
EN_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December")
EN_SHORT_MONTHS = tuple(name[:3] for name in EN_MONTHS)


def direction(lang: str) -> str:
    return "rtl" if lang == "fa" else "ltr"


def text_direction(text: str) -> str:
    """The direction of `text` as a browser's dir="auto" finds it: that of its first
    strongly directed letter ('rtl' for Persian, Arabic or Hebrew script, 'ltr' for
    Latin and the rest); 'ltr' when it has none. User text mixes both scripts."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def digits(value: object, lang: str) -> str:
    """The value as text, with Persian digits (and separators) in Persian."""
    text = str(value)
    return text.translate(_PERSIAN_DIGITS) if lang == "fa" else text


def latin_digits(text: str) -> str:
    """Accept Persian or Arabic-Indic digits typed into a form."""
    return text.translate(_LATIN_DIGITS)


#: from here up a number's thousands are grouped: a four-digit figure reads well alone
GROUP_FROM = 10_000
_THOUSANDS = {"en": ",", "fa": "٬"}  # the Persian thousands separator is not its comma «،»
_SIZE_UNITS = {"en": ("bytes", "KB", "MB", "GB"),
               "fa": ("بایت", "کیلوبایت", "مگابایت", "گیگابایت")}


def number(value: float | int | None, lang: str, places: int = 0, empty: str = "–") -> str:
    """A figure rounded to `places` decimals, in the language's digits; `empty` for None."""
    if value is None:
        return empty
    grouping = "," if abs(value) >= GROUP_FROM else ""
    text = f"{value:{grouping}.{places}f}" if places else f"{round(value):{grouping}d}"
    return digits(text, lang).replace(",", _THOUSANDS.get(lang, ","))


_MINUS = "\u2212"


def signed(value: float | None, lang: str, places: int = 0) -> str:
    """A change as people read it: "+5", "−3" or "0" («+۵», «−۳», «۰»), rounded to `places`
    decimals; "–" for None. The sign leads the figure; a page sets it in a left-to-right
    box (`<bdi dir="ltr">`) so it stays on the figure's left in a Persian line."""
    if value is None:
        return "–"
    rounded = round(value, places)
    text = number(abs(rounded), lang, places)
    if rounded > 0:
        return "+" + text
    if rounded < 0:
        return _MINUS + text
    return text


def percent(fraction: float | None, lang: str) -> str:
    """A share (0.43) as a percentage: "43%", «۴۳٪». In Persian the figure and its sign
    form one left-to-right run in the right-to-left line, so the sign stays on the right."""
    if fraction is None:
        return "–"
    return digits(f"{round(fraction * 100)}%", lang)


def filesize(size: int, lang: str) -> str:
    """A file's size in bytes as people read it: "820 bytes", "12.3 KB", «۲ مگابایت»."""
    units = _SIZE_UNITS.get(lang, _SIZE_UNITS["en"])
    value, unit = float(size), 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    value = round(value, 1) if unit and value < 10 else round(value)
    return f"{number(value, lang, 1 if value != int(value) else 0)} {units[unit]}"


def format_date(value: date | datetime | None, lang: str) -> str:
    """A date as people read it: Solar Hijri in Persian, Gregorian in English."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    if lang == "fa":
        jalali = jdatetime.date.fromgregorian(date=day)
        return digits(f"{jalali.day} {FA_MONTHS[jalali.month - 1]} {jalali.year}", "fa")
    return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def month_starts(first: date, last: date, lang: str) -> list[tuple[date, int, int]]:
    """The first day of every month from `first` to `last`, in the language's calendar
    (Solar Hijri in Persian): (that day, its year, its month) in that calendar."""
    def first_of(year: int, month: int) -> date:
        if lang == "fa":
            return jdatetime.date(year, month, 1).togregorian()  # type: ignore[no-any-return]
        return date(year, month, 1)

    if lang == "fa":
        jalali = jdatetime.date.fromgregorian(date=first)
        year, month = jalali.year, jalali.month
    else:
        year, month = first.year, first.month
    out: list[tuple[date, int, int]] = []
    while (day := first_of(year, month)) <= last:
        if day >= first:
            out.append((day, year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def parse_jalali(text: str) -> date:
    """'1405/09/01' (Persian or Latin digits) -> the Gregorian date."""
    parts = latin_digits(text.strip()).replace("-", "/").split("/")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError("expected year/month/day")
    year, month, day = (int(p) for p in parts)
    if not 1300 <= year <= 1500:  # a Gregorian year typed by mistake, or a typo
        raise ValueError("not a Solar Hijri year")
    return jdatetime.date(year, month, day).togregorian()  # type: ignore[no-any-return]


def jalali_input(value: date) -> str:
    """A date as a Persian user types it: ۱۴۰۵/۰۹/۰۱."""
    jalali = jdatetime.date.fromgregorian(date=value)
    return digits(f"{jalali.year}/{jalali.month:02d}/{jalali.day:02d}", "fa")


def date_input(value: date | None, lang: str) -> str:
    """A date as it goes into a form field: ۱۴۰۵/۰۹/۰۱ in Persian, 2026-11-22 in English."""
    if value is None:
        return ""
    return jalali_input(value) if lang == "fa" else value.isoformat()


def parse_date_input(text: str, lang: str) -> date:
    """A typed date: Solar Hijri year/month/day in Persian, ISO year-month-day in English."""
    if lang == "fa":
        return parse_jalali(text)
    return date.fromisoformat(latin_digits(text.strip()))


def join_words(items: list[str], lang: str) -> str:
    """A list in running text: "a, b and c", «الف، ب و ج»."""
    comma, conjunction = ("، ", " و ") if lang == "fa" else (", ", " and ")
    if len(items) < 2:
        return "".join(items)
    return comma.join(items[:-1]) + conjunction + items[-1]


def out_of(total: object, lang: str) -> str:
    """The "of y" after a figure: "/100" in English, « از ۱۰۰» in Persian, where a slash
    between digits reads as a decimal sign and the pair would show reversed."""
    return f" از {digits(total, lang)}" if lang == "fa" else f"/{total}"
