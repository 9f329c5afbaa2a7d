"""The six-stage walk's routes, for a consultant (signed in) and for an executive (share link).

Both use the same page bodies (`pages`); a `Walker` says who is answering and how URLs
are built.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from .. import results as scored
from .. import web
from ..access import assessment_or_404
from ..clients import share as links
from ..errors import FieldError
from ..extensions import db, login_manager
from ..tables import Assessment, Respondent
from ..web import download_limit, get_catalog
from . import operations as ops
from . import pages

bp = Blueprint("walk", __name__, url_prefix="/assessments")
public_bp = Blueprint("share", __name__, url_prefix="/s")


def _consultant(assessment_id: int) -> pages.Walker:
    assessment = assessment_or_404(assessment_id)
    return pages.Walker(assessment, ops.consultant_respondent(assessment, current_user))


def _looking(assessment: Assessment) -> Respondent:
    """Who is looking at results: the consultant's own respondent row, or an unsaved one.

    Looking must not add an empty respondent, which would lower coverage.
    """
    found = ops.find_consultant_respondent(assessment, current_user)
    return found or Respondent(assessment_id=assessment.id, kind="consultant")


def _link_gone() -> Response:
    """A link that does not work, whatever the reason: a plain page that names nothing."""
    return web.error_page(404, _("This link does not work. It may have expired or been "
                                 "replaced by a new one: ask whoever sent it to you."))


def _shared_assessment(token: str) -> Assessment:
    assessment = links.assessment_by_link(token)
    if assessment is None:
        abort(_link_gone())
    return assessment


def _read_only(token: str, error: FieldError) -> Response:
    """A write through the link of a complete assessment: refused, the results offered."""
    db.session.rollback()
    if web.wants_json():
        return make_response(*web.refused_json(error))
    return web.error_page(error.status, str(error),
                          (url_for("share.results", token=token), _("See the results")))


def _executive(token: str, writes: bool = False) -> pages.Walker:
    """The link's respondent walking. Once the assessment is complete the link shows the
    results: a page of the walk sends there, a write is refused (409)."""
    assessment = _shared_assessment(token)
    if writes:
        try:
            links.check_writable(assessment)
        except FieldError as exc:
            abort(_read_only(token, exc))
    elif links.read_only(assessment):
        abort(redirect(url_for("share.results", token=token)))
    respondent = links.link_respondent(assessment)
    if respondent is None:
        abort(redirect(url_for("share.start", token=token)))
    return pages.Walker(assessment, respondent, "share", {"token": token})


def _executive_looking(token: str) -> pages.Walker:
    """Results through the link: once complete, whether or not the link was ever started."""
    assessment = _shared_assessment(token)
    if not links.read_only(assessment):
        return _executive(token)
    respondent = links.link_respondent(assessment) or Respondent(assessment_id=assessment.id,
                                                                 kind="executive")
    return pages.Walker(assessment, respondent, "share", {"token": token})


# --- consultant routes ------------------------------------------------------------


@bp.get("/<int:assessment_id>/walk")
@login_required
def resume(assessment_id: int) -> Response:
    return pages.resume(_consultant(assessment_id))


@bp.get("/<int:assessment_id>/walk/<stage>")
@login_required
def stage(assessment_id: int, stage: str) -> Any:
    return pages.stage_page(_consultant(assessment_id), stage)


@bp.post("/<int:assessment_id>/walk/<stage>")
@login_required
def stage_post(assessment_id: int, stage: str) -> Any:
    return pages.stage_post(_consultant(assessment_id), stage)


@bp.post("/<int:assessment_id>/answers/<question_id>")
@login_required
def save(assessment_id: int, question_id: str) -> Any:
    return pages.save_one(_consultant(assessment_id), question_id)


@bp.get("/<int:assessment_id>/review")
@login_required
def review(assessment_id: int) -> Any:
    return pages.review(_consultant(assessment_id))


@bp.post("/<int:assessment_id>/complete")
@login_required
def complete(assessment_id: int) -> Response:
    return pages.complete(_consultant(assessment_id))


@bp.get("/<int:assessment_id>/report.pdf")
@download_limit
@login_required
def report(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    return pages.report(pages.Walker(assessment, _looking(assessment)))


@bp.get("/<int:assessment_id>/report.docx")
@download_limit
@login_required
def report_docx(assessment_id: int) -> Any:
    """The report's editable Word copy."""
    assessment = assessment_or_404(assessment_id)
    return pages.report(pages.Walker(assessment, _looking(assessment)), "docx")


@bp.get("/<int:assessment_id>/results")
@login_required
def results(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    return pages.results(pages.Walker(assessment, _looking(assessment)))


# --- executive self-assessment (no account) ---------------------------------------


@public_bp.route("/<token>", methods=["GET", "POST"])
def start(token: str) -> Any:
    """The link's first page: a name the first time, then straight on, on any device."""
    assessment = _shared_assessment(token)
    if request.method == "POST":
        try:
            links.start(assessment, request.form.get("name") or "", request.form.get("role") or "")
        except FieldError as exc:
            return _read_only(token, exc)
        db.session.commit()
        return redirect(url_for("share.resume", token=token))
    if links.read_only(assessment):
        return redirect(url_for("share.results", token=token))
    catalog = get_catalog()
    started = links.link_respondent(assessment) is not None
    db.session.commit()
    return render_template("walk/start.html", assessment=assessment, resuming=started,
                           token=token, questionnaire=scored.questionnaire_of(catalog, assessment))


def share_resume(token: str) -> Response:
    return pages.resume(_executive(token))


def share_stage(token: str, stage: str) -> Any:
    return pages.stage_page(_executive(token), stage)


def share_stage_post(token: str, stage: str) -> Any:
    return pages.stage_post(_executive(token, writes=True), stage)


def share_save(token: str, question_id: str) -> Any:
    return pages.save_one(_executive(token, writes=True), question_id)


def share_review(token: str) -> Any:
    return pages.review(_executive(token))


def share_complete(token: str) -> Response:
    return pages.complete(_executive(token, writes=True))


def share_results(token: str) -> Any:
    return pages.results(_executive_looking(token))


@download_limit
def share_report(token: str) -> Any:
    return pages.report(_executive_looking(token))


@download_limit
def share_report_docx(token: str) -> Any:
    return pages.report(_executive_looking(token), "docx")


# Public endpoints carry the same names as the consultant's, for Walker.url().
public_bp.add_url_rule("/<token>/walk", "resume", share_resume)
public_bp.add_url_rule("/<token>/walk/<stage>", "stage", share_stage)
public_bp.add_url_rule("/<token>/walk/<stage>", "stage_post", share_stage_post,
                       methods=["POST"])
public_bp.add_url_rule("/<token>/answers/<question_id>", "save", share_save, methods=["POST"])
public_bp.add_url_rule("/<token>/review", "review", share_review)
public_bp.add_url_rule("/<token>/complete", "complete", share_complete, methods=["POST"])
public_bp.add_url_rule("/<token>/results", "results", share_results)
public_bp.add_url_rule("/<token>/report.pdf", "report", share_report)
public_bp.add_url_rule("/<token>/report.docx", "report_docx", share_report_docx)


def _consultant_after_expiry(args: dict[str, Any]) -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    return _consultant(int(args.get("assessment_id", 0)))


pages.resubmit_after_expired_token(bp, _consultant_after_expiry)
pages.resubmit_after_expired_token(public_bp,
                                   lambda args: _executive(str(args.get("token", "")), True))
