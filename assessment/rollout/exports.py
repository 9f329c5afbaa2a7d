"""An assessment's findings and its roadmap's milestones as spreadsheets, in either language.

CSV is UTF-8 with a byte order mark (so Excel reads Persian text right) and a header
row in the chosen language; XLSX is one workbook with a sheet each, real date cells,
and right-to-left sheets in Persian. Numbers keep Latin digits in both languages so the
spreadsheet can still compute with them; in Persian each date comes twice, as Solar
Hijri text for people and as an ISO date that sorts.

User text that a spreadsheet could take for a formula (starting with =, +, -, @, a tab
or a carriage return) gets a leading apostrophe, in both formats.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from .. import answers, i18n
from ..catalog import Catalog
from ..extensions import db
from ..printing.report import file_name as report_file_name
from ..results import COUNTED, questionnaire_of, score_assessment
from ..scoring import level_of
from ..tables import Answer, Assessment, Milestone, Respondent
from .operations import current_date, roadmap_stages

Kind = Literal["text", "long", "int", "number", "date"]
#: first characters that make a spreadsheet read a cell as a formula (with full-width forms)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)


def guard(text: str) -> str:
    """User text that cannot run as a formula when the file is opened."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _answer_label(value: answers.AnswerValue | None, lang: str) -> str:
    """An agreed answer; a level keeps its Latin digit, as every number in the sheet does."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int) else answers.label(value, lang)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _date_columns(name: str, lang: str) -> list[Column]:
    """A date: ISO in English; in Persian Solar Hijri text, then the ISO date that sorts."""
    if lang == "fa":
        return [Column(_("%(column)s (Solar Hijri)", column=name)), Column(name, "date")]
    return [Column(name, "date")]


def _date_values(value: date | None, lang: str) -> list[Any]:
    if lang == "fa":
        return [i18n.jalali_input(value) if value is not None else "", value]
    return [value]


# --- findings -----------------------------------------------------------------------


def findings_sheet(catalog: Catalog, assessment: Assessment, lang: str) -> Sheet:
    """One row per question, in questionnaire order."""
    with force_locale(lang):
        return _findings(catalog, assessment, lang)


def _findings(catalog: Catalog, assessment: Assessment, lang: str) -> Sheet:
    result = score_assessment(catalog, assessment)
    questionnaire = questionnaire_of(catalog, assessment)
    ranks = {p.question_id: rank for rank, p in enumerate(result.priorities, start=1)}
    comments: dict[str, list[str]] = {}
    for question_id, comment in db.session.execute(
            select(Answer.question_id, Answer.comment).join(Respondent)
            .where(Respondent.assessment_id == assessment.id, Answer.comment != "", COUNTED)
            .order_by(Respondent.id)):
        if comment.strip():
            comments.setdefault(question_id, []).append(comment.strip())
    sheet = Sheet(_("Findings"), [
        Column(_("Stage")), Column(_("Question ID")), Column(_("Question"), "long"),
        Column(_("Respondents"), "int"), Column(_("Mean"), "number"),
        Column(_("Median"), "number"), Column(_("Spread"), "number"),
        Column(_("Level"), "int"), Column(_("Stage target"), "int"),
        Column(_("Gap"), "number"), Column(_("Priority rank"), "int"),
        Column(_("Divergent")), Column(_("Don't know"), "int"), Column(_("Uncertain")),
        Column(_("Agreed answer")),
        Column(_("Recommendation"), "long"), Column(_("Comments (number)"), "int"),
        Column(_("Comments"), "long"),
    ])
    for question in questionnaire.questions:
        scored = result.questions[question.id]
        target = result.stage(question.stage).target
        level = level_of(scored.value) if scored.value is not None else None
        rec = question.recommendation_for(level) if level is not None else None
        said = comments.get(question.id, [])
        sheet.rows.append([
            catalog.stage(question.stage).name.get(lang), question.id, question.text.get(lang),
            scored.count + scored.not_applicable + scored.unknown,
            _round(scored.mean), _round(scored.median), _round(scored.spread), level, target,
            _round(max(0.0, target - scored.value)) if scored.value is not None else None,
            ranks.get(question.id), _yes_no(scored.divergent), scored.unknown,
            _yes_no(scored.uncertain), _answer_label(scored.agreed, lang),
            rec.text.get(lang) if rec is not None else "", len(said), "\n".join(said),
        ])
    return sheet


# --- milestones ---------------------------------------------------------------------


def milestones_sheet(catalog: Catalog, assessment: Assessment, lang: str,
                     today: date | None = None) -> Sheet:
    """One row per milestone of the assessment's roadmap (just the header without one)."""
    with force_locale(lang):
        return _milestones(catalog, assessment, lang, today or current_date())


