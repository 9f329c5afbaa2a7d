"""The one Persian-text check: what a Persian reader should not meet in a page or a PDF.

Every test that reads Persian output (pages, reports, exports) asks `foreign_in_persian`
for what is left in Latin script once the text the user typed, code and references are
taken out. It returns the offending fragments, so an assertion shows what leaked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Latin words a Persian text keeps as they are: acronyms and names of file formats that
#: Persian writing uses untranslated (docs/glossary.yaml writes «CRM», «PDF», «API»).
KEPT_LATIN = frozenset({
    "CRM", "LIC", "RFM", "PDF", "CSV", "JSON", "API", "XLSX", "Excel", "HTML", "SMTP",
    "URL", "ID", "SQLite", "ERP", "KPI", "IT", "B2B", "B2C", "CEO", "SMS", "SFA", "EMA",
    "QR", "PNG", "JPEG", "Word", "TXT",
})

_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*")
_LATIN_DIGITS = re.compile(r"[0-9]+")
_ARABIC_DIGITS = re.compile(r"[٠-٩]+")


def _without(text: str, allowed: Iterable[str]) -> str:
    # Longest first, so a user's text that contains another allowed text goes whole.
    for fragment in sorted({a for a in allowed if a}, key=len, reverse=True):
        text = text.replace(fragment, " ")
    return text


def foreign_in_persian(text: str, allowed: Iterable[str] = (),
                       kept: Iterable[str] = KEPT_LATIN) -> list[str]:
    """Latin words and Latin or Arabic-Indic digits in Persian `text`.

    `allowed` is what may stay as it is: the text users typed (names, comments), code,
    file names and references to works in English. `kept` are the Latin words Persian
    writing keeps. Whitespace in `text` and in `allowed` is compared as single spaces, and
    the zero-width non-joiner is ignored (PDF extraction keeps or drops it).
    """
    def plain(value: str) -> str:
        return " ".join(value.replace("\u200c", "").split())

    rest = _without(plain(text), (plain(a) for a in allowed))
    keep = set(kept)
    found = [word for word in _LATIN_WORD.findall(rest) if word not in keep]
    rest = _LATIN_WORD.sub(" ", rest)
    return found + _LATIN_DIGITS.findall(rest) + _ARABIC_DIGITS.findall(rest)
