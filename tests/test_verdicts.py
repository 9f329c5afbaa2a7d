"""Readiness verdicts and their reasons in words (docs/scoring.md, rule 9), both languages."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask_babel import force_locale

from assessment import verdicts
from assessment.catalog import Catalog
from assessment.scoring import Reason, score

from .helpers import persian_digits

REASONS = [
    Reason("gate_fails", "technology", "strategy_process_before_technology", "strategy", 1, 2),
    Reason("gate_unknown", "technology", "strategy_process_before_technology", "process",
           None, 2),
    Reason("below_target", stage="data", level=2, required=3),
    Reason("gates_pass", stages=("strategy", "process")),
    Reason("gates_pass", stages=("data",)),
    Reason("no_gates"),
]


@pytest.mark.parametrize("reason", REASONS, ids=lambda r: r.code)
def test_every_reason_reads_as_a_sentence_in_both_languages(
    app: Flask, catalog: Catalog, reason: Reason,
) -> None:
    with app.test_request_context(), force_locale("en"):
        english = verdicts.reason_text(reason, "gartner", catalog, "en")
    with app.test_request_context(), force_locale("fa"):
        persian = verdicts.reason_text(reason, "gartner", catalog, "fa")
    assert english.endswith(".")
    assert persian.endswith(".")
    # Persian: no English word but the name CRM, no Latin digit
    assert not re.findall(r"[A-Za-z]+", persian.replace("CRM", ""))
    assert not re.search(r"[0-9]", persian)
    for figure in (reason.level, reason.required):
        if figure is not None:
            assert f"level {figure}" in english or f"of {figure}" in english
            assert persian_digits(figure) in persian
    for stage in (reason.stage, *reason.stages):
        if stage is not None:
            assert catalog.stage(stage).name.en.lower() in english.lower()
            assert catalog.stage(stage).name.fa in persian


def test_a_workshop_scored_low_reads_not_ready_with_the_failing_gates(
    app: Flask, catalog: Catalog,
) -> None:
    questionnaire = catalog.questionnaires["workshop"]
    answers = {q.id: (1 if q.stage == "strategy" else 3) for q in questionnaire.questions}
    result = score(catalog, questionnaire, {"a": answers, "b": answers})
    gartner = result.model("gartner")
    assert gartner.readiness.verdict == "not_ready"
    with app.test_request_context(), force_locale("en"):
        label = verdicts.verdict_label(gartner.readiness.verdict)
        reasons = verdicts.reasons_of(gartner, catalog, "en")
    assert label == "Not ready"
    assert reasons
    assert all("Strategy is at level 1" in text for text in reasons)
