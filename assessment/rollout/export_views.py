"""Downloads: an assessment's findings and milestones as CSV or XLSX."""

from __future__ import annotations

from flask import Blueprint, Response, request
from flask_login import login_required

from .. import i18n
from ..access import assessment_or_404
from ..web import download, download_limit, get_catalog, lang
from . import exports

bp = Blueprint("exports", __name__)


def _chosen_lang() -> str:
    chosen = request.args.get("lang")
    return chosen if chosen in i18n.LANGUAGES else lang()


@bp.get("/assessments/<int:assessment_id>/export/findings.csv")
@download_limit
@login_required
def findings_csv(assessment_id: int) -> Response:
    assessment = assessment_or_404(assessment_id)
    chosen = _chosen_lang()
    sheet = exports.findings_sheet(get_catalog(), assessment, chosen)
    return download(exports.to_csv(sheet),
                     exports.file_name(assessment, chosen, "findings", "csv"), exports.CSV_TYPE)


@bp.get("/assessments/<int:assessment_id>/export/milestones.csv")
@download_limit
@login_required
def milestones_csv(assessment_id: int) -> Response:
    assessment = assessment_or_404(assessment_id)
    chosen = _chosen_lang()
    sheet = exports.milestones_sheet(get_catalog(), assessment, chosen)
    return download(exports.to_csv(sheet),
                     exports.file_name(assessment, chosen, "milestones", "csv"),
                     exports.CSV_TYPE)


@bp.get("/assessments/<int:assessment_id>/export.xlsx")
@download_limit
@login_required
def workbook(assessment_id: int) -> Response:
    assessment = assessment_or_404(assessment_id)
    chosen = _chosen_lang()
    catalog = get_catalog()
    data = exports.to_xlsx([exports.findings_sheet(catalog, assessment, chosen),
                            exports.milestones_sheet(catalog, assessment, chosen)], chosen)
    return download(data, exports.file_name(assessment, chosen, "export", "xlsx"),
                     exports.XLSX_TYPE)
