"""The maturity and readiness report: an assessment's figures in the print design (rendered
by `render`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from functools import cache
from typing import Any

from flask import current_app, render_template
from flask_babel import gettext as _

from .. import i18n, verdicts
from ..catalog import Catalog, data_dir
from ..charts import radar_svg
from ..extensions import db
from ..results import (
    COUNTED,
    advice_rows,
    agreed_of,
    questionnaire_of,
    readiness_rows,
    score_assessment,
)
from ..rollout.operations import current_date
from ..schema import CANONICAL_STAGE_IDS, LEVELS, Question
from ..scoring import (
    GATE_PASS,
    RULES_VERSION,
    AssessmentScore,
    ModelScore,
    QuestionScore,
    level_of,
)
from ..tables import Answer, Assessment, Respondent, utcnow
from ..web import get_catalog
from .approval import approval_page
from .board import board_of, model_next
from .customerdata import data_page
from .render import ReportError, brand_context, data_url, font_faces, report_language

#: The appendix prints at most this many different comments per question, and this many
#: in all; it says how many more there are (every comment is in the Excel export).
COMMENTS_PER_QUESTION = 4
COMMENTS_IN_ALL = 60
#: An assessment whose questions have a value for fewer than this share is "thin": the
#: report says so before any figure.
THIN_SHARE = 0.5


@dataclass(frozen=True)
class Comment:
    """One comment as printed: its text and how many people wrote exactly that."""

    text: str
    count: int = 1


@dataclass(frozen=True)
class QuestionRow:
    question: Question
    figures: QuestionScore
    comments: list[Comment]
    flags: int
    level: int | None = None  #: the whole level of its value (the agreed level, if agreed)
    level_name: str = ""  #: that level's name on the question's scale
    meaning: str = ""  #: what that level means for this question
    more_comments: int = 0  #: comments (counted with repeats) left out of the report


def _question_row(catalog: Catalog, question: Question, figures: QuestionScore,
                  comments: list[Comment], flags: int, lang: str) -> QuestionRow:
    if figures.value is None:
        return QuestionRow(question, figures, comments, flags)
    level = level_of(figures.value)
    return QuestionRow(question, figures, comments, flags, level,
                       catalog.scale_of(question).level(level).name.get(lang),
                       question.levels[level].get(lang))


@dataclass(frozen=True)
class StageAnswers:
    """A stage's answers without a level, for the line under its figures."""

    not_applicable: int
    unknown: int


@dataclass(frozen=True)
class GateNote:
    """A gate of a model that does not pass: its status, its model stage and why it exists."""

    status: str  #: fail or unknown
    stage: str
    description: str


@dataclass(frozen=True)
class ModelNotes:
    """What a deployment model's scores rest on, and its gates that do not pass."""

    evidence: int  #: the questions that inform any of its stages
    answered: int  #: of those, how many have a value
    uncertain: int  #: of those, how many are uncertain
    gates: list[GateNote]


@cache
def print_css() -> str:
    return (data_dir("reports") / "report.css").read_text(encoding="utf-8")


def _comments(assessment: Assessment) -> tuple[dict[str, list[str]], dict[str, int]]:
    rows = db.session.execute(
        db.select(Answer.question_id, Answer.comment, Answer.flagged)
        .join(Respondent).where(Respondent.assessment_id == assessment.id, COUNTED)
    )
    comments: dict[str, list[str]] = {}
    flags: dict[str, int] = {}
    for question_id, comment, flagged in rows:
        if comment and comment.strip():
            comments.setdefault(question_id, []).append(comment.strip())
        if flagged:
            flags[question_id] = flags.get(question_id, 0) + 1
    return comments, flags


def group_comments(comments: list[str]) -> list[Comment]:
    """Identical comments (ignoring case and spacing) once each, with how many wrote them,
    most repeated first, then in the order they came."""
    groups: dict[str, list[str]] = {}
    for comment in comments:
        groups.setdefault(" ".join(comment.casefold().split()), []).append(comment)
    ranked = sorted(groups.values(), key=lambda same: -len(same))
    return [Comment(same[0], len(same)) for same in ranked]


def _capped_rows(rows: dict[str, QuestionRow],
                 order: list[str]) -> tuple[dict[str, QuestionRow], int]:
    """The rows with their comments cut to COMMENTS_PER_QUESTION groups each and
    COMMENTS_IN_ALL groups in all (in the appendix's order), each row counting what it left
    out; and how many comments were left out in all."""
    room = COMMENTS_IN_ALL
    left_out = 0
    capped = dict(rows)
    for qid in order:
        row = rows[qid]
        keep = row.comments[:max(0, min(COMMENTS_PER_QUESTION, room))]
        room -= len(keep)
        more = sum(c.count for c in row.comments) - sum(c.count for c in keep)
        if more:
            capped[qid] = replace(row, comments=keep, more_comments=more)
            left_out += more
    return capped, left_out


def _model_notes(catalog: Catalog, result: AssessmentScore, model: ModelScore,
                 lang: str) -> ModelNotes:
    design = catalog.models[model.model]
    evidence = list(dict.fromkeys(qid for s in model.stages for qid in s.question_ids))
    gates = [GateNote(gate.status, stage.name.get(lang), g.description.get(lang))
             for s in model.stages if (stage := design.stage(s.stage))
             for gate in s.gates if gate.status != GATE_PASS
             for g in stage.gates if g.id == gate.gate]
    return ModelNotes(len(evidence),
                      sum(1 for qid in evidence if result.questions[qid].value is not None),
                      sum(1 for qid in evidence if result.questions[qid].uncertain), gates)


