"""What a results page (and later a report) shows, gathered from one scoring run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import g
from flask_babel import gettext as _

from . import i18n
from .catalog import Catalog
from .charts import radar_svg
from .schema import Question
from .scoring import AssessmentScore, Priority
from .tables import Assessment
from .walk.operations import agreed_of, questionnaire_of, score_assessment

LEVEL_COLOURS = ("#c0392b", "#e67e22", "#f1c40f", "#7cb342", "#2e8b57", "#1f6f8b")


@dataclass(frozen=True)
class PriorityRow:
    priority: Priority
    question: Question
    recommendation: str


def level_colour(level: int | None) -> str:
    return "#9aa5b1" if level is None else LEVEL_COLOURS[level]


def results_context(catalog: Catalog, assessment: Assessment) -> dict[str, Any]:
    lang = str(getattr(g, "lang", "en"))
    result: AssessmentScore = score_assessment(catalog, assessment)
    questionnaire = questionnaire_of(catalog, assessment)
    labels = [s.name.get(lang) for s in catalog.stages]
    radar = radar_svg(
        labels,
        [s.score for s in result.stages],
        [s.target * 20 for s in result.stages],
        rtl=lang == "fa",
        title=_("Radar of the six stages: current against target"),
        numbers=[i18n.number(s.score, lang) for s in result.stages],
    )
    priorities = []
    for item in result.priorities:
        question = questionnaire.question(item.question_id)
        rec = question.recommendation_for(int(item.value))
        priorities.append(PriorityRow(item, question, rec.text.get(lang) if rec else ""))
    return {
        "assessment": assessment,
        "result": result,
        "questionnaire": questionnaire,
        "radar": radar,
        "priorities": priorities,
        "level_colour": level_colour,
        "stage_scores": {s.stage: s for s in result.stages},
        "failed_gates": [gate for gate in result.gates if gate.status == "fail"],
        "agreed_notes": {qid: row.note for qid, row in agreed_of(assessment).items()},
    }
