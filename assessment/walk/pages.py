"""The walk's pages for whoever walks: a consultant, an executive's share link or a workshop
participant. Each feature's views find their `Walker` and hand it to these bodies."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from .. import results as scored
from .. import web
from ..errors import FieldError
from ..extensions import db
from ..i18n import LANGUAGES
from ..schema import CANONICAL_STAGE_IDS
from ..tables import Assessment, Respondent, utcnow
from ..web import get_catalog
from . import operations as ops


@dataclass
class Walker:
    """Who walks, and where their pages are: the consultant's (`walk`), an executive's
    share link (`share`) or a workshop participant's (`workshop`)."""

    assessment: Assessment
    respondent: Respondent
    blueprint: str = "walk"
    key: dict[str, Any] = field(default_factory=dict)

    @property
    def public(self) -> bool:
        return self.blueprint != "walk"

    @property
    def participant(self) -> bool:
        return self.blueprint == "workshop"

    def url(self, view: str, **values: Any) -> str:
        if not self.key:
            self.key = {"assessment_id": self.assessment.id}
        return url_for(f"{self.blueprint}.{view}", **self.key, **values)


def resume(walker: Walker) -> Response:
    catalog = get_catalog()
    questionnaire = scored.questionnaire_of(catalog, walker.assessment)
    answers = ops.answers_of(walker.respondent)
    stage = ops.resume_stage(questionnaire, walker.respondent, answers)
    db.session.commit()
    anchor = f"#q-{walker.respondent.last_question}" if walker.respondent.last_question else ""
    return redirect(walker.url("stage", stage=stage) + anchor)


def stage_page(walker: Walker, stage: str, form_values: dict[str, Any] | None = None,
           errors: dict[str, str] | None = None, status: int = 200) -> Any:
    if stage not in CANONICAL_STAGE_IDS:
        abort(404)
    catalog = get_catalog()
    questionnaire = scored.questionnaire_of(catalog, walker.assessment)
    answers = ops.answers_of(walker.respondent)
    db.session.commit()
    index = CANONICAL_STAGE_IDS.index(stage)
    workshop = walker.assessment.workshop if walker.participant else None
    return render_template(
        "walk/stage.html",
        closed=bool(workshop and workshop.status == "closed"),
        locked=bool(workshop and stage in (workshop.locked_stages or ())),
        walker=walker,
        assessment=walker.assessment,
        stage=catalog.stage(stage),
        questions=ops.questions_by_stage(questionnaire)[stage],
        answers=answers,
        progress=ops.progress(questionnaire, answers),
        previous_stage=CANONICAL_STAGE_IDS[index - 1] if index > 0 else None,
        next_stage=CANONICAL_STAGE_IDS[index + 1] if index + 1 < len(CANONICAL_STAGE_IDS)
        else None,
        form_values=form_values or {},
        errors=errors or {},
    ), status


def stage_post(walker: Walker, stage: str) -> Any:
    """The no-JavaScript path: the whole stage form at once. Nothing is saved on error."""
    if stage not in CANONICAL_STAGE_IDS:
        abort(404)
    catalog = get_catalog()
    questionnaire = scored.questionnaire_of(catalog, walker.assessment)
    questions = ops.questions_by_stage(questionnaire)[stage]
    form = request.form
    errors: dict[str, str] = {}
    known = {q.id for q in questions}
    for key in form:
        if key[:2] in ("q-", "c-", "f-") and key[2:] not in known:
            errors[key[2:]] = _("This question is not part of this stage.")
    for question in questions:
        fields: dict[str, Any] = {}
        if f"q-{question.id}" in form:
            fields["value"] = form[f"q-{question.id}"]
        if f"c-{question.id}" in form:
            fields["comment"] = form[f"c-{question.id}"]
        if f"present-{question.id}" in form:
            fields["flagged"] = form.get(f"f-{question.id}") == "1"
        if not fields:
            continue
        try:  # save_answer checks each answer; one bad answer rolls the whole stage back
            ops.save_answer(catalog, walker.respondent, question.id, **fields)
        except FieldError as exc:
            errors[question.id] = str(exc)
    if errors:
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked questions."), "danger")
        return stage_page(walker, stage, form_values=dict(form), errors=errors, status=400)
    walker.respondent.last_stage = stage
    db.session.commit()
    flash(_("Your answers are saved."), "success")
    target = form.get("go")
    if target in CANONICAL_STAGE_IDS:
        return redirect(walker.url("stage", stage=target))
    if target == "review":
        return redirect(walker.url("review"))
    return redirect(walker.url("stage", stage=stage))


