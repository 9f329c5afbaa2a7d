"""Re-assessing a client with the same questionnaire, and the trend across assessments."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from .. import i18n
from ..access import assessment_or_404, client_or_404
from ..extensions import db
from ..rollout.operations import current_date
from ..tables import Assessment, Client, Milestone, Roadmap
from ..web import get_catalog, lang, submit
from . import operations as ops
from .chart import STAGE_COLOURS, shows_today, trend_svg
from .forms import ReassessForm

bp = Blueprint("trend", __name__)


def default_title() -> str:
    """What a re-assessment is called when the form leaves its title empty."""
    return _("Re-assessment %(date)s", date=i18n.format_date(current_date(), lang()))


@bp.app_context_processor
def _reassess_helpers() -> dict[str, Callable[[], str]]:
    # For templates/trend/_reassess.html wherever it is included: a function, so the
    # date is only worked out on pages that show the form.
    return {"reassess_default_title": default_title}


def signed(value: float | None, places: int = 0) -> str:
    """A change as people read it: +5, −3 or 0, in the page's digits."""
    return i18n.signed(value, lang(), places)


@bp.post("/assessments/<int:assessment_id>/reassess")
@login_required
def reassess(assessment_id: int) -> BaseResponse:
    source = assessment_or_404(assessment_id)
    form = ReassessForm()

    def create() -> tuple[str, str]:
        title = (form.title.data or "").strip() or default_title()
        created = ops.reassess(get_catalog(), source, title)
        return (url_for("clients.assessment_detail", assessment_id=created.id),
                _("Re-assessment created with the same questionnaire, models and targets. "
                  "Once it has answers it appears on the client's trend."))

    done = submit(form, create)
    if done is not None:
        return done
    # The form sits on the assessment's page, so a refusal is flashed there. The operation
    # refuses only what it copies from the source (questionnaire, models, targets), which
    # has no field on this form; otherwise the title was too long.
    flash(form.form_errors[0] if form.form_errors else
          _("The title can be at most 200 characters long. Nothing was created."), "danger")
    return redirect(url_for("clients.assessment_detail", assessment_id=source.id))


def _questionnaire_choices(client: Client) -> list[tuple[str, int]]:
    """The questionnaires this client was assessed with, and how many assessments count."""
    catalog = get_catalog()
    counts = ops.questionnaire_counts(client)
    return [(qid, counts[qid]) for qid in catalog.questionnaires if qid in counts]


def _waiting(client: Client, questionnaire_id: str, trend: ops.Trend) -> list[Assessment]:
    """Assessments with this questionnaire that have no answer with a level yet."""
    counted = {p.assessment_id for p in trend.points}
    return [a for a in client.assessments
            if a.questionnaire_id == questionnaire_id and a.id not in counted]


@bp.get("/clients/<int:client_id>/trend")
@login_required
def client_trend(client_id: int) -> Any:
    client = client_or_404(client_id)
    catalog = get_catalog()
    questionnaire_id = request.args.get("questionnaire") or ops.default_questionnaire(
        catalog, client) or next(iter(catalog.questionnaires))
    if questionnaire_id not in catalog.questionnaires:
        abort(404)
    trend = ops.compare(catalog, client, questionnaire_id, current_date())
    source = (db.session.get(Assessment, trend.latest.assessment_id)
              if trend.latest is not None else None)
    milestones: dict[int, Milestone] = {}
    roadmap = None
    if trend.projection is not None:
        roadmap = db.session.get(Roadmap, trend.projection.roadmap_id)
        milestones = {m.id: m for m in roadmap.milestones} if roadmap else {}
    chart = trend_svg(trend, lang(), title=_("Maturity index and stage scores over time"))
    return render_template(
        "trend/trend.html", client=client, trend=trend,
        questionnaire=catalog.questionnaires[questionnaire_id],
        questionnaires=_questionnaire_choices(client), chart=chart,
        stage_colours=STAGE_COLOURS, today_marked=shows_today(trend), source=source,
        roadmap=roadmap, milestones=milestones,
        waiting=_waiting(client, questionnaire_id, trend), signed=signed,
        data_levels=ops.data_levels(client, trend.points))
