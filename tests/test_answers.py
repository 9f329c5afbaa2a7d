"""The answers module: the one place an answer's values, reading, scoring and labels live."""

from __future__ import annotations

import pytest

from assessment import answers
from assessment.answers import NA, UNKNOWN
from assessment.errors import FieldError


def test_the_values_are_six_levels_then_the_two_without_a_level() -> None:
    # As stored in databases and client files, and sent by the API: they never change.
    assert answers.LEVEL_VALUES == ("0", "1", "2", "3", "4", "5")
    assert answers.NOT_SCORED == ("na", "unknown")
    assert answers.VALUES == ("0", "1", "2", "3", "4", "5", "na", "unknown")
    assert answers.SQL_VALUES == "'0','1','2','3','4','5','na','unknown'"


# --- reading an answer as given ---------------------------------------------------------


@pytest.mark.parametrize(("raw", "stored"), [
    ("0", "0"), ("5", "5"), (" 3 ", "3"), (0, "0"), (5, "5"),
    ("na", NA), ("unknown", UNKNOWN), (" na\n", NA),
    (None, None), ("", None),
])
def test_parse_takes_levels_and_both_markers_and_clears_on_nothing(
        raw: object, stored: str | None) -> None:
    assert answers.parse(raw) == stored


@pytest.mark.parametrize("raw", [
    True, False, 6, -1, "6", "-1", 2.5, 3.0, "3.0", "٣", "n/a", "NA", "Unknown", "don't know",
    "   ", [], {}, object(),
])
def test_parse_refuses_anything_else_on_the_value_field(raw: object) -> None:
    with pytest.raises(FieldError) as refused:
        answers.parse(raw)
    assert refused.value.field == "value"
    assert refused.value.status == 400
    assert str(refused.value) == f"answer {raw!r} is not a level 0-5, 'na' or 'unknown'"


def test_parse_refuses_with_the_callers_message() -> None:
    message = object()  # a lazy translation, say: carried as it is, turned to text later
    with pytest.raises(FieldError) as refused:
        answers.parse("7", message)
    assert refused.value.args[0] is message


# --- the scoring level ------------------------------------------------------------------


@pytest.mark.parametrize(("stored", "scored"), [
    ("0", 0), ("3", 3), ("5", 5), (NA, NA), (UNKNOWN, UNKNOWN), (None, None),
])
def test_a_stored_answer_reaches_the_engine_as_an_int_level_or_a_marker(
        stored: str | None, scored: object) -> None:
    value = answers.scoring_value(stored)
    assert value == scored
    assert type(value) is type(scored)


@pytest.mark.parametrize("stored", ["7", "", " 3", "n/a"])
def test_a_stored_value_that_is_no_answer_is_refused(stored: str) -> None:
    with pytest.raises(ValueError, match="is not a level 0-5"):
        answers.scoring_value(stored)


def test_every_stored_answer_scores_and_reads_back_as_itself() -> None:
    for stored in answers.VALUES:
        scored = answers.scoring_value(stored)
        assert answers.is_scoring_value(scored)
        assert answers.parse(scored) == stored  # the API's form goes back unchanged


@pytest.mark.parametrize(("value", "taken"), [
    (0, True), (5, True), (NA, True), (UNKNOWN, True),
    (6, False), (-1, False), (True, False), (False, False), ("3", False), (3.0, False),
    (None, False), ("n/a", False),
])
def test_the_engine_takes_only_int_levels_and_the_markers(value: object, taken: bool) -> None:
    assert answers.is_scoring_value(value) is taken


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "lang", "text"), [
    (NA, "en", "n/a"), (NA, "fa", "ند"),
    (UNKNOWN, "en", "don't know"), (UNKNOWN, "fa", "نمی‌دانم"),
    (3, "en", "3"), (3, "fa", "۳"), ("0", "fa", "۰"), ("5", "en", "5"),
])
def test_labels_in_both_languages(value: object, lang: str, text: str) -> None:
    assert answers.label(value, lang) == text