def report_context(catalog: Catalog, assessment: Assessment, lang: str) -> dict[str, Any]:
    result = score_assessment(catalog, assessment)
    questionnaire = questionnaire_of(catalog, assessment)
    comments, flags = _comments(assessment)
    scored = [s for s in result.stages if s.score is not None]
    by_score = sorted(scored, key=lambda s: (-(s.score or 0), CANONICAL_STAGE_IDS.index(s.stage)))
    labels = [s.name.get(lang) for s in catalog.stages]
    radar = radar_svg(labels, [s.score for s in result.stages],
                      [s.target * 20 for s in result.stages], rtl=lang == "fa",
                      title=_("Radar of the six stages: current against target"),
                      show_labels=False,
                      marks=[i18n.digits(n, lang) for n in range(1, len(labels) + 1)])
    rows = {q.id: _question_row(catalog, q, result.questions[q.id],
                                group_comments(comments.get(q.id, [])), flags.get(q.id, 0),
                                lang) for q in questionnaire.questions}
    appendix_order = [q.id for stage in catalog.stages for q in questionnaire.questions
                      if q.stage == stage.id]
    rows, comments_left_out = _capped_rows(rows, appendix_order)
    stage_distribution = {
        stage: [sum(result.questions[q.id].distribution[level] for q in questionnaire.questions
                    if q.stage == stage) for level in LEVELS]
        for stage in CANONICAL_STAGE_IDS
    }
    stage_answers = {}
    for stage in CANONICAL_STAGE_IDS:
        in_stage = [result.questions[q.id] for q in questionnaire.questions if q.stage == stage]
        stage_answers[stage] = StageAnswers(sum(qs.not_applicable for qs in in_stage),
                                            sum(qs.unknown for qs in in_stage))
    unanswered_questions = [q for q in questionnaire.questions
                            if result.questions[q.id].value is None]
    # What the report can say: nothing (no answer with a level), a little, or in full.
    if result.maturity_index is None:
        evidence = "empty"
    elif len(unanswered_questions) > (1 - THIN_SHARE) * len(questionnaire.questions):
        evidence = "thin"
    else:
        evidence = "full"
    # Divergent questions and any the room settled by agreeing an answer: settled ones
    # first (the report must show them), then the widest spread.
    divergent = sorted((row for row in rows.values()
                        if row.figures.divergent or row.figures.agreed is not None),
                       key=lambda r: (r.figures.agreed is None, -(r.figures.spread or 0)))
    workspace = assessment.client.workspace
    when: datetime = assessment.completed_at or utcnow()
    return {
        "lang": lang,
        "dir": i18n.direction(lang),
        "assessment": assessment,
        "client": assessment.client,
        "workspace": workspace,
        **brand_context(workspace, assessment.client),
        "logo": data_url(assessment.client.logo, assessment.client.logo_type or "image/png")
        if assessment.client.logo else None,
        "report_date": when,
        "result": result,
        "board": board_of(catalog, assessment, result, lang),
        "questionnaire": questionnaire,
        "catalog": catalog,
        "radar": radar,
        "strongest": by_score[:3],
        "weakest": list(reversed(by_score[-3:])) if len(by_score) > 3 else list(
            reversed(by_score)),
        "confidence": verdicts.confidence_label(result.confidence),
        "rules_version": RULES_VERSION,
        "readiness": readiness_rows(catalog, result, lang),
        "model_notes": {m.model: _model_notes(catalog, result, m, lang) for m in result.models},
        "priorities": advice_rows(questionnaire, result.priorities, lang),
        "further": advice_rows(questionnaire, result.further, lang),
        "rows": rows,
        "comments_left_out": comments_left_out,
        "evidence": evidence,
        "join_words": lambda items: i18n.join_words(list(items), lang),
        "stage_distribution": stage_distribution,
        "stage_answers": stage_answers,
        "unanswered_questions": unanswered_questions,
        "divergent": divergent[:15],
        "agreed_notes": {qid: row.note for qid, row in agreed_of(assessment).items()},
        "agreed_count": sum(1 for q in result.questions.values() if q.agreed is not None),
        "respondent_count": result.respondents,
        # the roadmap page a board approves (reports/_roadmap.html), as of today
        "approval": approval_page(catalog, questionnaire, assessment, result, lang,
                                  current_date()),
        "model_next": {m.model: model_next(catalog, result, m.model, lang)
                       for m in result.models},
        "citations": list(dict.fromkeys(
            [src.citation for m in result.models for src in catalog.models[m.model].sources]
            + [src.citation for src in questionnaire.sources])),
        # the client's customer data as measured, when it has a profile (issue 20)
        "data_page": data_page(catalog, assessment, lang),
        "font_faces": font_faces(),
        "print_css": print_css(),
    }


def build_html(assessment: Assessment, lang: str) -> str:
    """The self-contained HTML of the report, exactly as WeasyPrint gets it."""
    if lang not in i18n.LANGUAGES:
        raise ReportError(f"unknown language {lang!r}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    catalog = get_catalog()
    with report_language(app, lang):
        return render_template("reports/report.html", **report_context(catalog, assessment, lang))


def file_name(assessment: Assessment, lang: str, extension: str = "pdf") -> str:
    """An ASCII-safe download name."""
    base = f"{assessment.client.name}-{assessment.title}"
    safe = re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower() or f"assessment-{assessment.id}"
    return f"{safe[:80]}-{lang}.{extension}"
