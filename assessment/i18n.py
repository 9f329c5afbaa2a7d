"""Languages: direction, Persian digits, Solar Hijri dates, and the request's language."""

from __future__ import annotations

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
    """'rtl' for text written in Persian (or Arabic) script, else 'ltr'; user text mixes both."""
    for char in text:
        if "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff":
            return "rtl"
        if char.isalpha():
            return "ltr"
    return "ltr"


def digits(value: object, lang: str) -> str:
    """The value as text, with Persian digits (and separators) in Persian."""
    text = str(value)
    return text.translate(_PERSIAN_DIGITS) if lang == "fa" else text


def latin_digits(text: str) -> str:
    """Accept Persian or Arabic-Indic digits typed into a form."""
    return text.translate(_LATIN_DIGITS)


def number(value: float | int | None, lang: str, places: int = 0, empty: str = "–") -> str:
    if value is None:
        return empty
    text = f"{value:.{places}f}" if places else str(round(value))
    return digits(text, lang)


def percent(fraction: float | None, lang: str) -> str:
    if fraction is None:
        return "–"
    return digits(f"{round(fraction * 100)}%", lang)


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
