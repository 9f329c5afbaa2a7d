"""The six-stage walk, for a consultant (signed in) and for an executive (share link).

Both use the same views; a `Walker` says who is answering and how URLs are built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from ..access import assessment_or_404
from ..app import get_catalog
from ..extensions import db, login_manager
from ..i18n import LANGUAGES
from ..schema import CANONICAL_STAGE_IDS
from ..tables import Assessment, Respondent, utcnow
from . import operations as ops

bp = Blueprint("walk", __name__, url_prefix="/assessments")
public_bp = Blueprint("share", __name__, url_prefix="/s")


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


def _consultant(assessment_id: int) -> Walker:
    assessment = assessment_or_404(assessment_id)
    return Walker(assessment, ops.consultant_respondent(assessment, current_user))


def _looking(assessment: Assessment) -> Respondent:
    """Who is looking at results: the consultant's own respondent row, or an unsaved one.

    Looking must not add an empty respondent, which would lower coverage.
    """
    found = ops.find_consultant_respondent(assessment, current_user)
    return found or Respondent(assessment_id=assessment.id, kind="consultant")


def _shared_assessment(token: str) -> Assessment:
    assessment = db.session.scalar(select(Assessment).where(Assessment.share_token == token))
    if assessment is None:
        abort(404)
    return assessment


def _executive(token: str) -> Walker:
    assessment = _shared_assessment(token)
    respondent_token = session.get("respondents", {}).get(str(assessment.id))
    respondent = db.session.scalar(select(Respondent).where(
        Respondent.token == respondent_token, Respondent.assessment_id == assessment.id
    )) if respondent_token else None
    if respondent is None:
        abort(redirect(url_for("share.start", token=token)))
    return Walker(assessment, respondent, "share", {"token": token})


# --- shared view bodies -----------------------------------------------------------


def _resume(walker: Walker) -> Response:
    catalog = get_catalog()
    questionnaire = ops.questionnaire_of(catalog, walker.assessment)
    answers = ops.answers_of(walker.respondent)
    stage = ops.resume_stage(questionnaire, walker.respondent, answers)
    db.session.commit()
    anchor = f"#q-{walker.respondent.last_question}" if walker.respondent.last_question else ""
    return redirect(walker.url("stage", stage=stage) + anchor)


def _stage(walker: Walker, stage: str, form_values: dict[str, Any] | None = None,
           errors: dict[str, str] | None = None, status: int = 200) -> Any:
    if stage not in CANONICAL_STAGE_IDS:
        abort(404)
    catalog = get_catalog()
    questionnaire = ops.questionnaire_of(catalog, walker.assessment)
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
        scale=catalog.scale,
    ), status


def _stage_post(walker: Walker, stage: str) -> Any:
    """The no-JavaScript path: the whole stage form at once. Nothing is saved on error."""
    if stage not in CANONICAL_STAGE_IDS:
        abort(404)
    catalog = get_catalog()
    questionnaire = ops.questionnaire_of(catalog, walker.assessment)
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
        except ops.AnswerError as exc:
            errors[question.id] = str(exc)
    if errors:
        db.session.rollback()
        flash(_("Nothing was saved: please correct the marked questions."), "danger")
        return _stage(walker, stage, form_values=dict(form), errors=errors, status=400)
    walker.respondent.last_stage = stage
    db.session.commit()
    flash(_("Your answers are saved."), "success")
    target = form.get("go")
    if target in CANONICAL_STAGE_IDS:
        return redirect(walker.url("stage", stage=target))
    if target == "review":
        return redirect(walker.url("review"))
    return redirect(walker.url("stage", stage=stage))


def _save_one(walker: Walker, question_id: str) -> Any:
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
    except ops.AnswerError as exc:
        db.session.rollback()
        return jsonify(error="invalid", field=exc.field, message=str(exc)), exc.status
    result: dict[str, Any] = {"question_id": answer.question_id, "value": answer.value,
              "comment": answer.comment, "flagged": answer.flagged,
              "revision": answer.revision}
    db.session.commit()
    questionnaire = ops.questionnaire_of(get_catalog(), walker.assessment)
    stage_progress = ops.progress(questionnaire, ops.answers_of(walker.respondent))
    db.session.commit()
    result["progress"] = {p.stage: [p.answered, p.total] for p in stage_progress}
    result["saved"] = True
    return jsonify(result)


def _review(walker: Walker) -> Any:
    catalog = get_catalog()
    questionnaire = ops.questionnaire_of(catalog, walker.assessment)
    answers = ops.answers_of(walker.respondent)
    db.session.commit()
    unanswered = [q for q in questionnaire.questions
                  if q.id not in answers or answers[q.id].value is None]
    flagged = [q for q in questionnaire.questions if q.id in answers and answers[q.id].flagged]
    return render_template("walk/review.html", walker=walker, assessment=walker.assessment,
                           unanswered=unanswered, flagged=flagged,
                           progress=ops.progress(questionnaire, answers))


def _complete(walker: Walker) -> Response:
    if walker.participant:  # one person finishing does not finish the room's assessment
        walker.respondent.finished_at = walker.respondent.finished_at or utcnow()
        db.session.commit()
        return redirect(walker.url("done"))
    ops.complete(walker.assessment, walker.respondent)
    db.session.commit()
    flash(_("The assessment is complete. Here are the results."), "success")
    return redirect(walker.url("results"))


def _report(walker: Walker) -> Any:
    """The PDF report in the requested language (the page's language by default)."""
    from ..report import ReportError, build_html, file_name, render_pdf
    from ..web import lang

    chosen = request.args.get("lang") or lang()
    if chosen not in LANGUAGES:
        abort(404)
    try:
        pdf = render_pdf(build_html(walker.assessment, chosen))
    except ReportError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(walker.url("results"))
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{file_name(walker.assessment, chosen)}"',
        "Cache-Control": "private, no-store",
    })


