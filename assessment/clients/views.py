"""Clients and their assessments, for a signed-in consultant's workspace."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import results
from ..access import assessment_or_404, client_or_404
from ..brand import read_upload
from ..i18n import date_input, format_date
from ..schema import CANONICAL_STAGE_IDS
from ..tables import Assessment
from ..walk import operations as walk_ops
from ..web import form_date, get_catalog, lang, submit
from ..workshop import operations as workshop_ops
from . import operations as ops
from . import share as links
from .forms import ActionForm, AssessmentForm, ClientForm, LinkDayForm, ShareForm, choices

bp = Blueprint("clients", __name__)


@bp.get("/dashboard")
@login_required
def dashboard() -> str:
    clients = ops.workspace_clients(current_user.workspace_id, lang())
    return render_template("clients/dashboard.html", clients=clients)


def _client_values(form: ClientForm) -> dict[str, str]:
    return {name: getattr(form, name).data or "" for name in ops.CLIENT_FIELDS}


def _logo_bytes(form: ClientForm) -> bytes | None:
    return read_upload(form.logo.data)


def _page(template: str, form: Any, **context: Any) -> tuple[str, int]:
    return render_template(template, form=form, **context), 400 if form.errors else 200


@bp.route("/clients/new", methods=["GET", "POST"])
@login_required
def client_new() -> Any:
    form = ClientForm()

    def create() -> tuple[str, str]:
        client = ops.save_client(current_user.workspace, _client_values(form), _logo_bytes(form))
        return (url_for("clients.client_detail", client_id=client.id),
                _("Client %(name)s created.", name=client.name))

    return submit(form, create) or _page("clients/form.html", form, client=None)


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
@login_required
def client_edit(client_id: int) -> Any:
    client = client_or_404(client_id)
    form = ClientForm(obj=client)

    def update() -> tuple[str, str]:
        ops.save_client(current_user.workspace, _client_values(form), _logo_bytes(form),
                        client=client)
        return url_for("clients.client_detail", client_id=client.id), _("Changes saved.")

    return submit(form, update) or _page("clients/form.html", form, client=client)


@bp.get("/clients/<int:client_id>")
@login_required
def client_detail(client_id: int) -> str:
    client = client_or_404(client_id)
    catalog = get_catalog()
    summaries = []
    for assessment in client.assessments:
        summaries.append((assessment, results.score_assessment(catalog, assessment)))
    return render_template("clients/detail.html", client=client, summaries=summaries,
                           share_form=ShareForm(title=_("Executive self-assessment")))


@bp.get("/clients/<int:client_id>/logo")
@login_required
def client_logo(client_id: int) -> Response:
    client = client_or_404(client_id)
    if not client.logo:
        abort(404)
    return Response(client.logo, mimetype=client.logo_type or "application/octet-stream",
                    headers={"Cache-Control": "private, max-age=300",
                             "X-Content-Type-Options": "nosniff"})


def _assessment_form(catalog: Any, assessment: Assessment | None = None) -> AssessmentForm:
    form = AssessmentForm(obj=None)
    form.questionnaire.choices = choices([(q.id, q.name.get(lang()))
                                          for q in catalog.questionnaires.values()])
    form.models.choices = choices([(m.id, m.name.get(lang())) for m in catalog.models.values()])
    if request.method == "GET":
        if assessment is None:
            form.models.data = list(catalog.models)
            form.questionnaire.data = "workshop" if "workshop" in catalog.questionnaires else None
            for stage in CANONICAL_STAGE_IDS:
                getattr(form, f"target_{stage}").data = str(catalog.default_target)
        else:
            form.title.data = assessment.title
            form.questionnaire.data = assessment.questionnaire_id
            form.models.data = list(assessment.model_ids)
            form.due_on.data = date_input(assessment.due_on, lang())
            for stage in CANONICAL_STAGE_IDS:
                getattr(form, f"target_{stage}").data = str(assessment.targets.get(
                    stage, catalog.default_target))
    return form


def _targets(form: AssessmentForm) -> dict[str, int]:
    return {stage: int(getattr(form, f"target_{stage}").data)
            for stage in CANONICAL_STAGE_IDS}


@bp.route("/clients/<int:client_id>/assessments/new", methods=["GET", "POST"])
@login_required
def assessment_new(client_id: int) -> Any:
    client = client_or_404(client_id)
    catalog = get_catalog()
    form = _assessment_form(catalog)

    def create() -> tuple[str, str]:
        assessment = ops.create_assessment(
            catalog, client, title=form.title.data or "",
            questionnaire_id=form.questionnaire.data or "",
            model_ids=form.models.data or [], targets=_targets(form),
            due_on=form_date("due_on", form.due_on.data))
        return (url_for("clients.assessment_detail", assessment_id=assessment.id),
                _("Assessment created. Start the walk whenever you are ready."))

    return submit(form, create) or _page("clients/assessment_form.html", form, client=client,
                                         assessment=None)


@bp.route("/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
@login_required
def assessment_edit(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    catalog = get_catalog()
    form = _assessment_form(catalog, assessment)
    form.questionnaire.render_kw = {"disabled": True}
    form.questionnaire.data = assessment.questionnaire_id

    def update() -> tuple[str, str]:
        ops.update_assessment(catalog, assessment, title=form.title.data or "",
                              model_ids=form.models.data or [], targets=_targets(form),
                              due_on=form_date("due_on", form.due_on.data))
        return (url_for("clients.assessment_detail", assessment_id=assessment.id),
                _("Changes saved."))

    return submit(form, update) or _page("clients/assessment_form.html", form,
                                         client=assessment.client, assessment=assessment)


def _detail_page(assessment: Assessment, day_form: LinkDayForm | None = None) -> Any:
    catalog = get_catalog()
    questionnaire = results.questionnaire_of(catalog, assessment)
    respondent = walk_ops.find_consultant_respondent(assessment, current_user)
    answers = walk_ops.answers_of(respondent) if respondent else {}
    link = links.state(assessment)
    if day_form is None:
        day_form = LinkDayForm(formdata=None, last_day=date_input(link.last_day, lang()))

    workshop = assessment.workshop
    return render_template(
        "clients/assessment_detail.html", assessment=assessment,
        questionnaire=questionnaire, progress=walk_ops.progress(questionnaire, answers),
        respondents=assessment.respondents, workshop=workshop,
        labels=workshop_ops.participant_labels(assessment, workshop.named) if workshop else {},
        link=link, day_form=day_form, action_form=ActionForm(formdata=None),
    ), 400 if day_form.errors else 200


def _detail_url(assessment: Assessment) -> str:
    return url_for("clients.assessment_detail", assessment_id=assessment.id)


@bp.get("/assessments/<int:assessment_id>")
@login_required
def assessment_detail(assessment_id: int) -> Any:
    return _detail_page(assessment_or_404(assessment_id))


@bp.post("/assessments/<int:assessment_id>/reopen")
@login_required
def reopen(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)

    def reopen_it() -> tuple[str, str]:
        walk_ops.reopen(assessment)
        return _detail_url(assessment), _("The assessment is in progress again: its answers "
                                          "can be changed, through its link too.")

    return submit(ActionForm(), reopen_it) or redirect(_detail_url(assessment))


# --- the executive's self-assessment link -----------------------------------------------


@bp.post("/assessments/<int:assessment_id>/share/new")
@login_required
def share_new(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    replaced = assessment.share_token is not None

    def issue() -> tuple[str, str]:
        links.issue_link(assessment)
        return _detail_url(assessment), (
            _("Here is a new link; the old one no longer works. Send the new one to the "
              "executive: they continue where they left off.") if replaced
            else _("Link created. Send it to the executive: no account is needed."))

    return submit(ActionForm(), issue) or redirect(_detail_url(assessment))


@bp.post("/assessments/<int:assessment_id>/share/revoke")
@login_required
def share_revoke(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)

    def revoke() -> tuple[str, str]:
        links.revoke_link(assessment)
        return _detail_url(assessment), _("The link is revoked: it no longer opens. The "
                                          "answers given through it stay.")

    return submit(ActionForm(), revoke) or redirect(_detail_url(assessment))


@bp.post("/assessments/<int:assessment_id>/share/last-day")
@login_required
def share_last_day(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    form = LinkDayForm()

    def change() -> tuple[str, str]:
        day = form_date("last_day", form.last_day.data)
        links.set_last_day(assessment, day)
        return _detail_url(assessment), _("The link now works until %(date)s.",
                                          date=format_date(day, lang()))

    return submit(form, change) or _detail_page(assessment, form)


@bp.post("/clients/<int:client_id>/share")
@login_required
def share_link(client_id: int) -> Any:
    """A new executive self-assessment with a link that needs no account."""
    client = client_or_404(client_id)
    catalog = get_catalog()
    form = ShareForm()

    def create() -> tuple[str, str]:
        questionnaire = "executive" if "executive" in catalog.questionnaires else next(
            iter(catalog.questionnaires))
        assessment = ops.create_assessment(catalog, client, title=form.title.data or "",
                                           questionnaire_id=questionnaire, share=True)
        return (url_for("clients.assessment_detail", assessment_id=assessment.id),
                _("Link created. Send it to the executive: no account is needed."))

    done = submit(form, create)
    if done is not None:
        return done
    # The form sits on the client's page: say there why no link was made.
    flash(form.form_errors[0] if form.form_errors else _("Give the self-assessment a title."),
          "danger")
    return redirect(url_for("clients.client_detail", client_id=client.id))
