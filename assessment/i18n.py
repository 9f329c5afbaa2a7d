"""Language helpers that do not need a request: digits and direction."""

from __future__ import annotations

_PERSIAN_DIGITS = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def direction(lang: str) -> str:
    return "rtl" if lang == "fa" else "ltr"


def digits(value: object, lang: str) -> str:
    """The value as text, with Persian digits (and decimal separator) in Persian."""
    text = str(value)
    return text.translate(_PERSIAN_DIGITS) if lang == "fa" else text
