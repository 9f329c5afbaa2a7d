"""Roadmaps, milestones, the board and the timeline, and the client's project team."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.wrappers import Response as BaseResponse

from ..access import (
    assessment_or_404,
    client_or_404,
    evidence_or_404,
    may,
    member_or_404,
    milestone_or_404,
    roadmap_or_404,
)
from ..clients.forms import choices
from ..errors import FieldError
from ..extensions import csrf, db
from ..i18n import date_input, digits
from ..printing.status import latest_scored
from ..tables import (
    CUSTOM_MODEL,
    MILESTONE_STATUSES,
    Milestone,
    Roadmap,
)
from ..web import form_date, get_catalog, is_safe_next, lang, submit, wants_json
from . import burnup, gantt
from . import operations as ops
from .forms import (
    ORIGIN_LABELS,
    STATUS_LABELS,
    ConfirmForm,
    FileForm,
    LinkForm,
    MemberForm,
    MilestoneForm,
    MyMilestoneForm,
    ProposeForm,
    StatusForm,
)

bp = Blueprint("rollout", __name__)
VIEWS = ("list", "board", "timeline")


# --- helpers ----------------------------------------------------------------------


def _roadmap_url(roadmap: Roadmap, view: str | None = None, anchor: str | None = None) -> str:
    return url_for("rollout.roadmap", assessment_id=roadmap.assessment_id,
                   view=view if view and view != "list" else None, _anchor=anchor)


def model_name(roadmap: Roadmap) -> str:
    catalog = get_catalog()
    if roadmap.model_id == CUSTOM_MODEL or roadmap.model_id not in catalog.models:
        return roadmap.title or _("Custom roadmap")
    return catalog.models[roadmap.model_id].name.get(lang())


# --- proposing a roadmap ----------------------------------------------------------


@bp.route("/assessments/<int:assessment_id>/roadmap", methods=["GET"])
@login_required
def roadmap(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    catalog = get_catalog()
    if assessment.roadmap is None:
        form = ProposeForm()
        _propose_choices(form)
        form.starts_on.data = date_input(ops.current_date(), lang())
        form.model.data = "gartner" if "gartner" in catalog.models else next(iter(catalog.models))
        return render_template("rollout/propose.html", assessment=assessment, form=form)
    return _roadmap_page(assessment.roadmap)


def _propose_choices(form: ProposeForm) -> None:
    catalog = get_catalog()
    form.model.choices = choices(
        [(m.id, m.name.get(lang())) for m in catalog.models.values()]
        + [(CUSTOM_MODEL, _("A custom roadmap (the six stages)"))])


@bp.post("/assessments/<int:assessment_id>/roadmap")
@login_required
def propose(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    if assessment.roadmap is not None:
        flash(_("This assessment already has a roadmap."), "warning")
        return redirect(url_for("rollout.roadmap", assessment_id=assessment.id))
    catalog = get_catalog()
    form = ProposeForm()
    _propose_choices(form)

    def create() -> tuple[str, str]:
        starts_on = form_date("starts_on", form.starts_on.data)
        if starts_on is None:
            raise FieldError("starts_on", _("Give the date the rollout starts."))
        made = ops.propose_roadmap(catalog, assessment, form.model.data or "",
                                   starts_on=starts_on, title=form.title.data or "",
                                   stage_days=form.stage_days.data or ops.STAGE_DAYS)
        return (url_for("rollout.roadmap", assessment_id=assessment.id),
                _("Roadmap proposed with %(n)s milestones. Review it, change what does not "
                  "fit, then accept it.", n=digits(len(made.milestones), lang())))

    done = submit(form, create)
    if done is not None:
        return done
    return render_template("rollout/propose.html", assessment=assessment, form=form), 400


@bp.post("/assessments/<int:assessment_id>/roadmap/accept")
@login_required
def accept(assessment_id: int) -> BaseResponse:
    roadmap = roadmap_or_404(assessment_id)
    if ConfirmForm().validate_on_submit():
        ops.accept_roadmap(roadmap)
        db.session.commit()
        flash(_("Roadmap accepted. Track its milestones here as the work goes on."), "success")
    return redirect(_roadmap_url(roadmap))


@bp.post("/assessments/<int:assessment_id>/roadmap/discard")
@login_required
def discard(assessment_id: int) -> BaseResponse:
    roadmap = roadmap_or_404(assessment_id)
    if roadmap.accepted_at is not None:
        # Tracking history and evidence hang on an accepted roadmap: remove milestones one
        # by one instead.
        flash(_("An accepted roadmap cannot be discarded; remove the milestones that no "
                "longer apply instead."), "danger")
    elif ConfirmForm().validate_on_submit():
        ops.discard_roadmap(roadmap)
        db.session.commit()
        flash(_("The roadmap and its milestones were deleted."), "success")
    return redirect(url_for("rollout.roadmap", assessment_id=assessment_id))


# --- the roadmap page: list, board, timeline ---------------------------------------


def _roadmap_page(roadmap: Roadmap) -> str:
    catalog = get_catalog()
    view = request.args.get("view", "list")
    if view not in VIEWS:
        view = "list"
    today = ops.current_date()
    # Gates are judged on the latest completed assessment, as in the status report.
    gates_from, result = latest_scored(catalog, roadmap)
    stages = ops.roadmap_stages(catalog, roadmap, result, gates_from)
    # One query each for milestones, their evidence, dependencies and owners, not one per row.
    milestones = list(db.session.scalars(
        select(Milestone).where(Milestone.roadmap_id == roadmap.id)
        .order_by(Milestone.position, Milestone.id)
        .options(selectinload(Milestone.evidence), selectinload(Milestone.depends_on),
                 joinedload(Milestone.owner))))
    by_stage: dict[str, list[Milestone]] = {s.id: [] for s in stages}
    for m in milestones:
        by_stage.setdefault(m.stage, []).append(m)
    by_status: dict[str, list[Milestone]] = {s: [] for s in MILESTONE_STATUSES}
    for m in milestones:
        by_status[m.status].append(m)
    for items in by_status.values():
        items.sort(key=lambda m: (m.due_on or date.max, m.position))
    gate_text = {}
    if roadmap.model_id in catalog.models:
        for model_stage in catalog.models[roadmap.model_id].stages:
            for gate in model_stage.gates:
                gate_text[(model_stage.id, gate.id)] = gate.description.get(lang())
    return render_template(
        "rollout/roadmap.html", roadmap=roadmap, assessment=roadmap.assessment,
        model_name=model_name(roadmap), view=view, today=today, stages=stages,
        by_stage=by_stage, by_status=by_status,
        progress={p.stage: p for p in ops.stage_progress(stages, milestones, today)},
        overall=ops.overall_percent(milestones),
        overdue=[m for m in milestones if m.overdue(today)],
        blocked=by_status["blocked"],
        timeline=gantt.build(stages, milestones, today, lang()) if view == "timeline" else None,
        burnup=_burnup(roadmap, milestones, today),
        gate_text=gate_text, gates_from=gates_from, status_labels=STATUS_LABELS,
        origin_labels=ORIGIN_LABELS,
        confirm=ConfirmForm(), status_form=StatusForm(), waiting_on=ops.waiting_on,
        **_who_changes(),
    )


def _who_changes() -> dict[str, Any]:
    """What the page offers to change: everything to whoever plans the roadmap, only their
    own milestones to a team member (the server refuses the rest either way)."""
    plans = may("rollout.milestone_edit")
    mine = set() if plans else ops.team_member_ids(current_user, int(current_user.workspace_id))

    def milestone_href(m: Milestone) -> str:
        if plans:
            return url_for("rollout.milestone_edit", milestone_id=m.id)
        if m.owner_id in mine:
            return url_for("rollout.my_milestones", _anchor=f"m{m.id}")
        return f"#m{m.id}"

    return {"plans": plans, "mine": mine, "milestone_href": milestone_href}


def _burnup(roadmap: Roadmap, milestones: list[Milestone],
            today: date) -> tuple[burnup.Burnup, str] | None:
    chart = burnup.build(milestones, roadmap.starts_on, today)
    if chart is None:
        return None
    return chart, burnup.burnup_svg(chart, lang(), title=_(
        "Milestones planned to be done by each date, against milestones done"))


# --- milestones -------------------------------------------------------------------


def _milestone_form(roadmap: Roadmap, milestone: Milestone | None, *,
                    submitted: bool = True) -> MilestoneForm:
    """The milestone form: from the request when it is the form submitted, else filled
    from the milestone (or with defaults for a new one)."""
    catalog = get_catalog()
    submitted = submitted and request.method == "POST"
    form = MilestoneForm() if submitted else MilestoneForm(formdata=None)
    form.stage.choices = choices([(s.id, s.name.get(lang()))
                                  for s in ops.roadmap_stages(catalog, roadmap)])
    form.owner_id.choices = choices([("", "—")] + [
        (str(p.id), p.name + (f" ({p.role})" if p.role else ""))
        for p in roadmap.assessment.client.team])
    form.depends_on.choices = choices([
        (str(m.id), f"{digits(m.position + 1, lang())}. {m.title(lang())}")
        for m in roadmap.milestones if milestone is None or m.id != milestone.id])
    if not submitted:
        if milestone is not None:
            form.title_en.data, form.title_fa.data = milestone.title_en, milestone.title_fa
            form.stage.data = milestone.stage
            form.owner_id.data = str(milestone.owner_id) if milestone.owner_id else ""
            form.start_on.data = date_input(milestone.start_on, lang())
            form.due_on.data = date_input(milestone.due_on, lang())
            form.status.data = milestone.status
            form.progress.data = milestone.progress
            form.depends_on.data = [str(m.id) for m in milestone.depends_on]
            form.notes.data = milestone.notes
        else:
            wanted = request.args.get("stage")
            form.stage.data = wanted if wanted in {c.value for c in form.stage.choices} else None
            form.status.data = "not_started"
            form.progress.data = 0
    return form


def _milestone_values(form: MilestoneForm) -> dict[str, Any]:
    owner = form.owner_id.data
    return {
        "title_en": form.title_en.data, "title_fa": form.title_fa.data,
        "stage": form.stage.data, "owner_id": int(owner) if owner else None,
        "start_on": form_date("start_on", form.start_on.data),
        "due_on": form_date("due_on", form.due_on.data),
        "status": form.status.data, "progress": form.progress.data,
        "notes": form.notes.data, "depends_on": form.depends_on.data or [],
    }


@bp.route("/assessments/<int:assessment_id>/roadmap/milestones/new", methods=["GET", "POST"])
@login_required
def milestone_new(assessment_id: int) -> Any:
    roadmap = roadmap_or_404(assessment_id)
    form = _milestone_form(roadmap, None)

    def create() -> tuple[str, str]:
        made = ops.save_milestone(get_catalog(), roadmap, _milestone_values(form))
        return _roadmap_url(roadmap, anchor=f"m{made.id}"), _("Milestone added.")

    done = submit(form, create)
    if done is not None:
        return done
    return render_template("rollout/milestone_form.html", roadmap=roadmap, milestone=None,
                           form=form), 400 if form.errors or form.form_errors else 200


@bp.route("/milestones/<int:milestone_id>", methods=["GET", "POST"])
@login_required
def milestone_edit(milestone_id: int) -> Any:
    milestone = milestone_or_404(milestone_id)
    roadmap = milestone.roadmap
    form = _milestone_form(roadmap, milestone)

    def update() -> tuple[str, str]:
        ops.save_milestone(get_catalog(), roadmap, _milestone_values(form), milestone)
        return _roadmap_url(roadmap, anchor=f"m{milestone.id}"), _("Changes saved.")

    done = submit(form, update)
    if done is not None:
        return done
    return _edit_page(milestone, form=form)


def _edit_page(milestone: Milestone, *, form: MilestoneForm | None = None,
               link_form: LinkForm | None = None,
               file_form: FileForm | None = None) -> tuple[str, int]:
    """The milestone page; a refused form comes back with what was typed and its error."""
    form = form or _milestone_form(milestone.roadmap, milestone, submitted=False)
    forms = (form, link_form, file_form)
    failed = any(f is not None and (f.errors or getattr(f, "form_errors", None))
                 for f in forms)
    return render_template(
        "rollout/milestone_form.html", roadmap=milestone.roadmap, milestone=milestone,
        form=form, link_form=link_form or LinkForm(formdata=None),
        file_form=file_form or FileForm(formdata=None),
        confirm=ConfirmForm(formdata=None), origin_labels=ORIGIN_LABELS,
        waiting=ops.waiting_on(milestone), max_mib=ops.EVIDENCE_MAX_BYTES // (1024 * 1024),
        extensions=ops.EVIDENCE_EXTENSIONS,
    ), 400 if failed else 200


@bp.post("/milestones/<int:milestone_id>/status")
@login_required
def milestone_status(milestone_id: int) -> Any:
    """Move a milestone on the board (a plain form post, or fetch asking for JSON)."""
    milestone = milestone_or_404(milestone_id)
    form = StatusForm()
    back = request.form.get("back") or "board"
    error = None
    was_done = milestone.status == "done"
    if not form.validate_on_submit():
        error = next(iter(form.errors.values()), [_("Choose a status from the list.")])[0]
    else:
        try:
            ops.set_status(milestone, form.status.data or "", form.progress.data,
                           today=ops.current_date())
        except FieldError as exc:
            db.session.rollback()
            error = str(exc)
        else:
            db.session.commit()
    if wants_json():
        if error:
            return jsonify(error="invalid", message=error), 400
        return jsonify(id=milestone.id, status=milestone.status, progress=milestone.progress,
                       label=str(STATUS_LABELS[milestone.status]))
    if error:
        flash(error, "danger")
    else:
        flash(_("“%(title)s” is now: %(status)s.", title=milestone.title(lang()),
                status=STATUS_LABELS[milestone.status]), "success")
        if was_done and milestone.status != "done":
            flash(_("Its progress went back to 0%; set it on the milestone if the work is "
                    "further along."), "info")
    return redirect(_roadmap_url(milestone.roadmap, view=back if back in VIEWS else None,
                                 anchor=f"m{milestone.id}"))


@bp.post("/milestones/<int:milestone_id>/delete")
@login_required
def milestone_delete(milestone_id: int) -> BaseResponse:
    milestone = milestone_or_404(milestone_id)
    roadmap = milestone.roadmap
    if ConfirmForm().validate_on_submit():
        title = milestone.title(lang())
        ops.delete_milestone(milestone)
        db.session.commit()
        flash(_("Milestone “%(title)s” removed.", title=title), "success")
    return redirect(_roadmap_url(roadmap))


# --- evidence ---------------------------------------------------------------------


def _evidence_done(milestone: Milestone, action: Callable[[], Any], message: str,
                   form: LinkForm | FileForm) -> Any:
    """Add evidence; refused, the page comes back with what was typed and the error."""
    which = "link_form" if isinstance(form, LinkForm) else "file_form"

    def add() -> tuple[str, str]:
        action()
        return url_for("rollout.milestone_edit", milestone_id=milestone.id,
                       _anchor="evidence"), message

    return submit(form, add) or _edit_page(milestone, **{which: form})


@bp.post("/milestones/<int:milestone_id>/evidence/link")
@login_required
def evidence_link(milestone_id: int) -> Any:
    milestone = milestone_or_404(milestone_id)
    form = LinkForm()
    return _evidence_done(milestone, lambda: ops.add_link(milestone, form.url.data or "",
                                                          form.label.data or ""),
                          _("Link added."), form)


@bp.post("/milestones/<int:milestone_id>/evidence/file")
@csrf.exempt  # the app-wide check would read the body under the smaller app-wide limit
@login_required
def evidence_file(milestone_id: int) -> Any:
    # An evidence file may be larger than the app-wide upload limit; the form gets a little
    # room so the size check can answer with its own message. FileForm checks the CSRF
    # token itself.
    request.max_content_length = ops.EVIDENCE_MAX_BYTES + 256 * 1024
    milestone = milestone_or_404(milestone_id)
    form = FileForm()
    return _evidence_done(milestone, lambda: _add_upload(milestone, form), _("File added."),
                          form)


def _add_upload(milestone: Milestone, form: FileForm) -> None:
    """The file the form carries, as the milestone's evidence (read no further than the
    size limit)."""
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        raise FieldError("file", _("Choose a file."))
    try:
        data = upload.read(ops.EVIDENCE_MAX_BYTES + 1)
    finally:
        upload.close()
    ops.add_file(milestone, upload.filename, data, form.label.data or "")


@bp.get("/evidence/<int:evidence_id>")
@login_required
def evidence_download(evidence_id: int) -> Response:
    evidence = evidence_or_404(evidence_id)
    if evidence.kind != "file" or evidence.data is None:
        abort(404)
    from urllib.parse import quote

    return Response(evidence.data, mimetype=evidence.content_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(evidence.filename)}",
        "X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store",
        "Content-Security-Policy": "sandbox; default-src 'none'"})


@bp.post("/evidence/<int:evidence_id>/delete")
@login_required
def evidence_delete(evidence_id: int) -> BaseResponse:
    evidence = evidence_or_404(evidence_id)
    milestone = evidence.milestone
    if ConfirmForm().validate_on_submit():
        ops.delete_evidence(evidence)
        db.session.commit()
        flash(_("Evidence removed."), "success")
    return redirect(url_for("rollout.milestone_edit", milestone_id=milestone.id,
                            _anchor="evidence"))


# --- the project team -------------------------------------------------------------


@bp.route("/clients/<int:client_id>/team", methods=["GET", "POST"])
@login_required
def team(client_id: int) -> Any:
    client = client_or_404(client_id)
    form = MemberForm()

    # Checked before anything is written: a bad `next` falls back to the team page.
    target = request.args.get("next") or ""
    if not is_safe_next(target):
        target = url_for("rollout.team", client_id=client.id)

    def add() -> tuple[str, str]:
        person = ops.save_member(client, {"name": form.name.data or "",
                                          "email": form.email.data or "",
                                          "role": form.role.data or ""})
        return target, _("%(name)s added to the team.", name=person.name)

    done = submit(form, add)
    if done is not None:
        return done
    owned: dict[int, int] = {}
    for assessment in client.assessments:
        if assessment.roadmap is not None:
            for m in assessment.roadmap.milestones:
                if m.owner_id is not None and m.status != "done":
                    owned[m.owner_id] = owned.get(m.owner_id, 0) + 1
    return render_template("rollout/team.html", client=client, form=form, owned=owned,
                           confirm=ConfirmForm(formdata=None)), 400 if form.errors else 200


@bp.route("/team/<int:member_id>", methods=["GET", "POST"])
@login_required
def member_edit(member_id: int) -> Any:
    member = member_or_404(member_id)
    form = MemberForm(obj=member if request.method == "GET" else None)

    def update() -> tuple[str, str]:
        ops.save_member(member.client, {"name": form.name.data or "",
                                        "email": form.email.data or "",
                                        "role": form.role.data or ""}, member)
        return url_for("rollout.team", client_id=member.client_id), _("Changes saved.")

    done = submit(form, update)
    if done is not None:
        return done
    return render_template("rollout/member_form.html", member=member, form=form), \
        400 if form.errors else 200


@bp.post("/team/<int:member_id>/delete")
@login_required
def member_delete(member_id: int) -> BaseResponse:
    member = member_or_404(member_id)
    client_id = member.client_id
    if ConfirmForm().validate_on_submit():
        name = member.name
        db.session.delete(member)
        db.session.commit()
        flash(_("%(name)s removed from the team; their milestones now have no owner.",
                name=name), "success")
    return redirect(url_for("rollout.team", client_id=client_id))


# --- the client's own people: a team member's milestones, a viewer's client -------


@bp.get("/my")
@login_required
def mine() -> BaseResponse:
    """Where an account that holds client grants lands: its milestones when it is on a
    project team, else the client it reads."""
    workspace_id = int(current_user.workspace_id)
    if ops.team_member_ids(current_user, workspace_id):
        return redirect(url_for("rollout.my_milestones"))
    clients = ops.viewer_clients(current_user, workspace_id)
    if len(clients) == 1:
        return redirect(url_for("rollout.my_client", client_id=clients[0].id))
    if may("clients.dashboard"):
        return redirect(url_for("clients.dashboard"))
    return redirect(url_for("rollout.my_milestones"))  # says there is nothing yet


@bp.get("/my/milestones")
@login_required
def my_milestones() -> str:
    today = ops.current_date()
    milestones = ops.my_milestones(current_user, int(current_user.workspace_id), today)
    catalog = get_catalog()
    roadmaps = {m.roadmap_id: m.roadmap for m in milestones}
    stage_names = {r.id: {s.id: s.name for s in ops.roadmap_stages(catalog, r)}
                   for r in roadmaps.values()}
    return render_template(
        "rollout/my_milestones.html", milestones=milestones, today=today,
        roadmap_names={r.id: model_name(r) for r in roadmaps.values()},
        stage_names=stage_names, status_labels=STATUS_LABELS,
        form=MyMilestoneForm(formdata=None), file_form=FileForm(formdata=None),
        max_mib=ops.EVIDENCE_MAX_BYTES // (1024 * 1024), extensions=ops.EVIDENCE_EXTENSIONS)


def _my_url(milestone: Milestone) -> str:
    return url_for("rollout.my_milestones", _anchor=f"m{milestone.id}")


def _refused(form: Any) -> BaseResponse:
    """A refused quick update: what was wrong, back on the list."""
    for errors in form.errors.values():
        flash(errors[0], "danger")
    return redirect(url_for("rollout.my_milestones"))


@bp.post("/my/milestones/<int:milestone_id>")
@login_required
def my_update(milestone_id: int) -> BaseResponse:
    """Status, progress and notes of a milestone of one's own, in one go."""
    milestone = milestone_or_404(milestone_id)
    form = MyMilestoneForm()

    def update() -> tuple[str, str]:
        ops.set_status(milestone, form.status.data or "", form.progress.data,
                       today=ops.current_date())
        ops.set_notes(milestone, form.notes.data or "")
        return _my_url(milestone), _("Changes saved.")

    return submit(form, update) or _refused(form)


@bp.post("/my/milestones/<int:milestone_id>/evidence")
@csrf.exempt  # as evidence_file: FileForm checks the CSRF token itself
@login_required
def my_evidence(milestone_id: int) -> BaseResponse:
    request.max_content_length = ops.EVIDENCE_MAX_BYTES + 256 * 1024
    milestone = milestone_or_404(milestone_id)
    form = FileForm()

    def add() -> tuple[str, str]:
        _add_upload(milestone, form)
        return _my_url(milestone), _("File added.")

    return submit(form, add) or _refused(form)


@bp.get("/my/clients/<int:client_id>")
@login_required
def my_client(client_id: int) -> str:
    """What a client viewer reads of their client: results, reports, roadmaps, trend."""
    client = client_or_404(client_id)
    assessments = sorted(client.assessments, key=lambda a: a.created_at, reverse=True)
    return render_template("rollout/my_client.html", client=client, assessments=assessments)
