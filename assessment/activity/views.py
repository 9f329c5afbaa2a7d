"""Activity pages: who changed what, when, old -> new, for an assessment, a roadmap or the
whole workspace; and the same list as CSV."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response

from .. import access, i18n
from ..rollout.exports import CSV_TYPE, file_name, to_csv
from ..tables import Assessment
from ..web import download, download_limit, get_catalog, lang
from . import operations as ops

bp = Blueprint("activity", __name__)


def _day(name: str) -> date | None:
    """A date filter as typed in the page's language; a bad one is ignored (and said)."""
    text = (request.args.get(name) or "").strip()
    if not text:
        return None
    try:
        return i18n.parse_date_input(text, lang())
    except ValueError:
        return None


def _filters() -> ops.Filters:
    return ops.Filters(who=(request.args.get("who") or "")[:300], since=_day("since"),
                       until=_day("until"))


def _page(scope: ops.Scope, title: str, csv_url: str, assessment: Assessment | None,
          crumb: str) -> str:
    filters = _filters()
    try:
        number = int(request.args.get("page") or 1)
    except ValueError:
        number = 1
    found = ops.page(scope, filters, number)
    found.rows = ops.describe(get_catalog(), found.entries, lang())
    args = {k: v for k, v in request.args.items() if k in ("who", "since", "until") and v}
    return render_template(
        "activity/activity.html", title=title, found=found, filters=filters,
        people=ops.people(scope, lang()), assessment=assessment, crumb=crumb,
        csv_url=csv_url,
        args=args, since=i18n.date_input(filters.since, lang()),
        until=i18n.date_input(filters.until, lang()))


def _csv(scope: ops.Scope, name: str) -> Response:
    rows = ops.describe(get_catalog(), ops.all_entries(scope, _filters()), lang())
    return download(to_csv(ops.sheet(rows, name)), name, CSV_TYPE)


@bp.get("/activity")
@login_required
def workspace() -> Any:
    scope = ops.Scope(access.audit_or_404())
    return _page(scope, _("Activity"), url_for("activity.workspace_csv"), None, "workspace")


@bp.get("/activity.csv")
@download_limit
@login_required
def workspace_csv() -> Response:
    scope = ops.Scope(access.audit_or_404())
    return _csv(scope, f"activity-{lang()}.csv")


@bp.get("/assessments/<int:assessment_id>/activity")
@login_required
def assessment(assessment_id: int) -> Any:
    found = access.assessment_or_404(assessment_id)
    scope = ops.Scope(access.audit_or_404(), assessment_id=found.id)
    return _page(scope, _("Activity of this assessment"),
                 url_for("activity.assessment_csv", assessment_id=found.id), found,
                 "assessment")


@bp.get("/assessments/<int:assessment_id>/activity.csv")
@download_limit
@login_required
def assessment_csv(assessment_id: int) -> Response:
    found = access.assessment_or_404(assessment_id)
    scope = ops.Scope(access.audit_or_404(), assessment_id=found.id)
    return _csv(scope, file_name(found, lang(), "activity", "csv"))


@bp.get("/assessments/<int:assessment_id>/roadmap/activity")
@login_required
def roadmap(assessment_id: int) -> Any:
    found = access.roadmap_or_404(assessment_id)
    scope = ops.Scope(access.audit_or_404(), roadmap_id=found.id)
    return _page(scope, _("Activity of this roadmap"),
                 url_for("activity.roadmap_csv", assessment_id=assessment_id),
                 found.assessment, "roadmap")


@bp.get("/assessments/<int:assessment_id>/roadmap/activity.csv")
@download_limit
@login_required
def roadmap_csv(assessment_id: int) -> Response:
    found = access.roadmap_or_404(assessment_id)
    scope = ops.Scope(access.audit_or_404(), roadmap_id=found.id)
    return _csv(scope, file_name(found.assessment, lang(), "roadmap-activity", "csv"))