def _milestones(catalog: Catalog, assessment: Assessment, lang: str, today: date) -> Sheet:
    statuses = {"not_started": _("Not started"), "in_progress": _("In progress"),
                "blocked": _("Blocked"), "done": _("Done")}
    origins = {"checklist": _("Model checklist"), "gap": _("Assessment gap"),
               "team": _("Added by the team"), "data": _("Customer data measurement")}
    sheet = Sheet(_("Milestones"), [
        Column(_("Row"), "int"), Column(_("Stage")), Column(_("Title"), "long"),
        Column(_("Origin")), Column(_("Owner")), Column(_("Owner e-mail")),
        Column(_("Owner role")), *_date_columns(_("Start"), lang),
        *_date_columns(_("Due"), lang), Column(_("Status")), Column(_("Progress %"), "int"),
        Column(_("Overdue")), *_date_columns(_("Done on"), lang),
        Column(_("Depends on (rows)")), Column(_("Notes"), "long"),
        Column(_("Evidence (number)"), "int"), Column(_("Evidence"), "long"),
    ])
    roadmap = assessment.roadmap
    if roadmap is None:
        return sheet
    stage_names = {s.id: s.name.get(lang) for s in roadmap_stages(catalog, roadmap)}
    milestones: list[Milestone] = list(roadmap.milestones)
    number = {m.id: index for index, m in enumerate(milestones, start=1)}
    for milestone in milestones:
        owner = milestone.owner
        evidence = [e.url if e.kind == "link" else e.filename for e in milestone.evidence]
        sheet.rows.append([
            number[milestone.id], stage_names.get(milestone.stage, milestone.stage),
            milestone.title(lang), origins.get(milestone.origin, milestone.origin),
            owner.name if owner else "", owner.email if owner else "",
            owner.role if owner else "",
            *_date_values(milestone.start_on, lang), *_date_values(milestone.due_on, lang),
            statuses.get(milestone.status, milestone.status), milestone.progress,
            _yes_no(milestone.overdue(today)), *_date_values(milestone.done_on, lang),
            ", ".join(str(number[d.id]) for d in sorted(milestone.depends_on,
                                                        key=lambda d: number[d.id])),
            milestone.notes, len(evidence), "\n".join(evidence),
        ])
    return sheet


# --- the files ----------------------------------------------------------------------


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return str(value)
    return guard(str(value))


def to_csv(sheet: Sheet) -> bytes:
    """UTF-8 with a byte order mark, comma-separated, CRLF line ends: what Excel expects."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([column.header for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Sheet"


def to_xlsx(sheets: list[Sheet], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "crm-maturity"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_title(sheet.title))
        ws.sheet_view.rightToLeft = lang == "fa"
        widths = [len(column.header) for column in sheet.columns]
        for index, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(row=1, column=index, value=_ILLEGAL_XLSX.sub("", column.header))
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row_index, row in enumerate(sheet.rows, start=2):
            for index, (column, value) in enumerate(zip(sheet.columns, row, strict=True),
                                                    start=1):
                if isinstance(value, str):
                    value = guard(_ILLEGAL_XLSX.sub("", value))
                cell = ws.cell(row=row_index, column=index, value=value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                    longest = max((len(line) for line in value.splitlines()), default=0)
                    widths[index - 1] = max(widths[index - 1], longest)
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                    widths[index - 1] = max(widths[index - 1], 10)
                elif isinstance(value, float):
                    cell.number_format = "0.00"
                if column.kind == "long":
                    cell.alignment = wrap
        for index, column in enumerate(sheet.columns, start=1):
            cap = 60 if column.kind == "long" else 30
            ws.column_dimensions[get_column_letter(index)].width = min(cap, widths[index - 1] + 2)
        ws.freeze_panes = "A2"
        last = get_column_letter(len(sheet.columns))
        ws.auto_filter.ref = f"A1:{last}{len(sheet.rows) + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def file_name(assessment: Assessment, lang: str, what: str, extension: str) -> str:
    """Like the report's download name, with what the file holds: acme-baseline-findings-fa.csv"""
    name = report_file_name(assessment, lang, extension)
    return name.removesuffix(f"-{lang}.{extension}") + f"-{what}-{lang}.{extension}"
