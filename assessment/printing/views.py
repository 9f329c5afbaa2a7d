"""The rollout status report: a one- or two-page PDF of a roadmap, for the board."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import login_required

from ..access import assessment_or_404
from ..extensions import db
from ..i18n import LANGUAGES, digits
from ..rollout.operations import current_date
from ..trend.chart import trend_svg
from ..trend.operations import compare
from ..web import download_limit, get_catalog, lang
from .render import ReportError
from .status import build_status_html, status_file_name, status_report

bp = Blueprint("status", __name__)

#: the HTML view is for looking at what WeasyPrint gets: it loads nothing from anywhere
_HTML_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@bp.get("/assessments/<int:assessment_id>/roadmap/status.pdf")
@download_limit
@login_required
def status_pdf(assessment_id: int) -> Any:
    """The status report as a download; ?format=html gives the HTML WeasyPrint renders."""
    assessment = assessment_or_404(assessment_id)
    roadmap = assessment.roadmap
    chosen = request.args.get("lang") or lang()
    if roadmap is None or chosen not in LANGUAGES:
        abort(404)
    today = current_date()
    name = status_file_name(roadmap, chosen, today)
    if request.args.get("format") == "html":
        chart, caption = _trend(assessment, chosen, today)
        html = build_status_html(roadmap, chosen, today, trend_svg=chart,
                                 trend_caption=caption)
        db.session.commit()
        return Response(html, mimetype="text/html", headers={
            "Content-Security-Policy": _HTML_POLICY, "Cache-Control": "private, no-store"})
    try:
        pdf = status_report(roadmap, chosen, today,
                            trend=lambda: _trend(assessment, chosen, today))
    except ReportError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
        return redirect(url_for("rollout.roadmap", assessment_id=assessment_id))
    db.session.commit()
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"',
        "Cache-Control": "private, no-store",
    })


def _trend(assessment: Any, chosen: str, today: Any) -> tuple[str | None, str]:
    """The maturity-over-time chart for the report, when the client has been re-assessed."""
    trend = compare(get_catalog(), assessment.client, assessment.questionnaire_id, today)
    if not trend.comparable:
        return None, ""
    with force_locale(chosen):
        caption = _("Maturity over time: the maturity index (thick line) and the six stages "
                    "across %(n)s assessments; the dashed line is the index projected if the "
                    "open gap milestones are done on time.", n=digits(len(trend.points), chosen))
    return trend_svg(trend, chosen, for_print=True), caption