def _results(walker: Walker) -> Any:
    from ..results import results_context

    context = results_context(get_catalog(), walker.assessment)
    db.session.commit()
    return render_template("results/results.html", walker=walker, **context)


def stage_after_expired_token() -> Any:
    """A whole-stage post whose CSRF token had expired: show it again, answers kept.

    Nothing is saved (the request could not be verified); the page comes back with
    what the person chose and a fresh token, and says so.
    """
    args = request.view_args or {}
    if request.endpoint == "share.stage_post":
        walker = _executive(str(args.get("token", "")))
    elif request.endpoint == "workshop.stage_post":
        from ..workshop.views import participant_walker

        walker = participant_walker(str(args.get("code", "")))
    else:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        walker = _consultant(int(args.get("assessment_id", 0)))
    flash(_("Your session had expired, so these answers are not saved yet. They are still "
            "here: press save again."), "warning")
    return _stage(walker, str(args.get("stage", "")), form_values=dict(request.form),
                  status=400)


# --- consultant routes ------------------------------------------------------------


@bp.get("/<int:assessment_id>/walk")
@login_required
def resume(assessment_id: int) -> Response:
    return _resume(_consultant(assessment_id))


@bp.get("/<int:assessment_id>/walk/<stage>")
@login_required
def stage(assessment_id: int, stage: str) -> Any:
    return _stage(_consultant(assessment_id), stage)


@bp.post("/<int:assessment_id>/walk/<stage>")
@login_required
def stage_post(assessment_id: int, stage: str) -> Any:
    return _stage_post(_consultant(assessment_id), stage)


@bp.post("/<int:assessment_id>/answers/<question_id>")
@login_required
def save(assessment_id: int, question_id: str) -> Any:
    return _save_one(_consultant(assessment_id), question_id)


@bp.get("/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> Any:
    return _review(_consultant(assessment_id))


@bp.post("/<int:assessment_id>/complete")
@login_required
def complete(assessment_id: int) -> Response:
    return _complete(_consultant(assessment_id))


@bp.get("/<int:assessment_id>/report.pdf")
@login_required
def report(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    return _report(Walker(assessment, _looking(assessment)))


@bp.get("/<int:assessment_id>/results")
@login_required
def results(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    return _results(Walker(assessment, _looking(assessment)))


# --- executive self-assessment (no account) ---------------------------------------


@public_bp.route("/<token>", methods=["GET", "POST"])
def start(token: str) -> Any:
    assessment = _shared_assessment(token)
    known = session.get("respondents", {}).get(str(assessment.id))
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()[:120]
        role = (request.form.get("role") or "").strip()[:40]
        respondent = None
        if known:
            respondent = db.session.scalar(select(Respondent).where(Respondent.token == known))
        if respondent is None:
            respondent = Respondent(assessment=assessment, kind="executive", name=name,
                                    role=role)
            db.session.add(respondent)
        elif name:
            respondent.name = name
        db.session.commit()
        session.permanent = True
        session["respondents"] = {**session.get("respondents", {}),
                                  str(assessment.id): respondent.token}
        return redirect(url_for("share.resume", token=token))
    catalog = get_catalog()
    return render_template("walk/start.html", assessment=assessment, resuming=bool(known),
                           questionnaire=ops.questionnaire_of(catalog, assessment))


def share_resume(token: str) -> Response:
    return _resume(_executive(token))


def share_stage(token: str, stage: str) -> Any:
    return _stage(_executive(token), stage)


def share_stage_post(token: str, stage: str) -> Any:
    return _stage_post(_executive(token), stage)


def share_save(token: str, question_id: str) -> Any:
    return _save_one(_executive(token), question_id)


def share_review(token: str) -> Any:
    return _review(_executive(token))


def share_complete(token: str) -> Response:
    return _complete(_executive(token))


def share_results(token: str) -> Any:
    return _results(_executive(token))


# Public endpoints carry the same names as the consultant's, for Walker.url().
public_bp.add_url_rule("/<token>/walk", "resume", share_resume)
public_bp.add_url_rule("/<token>/walk/<stage>", "stage", share_stage)
public_bp.add_url_rule("/<token>/walk/<stage>", "stage_post", share_stage_post,
                       methods=["POST"])
public_bp.add_url_rule("/<token>/answers/<question_id>", "save", share_save, methods=["POST"])
public_bp.add_url_rule("/<token>/review", "review", share_review)
public_bp.add_url_rule("/<token>/complete", "complete", share_complete, methods=["POST"])
public_bp.add_url_rule("/<token>/results", "results", share_results)
public_bp.add_url_rule("/<token>/report.pdf", "report", lambda token: _report(_executive(token)))