def save_one(walker: Walker, question_id: str) -> Any:
    """The autosave endpoint: JSON in, JSON out, acknowledged only once committed."""
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="invalid", message=_("Send the answer as a JSON object.")), 400
    fields = {k: payload[k] for k in ("value", "comment", "flagged", "base_revision")
              if k in payload}
    try:
        answer = ops.save_answer(get_catalog(), walker.respondent, question_id, **fields)
    except ops.AnswerConflict as exc:
        current = exc.current
        body = {"error": "conflict", "message": str(exc), "current": None if current is None
                else {"value": current.value, "comment": current.comment,
                      "flagged": current.flagged, "revision": current.revision}}
        db.session.rollback()
        return jsonify(body), 409
    except FieldError as exc:
        db.session.rollback()
        return web.refused_json(exc)
    result: dict[str, Any] = {"question_id": answer.question_id, "value": answer.value,
              "comment": answer.comment, "flagged": answer.flagged,
              "revision": answer.revision}
    db.session.commit()
    questionnaire = scored.questionnaire_of(get_catalog(), walker.assessment)
    stage_progress = ops.progress(questionnaire, ops.answers_of(walker.respondent))
    db.session.commit()
    result["progress"] = {p.stage: [p.answered, p.total] for p in stage_progress}
    result["saved"] = True
    return jsonify(result)


def review(walker: Walker) -> Any:
    catalog = get_catalog()
    questionnaire = scored.questionnaire_of(catalog, walker.assessment)
    answers = ops.answers_of(walker.respondent)
    db.session.commit()
    unanswered = [q for q in questionnaire.questions
                  if q.id not in answers or answers[q.id].value is None]
    flagged = [q for q in questionnaire.questions if q.id in answers and answers[q.id].flagged]
    return render_template("walk/review.html", walker=walker, assessment=walker.assessment,
                           unanswered=unanswered, flagged=flagged,
                           progress=ops.progress(questionnaire, answers))


def complete(walker: Walker) -> Response:
    if walker.participant:  # one person finishing does not finish the room's assessment
        walker.respondent.finished_at = walker.respondent.finished_at or utcnow()
        db.session.commit()
        return redirect(walker.url("done"))
    ops.complete(walker.assessment, walker.respondent)
    db.session.commit()
    flash(_("The assessment is complete. Here are the results."), "success")
    return redirect(walker.url("results"))


#: The report's downloads: the PDF and its editable Word copy, by file extension.
REPORT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def report(walker: Walker, fmt: str = "pdf") -> Any:
    """The report (PDF, or the Word copy with `fmt` docx) in the requested language (the
    page's language by default)."""
    from ..printing.cache import readiness_report
    from ..printing.render import ReportError
    from ..printing.report import file_name

    chosen = request.args.get("lang") or web.lang()
    if chosen not in LANGUAGES:
        abort(404)
    try:
        data = readiness_report(walker.assessment, chosen, fmt)
    except ReportError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(walker.url("results"))
    db.session.commit()
    name = file_name(walker.assessment, chosen, fmt)
    return Response(data, mimetype=REPORT_TYPES[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    })


def results(walker: Walker) -> Any:
    context = scored.results_context(get_catalog(), walker.assessment,
                                     shared=walker.blueprint == "share")
    db.session.commit()
    return render_template("results/results.html", walker=walker, **context)


def resubmit_after_expired_token(bp: Blueprint,
                                 walker_for: Callable[[dict[str, Any]], Any]) -> None:
    """A whole-stage post to `bp` whose CSRF token had expired: show it again, answers kept.

    Nothing is saved (the request could not be verified); the page comes back with what
    the person chose and a fresh token, and says so. `walker_for` finds the Walker from
    the route's values (or returns the response to give instead, such as a sign-in).
    Everything else of `bp` gets the app's own CSRF error.
    """

    @bp.errorhandler(CSRFError)
    def _expired(error: CSRFError) -> Any:
        if web.wants_json() or request.endpoint != f"{bp.name}.stage_post":
            return web.csrf_error(error)
        args = request.view_args or {}
        try:
            walker = walker_for(args)
        except HTTPException as exc:  # an abort here would otherwise become a 500
            return exc.response if exc.response is not None else web.http_error(exc)
        if not isinstance(walker, Walker):
            return walker
        flash(_("Your session had expired, so these answers are not saved yet. They are "
                "still here: press save again."), "warning")
        return stage_page(walker, str(args.get("stage", "")), form_values=dict(request.form),
                     status=400)
