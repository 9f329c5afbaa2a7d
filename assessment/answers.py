"""An answer to a question: the values it may take, how it is read, scored and shown.

An answer is stored, exported and sent as text: a level "0".."5", `NA` (the question
does not apply) or `UNKNOWN` (the respondent cannot judge). The scoring engine takes a
level as an int and the two other answers as they are; the JSON API speaks the same
form. This module is the one place those rules are written; no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, TypeGuard, overload

from .errors import FieldError
from .i18n import digits
from .schema import LEVELS

#: the question does not apply to the organisation ("not applicable")
NA: Final = "na"
#: the respondent cannot judge ("don't know")
UNKNOWN: Final = "unknown"
#: the two answers that give no level (and so never change a mean, only coverage)
NotScored = Literal["na", "unknown"]
NOT_SCORED: tuple[NotScored, ...] = (NA, UNKNOWN)
#: an answer as the scoring engine (and the JSON API) takes it
AnswerValue = int | NotScored

#: the levels as stored: "0".."5"
LEVEL_VALUES: tuple[str, ...] = tuple(str(level) for level in LEVELS)
#: every answer as stored, levels first
VALUES: tuple[str, ...] = (*LEVEL_VALUES, *NOT_SCORED)
#: the stored values as an SQL list, for the tables' check constraints
SQL_VALUES = ",".join(f"'{value}'" for value in VALUES)

#: how a table, a badge or a spreadsheet names the answers without a level, by language
LABELS: Mapping[str, Mapping[str, str]] = {
    NA: {"en": "n/a", "fa": "ند"},
    UNKNOWN: {"en": "don't know", "fa": "نمی‌دانم"},
}

_SCORED: dict[str, AnswerValue] = {
    **{value: int(value) for value in LEVEL_VALUES}, NA: NA, UNKNOWN: UNKNOWN,
}


def refusal(raw: object) -> str:
    """Why `raw` is not an answer, in English for whoever calls the core by hand."""
    return f"answer {raw!r} is not a level 0-5, {NA!r} or {UNKNOWN!r}"


def parse(raw: object, message: object = None) -> str | None:
    """An answer as given (a form field, a JSON value) -> as stored, or None to clear it.

    Takes "0".."5" (surrounding spaces ignored), the ints 0-5, `NA` and `UNKNOWN`; None
    and "" clear the answer. Anything else, True and False included, raises
    `FieldError("value", message)`. The core cannot translate, so a surface that shows
    the message to people passes its own (a lazy translation); the default is English.
    """
    if raw is None or raw == "":
        return None
    if not isinstance(raw, bool):
        text = str(raw).strip()
        if text in VALUES:
            return text
    raise FieldError("value", refusal(raw) if message is None else message)


@overload
def scoring_value(stored: str) -> AnswerValue: ...
@overload
def scoring_value(stored: None) -> None: ...
def scoring_value(stored: str | None) -> AnswerValue | None:
    """A stored answer as the scoring engine takes it: an int for a level, else the marker."""
    if stored is None:
        return None
    try:
        return _SCORED[stored]
    except KeyError:
        raise ValueError(refusal(stored)) from None


def is_scoring_value(value: object) -> TypeGuard[AnswerValue]:
    """Whether the scoring engine takes `value`: an int 0-5 (not a bool), `NA` or `UNKNOWN`."""
    if type(value) is int:  # the common case, checked first
        return 0 <= value <= 5
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in LEVELS
    return value in NOT_SCORED


def label(value: object, lang: str) -> str:
    """An answer as people read it: a level in the language's digits, or the short name
    of an answer without a level (English unless `lang` is Persian)."""
    if isinstance(value, str) and value in LABELS:
        names = LABELS[value]
        return names.get(lang, names["en"])
    return digits(value, lang)
