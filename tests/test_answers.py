"""The answers module: the one place an answer's values, reading, scoring and labels live;
and the one divergence rule the scoring engine and the live workshop view share."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment import answers, scoring
from assessment.answers import NA, UNKNOWN
from assessment.errors import FieldError
from assessment.results import score_assessment
from assessment.tables import Assessment, Workshop
from assessment.web import get_catalog

from .conftest import World
from .helpers import text_of

PACKAGE = Path(__file__).resolve().parent.parent / "assessment"
QUOTED_ANSWER = re.compile(r"""(["'])(?:na|unknown)\1""")
#: A readiness gate whose stage has no score yet has the status spelt like the answer
#: "don't know", but it is another thing (and named so in the JSON): scoring.py spells it
#: once, in its type, and nowhere else may.
GATE_STATUS = ("scoring.py", 'GateStatus = Literal["pass", "fail", "unknown"]')

Signed = tuple[FlaskClient, World, int]


def test_only_the_answers_module_spells_the_answer_values() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "migrations" or relative == Path("answers.py"):
            continue  # the migrations are history: they keep the SQL they ran with
        for line in path.read_text(encoding="utf-8").splitlines():
            if QUOTED_ANSWER.search(line):
                found.append((relative.as_posix(), line.strip()))
    assert found == [GATE_STATUS]


def test_the_gate_statuses_keep_their_json_names() -> None:
    assert (scoring.GATE_PASS, scoring.GATE_FAIL, scoring.GATE_UNKNOWN) == (
        "pass", "fail", "unknown")


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


def test_pages_name_the_answers_without_a_level_in_the_readers_language(
        signed_in: Signed) -> None:
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id))
    for qid, value in (("exec.vision.01", NA), ("exec.vision.02", "2")):
        assert client.post(f"/assessments/{aid}/answers/{qid}",
                           json={"value": value}).status_code == 200
    english = text_of(client.get(f"/assessments/{aid}/results?lang=en").get_data(as_text=True))
    persian = text_of(client.get(f"/assessments/{aid}/results?lang=fa").get_data(as_text=True))
    assert " 0 · n/a 1 " in english
    assert " ۰، ند ۱ " in persian  # the Persian comma: a dot beside a digit reads as ۰

    client.post(f"/assessments/{aid}/workshop/open")
    legend = re.compile(r'<div class="legend[^"]*">(.*?)</div>', re.S)
    for lang, words in (("en", "0 1 2 3 4 5 n/a don't know"),
                        ("fa", "۰ ۱ ۲ ۳ ۴ ۵ ند نمی‌دانم")):
        page = client.get(f"/assessments/{aid}/workshop/live?lang={lang}").get_data(as_text=True)
        shown = legend.search(page)
        assert shown is not None
        assert text_of(shown.group(1)).replace("&#39;", "'").split() == words.split()


# --- the divergence rule, shared by the engine and the live view ------------------------


def test_a_spread_at_the_threshold_diverges_even_one_float_step_below_it() -> None:
    threshold = scoring.DIVERGENCE_THRESHOLD
    assert scoring.diverges(2, threshold)
    # What float error makes of a spread that is the threshold exactly: an unguarded
    # `spread >= threshold` would call it agreement.
    below = math.nextafter(threshold, 0.0)
    assert below < threshold
    assert scoring.diverges(2, below)
    assert not scoring.diverges(2, threshold - 0.01)
    assert not scoring.diverges(1, 5.0)  # one level is no disagreement, however far out
    assert not scoring.diverges(0, None)


def test_level_spread_is_the_mean_and_the_population_standard_deviation() -> None:
    assert scoring.level_spread([]) is None
    assert scoring.level_spread([4]) == (4.0, 0.0)
    assert scoring.level_spread([0, 0, 0, 0, 3]) == (0.6, 1.2)
    assert scoring.level_spread([0, 5]) == (2.5, 2.5)


#: five participants' answers to five questions, None for no answer
ROOM = {
    "ws.vision.01": (0, 0, 0, 0, 3),  # spread 1.2 exactly: the borderline
    "ws.vision.02": (1, 1, 1, 1, 4),  # 1.2 again, on other levels
    "ws.vision.03": (0, 0, 0, 0, 2),  # 0.8: the room agrees enough
    "ws.vision.04": (0, 3, NA, UNKNOWN, None),  # two levels, 1.5 apart from their mean
    "ws.vision.05": (5, NA, NA, UNKNOWN, None),  # one level: nobody to disagree with
}


def test_the_live_view_and_the_engine_agree_on_a_spread_at_the_threshold(
        signed_in: Signed, app: Flask) -> None:
    client, world, user_id = signed_in
    aid = world.assessment(world.client(user_id), questionnaire="workshop")
    assert client.post(f"/assessments/{aid}/workshop/open").status_code == 302
    code = world.query(lambda s: s.scalar(select(Workshop.code)))
    for person in range(5):
        phone = app.test_client()
        assert phone.post(f"/w/{code}", data={"name": "", "role": ""}).status_code == 302
        for qid, values in ROOM.items():
            if values[person] is not None:
                saved = phone.post(f"/w/{code}/answers/{qid}", json={"value": values[person]})
                assert saved.status_code == 200, saved.get_json()

    live = client.get(f"/assessments/{aid}/workshop/live",
                      headers={"Accept": "application/json"}).get_json()
    scored = world.query(lambda s: score_assessment(get_catalog(app), s.get(Assessment, aid)))

    expected = ["ws.vision.01", "ws.vision.02", "ws.vision.04"]
    assert sorted(live["divergent"]) == expected
    assert sorted(scored.divergent) == expected
    by_id = {q["id"]: q for q in live["questions"]}
    for qid in ROOM:
        engine = scored.questions[qid]
        assert by_id[qid]["divergent"] is engine.divergent, qid
        assert by_id[qid]["spread"] == (None if engine.spread is None
                                        else round(engine.spread, 2)), qid
    assert by_id["ws.vision.01"]["spread"] == 1.2


def test_x_of_y_reads_with_a_slash_in_english_and_with_az_in_persian() -> None:
    from assessment.i18n import out_of

    assert "43" + out_of(100, "en") == "43/100"
    assert "۴۳" + out_of(100, "fa") == "۴۳ از ۱۰۰"
