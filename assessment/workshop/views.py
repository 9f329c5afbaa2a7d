"""Workshop pages: participants join with a code; the facilitator watches the room live.

Participants walk the same six stages as everyone else (the walk's views, through a
`Walker` whose pages live under /w/<code>/); they are recognised by a token kept in
their session, and a personal resume link (/p/<token>) brings them back on any device.

A code that opens nothing (unknown, or a closed workshop's) gets the same plain page,
naming no client and no assessment, and counts against the address's budget of wrong
codes (`guessing`), shared with the API.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import (
    Blueprint,
    Response,
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
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from .. import i18n, results
from ..access import assessment_or_404, participant_or_404, workshop_or_404
from ..config import rate_limit
from ..errors import FieldError
from ..extensions import db, limiter
from ..headers import frameable_by_itself
from ..tables import PARTICIPANT_ROLES, Answer, Assessment, Respondent, Workshop
from ..walk import operations as walk_ops
from ..walk import pages as walk
from ..web import get_catalog, http_error, lang, refused_json, wants_json
from . import guessing
from . import operations as ops

bp = Blueprint("workshop", __name__)


# --- participants ------------------------------------------------------------------


def _code_page(code: str, error: str | None, status: int) -> Response:
    return Response(render_template("workshop/enter_code.html", code=code, error=error),
                    status)


def _no_workshop(code: str, status: int = 404) -> Response:
    """The one answer to a code that opens nothing, unknown or closed alike: the code form
    again, naming nothing. It counts against the address's budget of wrong codes."""
    guessing.missed()
    return _code_page(code, _("There is no workshop with the code “%(code)s” open now. "
                              "Check the code on the screen and try again.", code=code),
                      status)


def _notice(testid: str, title: str, message: str, status: int) -> Response:
    """A plain page for a participant who can go no further; it names nobody."""
    return Response(render_template("workshop/notice.html", testid=testid, title=title,
                                    message=message), status)


def _closed_notice() -> Response:
    return _notice("closed", _("The workshop is closed"),
                   _("Your answers are kept, but they can no longer be changed."),
                   200 if request.method == "GET" else 409)


def _removed_notice() -> Response:
    return _notice("removed", _("You were removed from this workshop"),
                   str(walk_ops.removed_error()), 410)


@bp.errorhandler(429)
def _too_many(error: HTTPException) -> Any:
    """Too many wrong codes from one address: say how long to wait, in the page's language."""
    if not guessing.breached(error) or wants_json():
        return http_error(error)
    wait = guessing.wait_seconds()
    code = ops.normalise_code(str((request.view_args or {}).get("code")
                                  or request.form.get("code", "")))
    response = _code_page(code, _("Too many workshop codes that do not exist were tried from "
                                  "your network. Wait %(n)s seconds, then try again.",
                                  n=i18n.digits(wait, lang())), 429)
    response.headers["Retry-After"] = str(wait)
    return response


def _known_token(workshop: Workshop) -> str | None:
    token = session.get("respondents", {}).get(str(workshop.assessment_id))
    return str(token) if token else None


def _remember(participant: Respondent) -> None:
    session.permanent = True
    session["respondents"] = {**session.get("respondents", {}),
                              str(participant.assessment_id): participant.token}


def participant_walker(code: str) -> walk.Walker:
    """The participant walking in this workshop, or a redirect to its join page.

    A stranger is sent to the join page whether the code exists or not (the join page
    counts wrong codes). A page for a participant of a closed workshop, or one the
    facilitator removed, is a plain notice; their saves (JSON) reach `save_answer`, which
    refuses them with its own message.
    """
    workshop = ops.workshop_by_code(code)
    participant = ops.participant_by_token(_known_token(workshop) or "") if workshop else None
    if workshop is None or participant is None \
            or participant.assessment_id != workshop.assessment_id:
        abort(redirect(url_for("workshop.join", code=ops.normalise_code(code))))
    if not wants_json():
        if participant.removed_at is not None:
            abort(_removed_notice())
        if workshop.status != "open":
            abort(_closed_notice())
    return walk.Walker(workshop.assessment, participant, "workshop", {"code": workshop.code})


def _participant_key() -> str:
    """Limits count per participant, never per venue IP shared by the whole room."""
    code = (request.view_args or {}).get("code", "")
    workshop = ops.workshop_by_code(str(code))
    token = _known_token(workshop) if workshop else None
    return f"participant:{token or request.remote_addr}"


def _join_key() -> str:
    return f"join:{ops.normalise_code(str((request.view_args or {}).get('code', '')))}"


@bp.route("/w", methods=["GET", "POST"])
@guessing.limited(methods=["POST"])
def enter_code() -> Any:
    """Where a participant types the code shown on the projector."""
    if request.method == "GET":
        return _code_page("", None, 200)
    code = ops.normalise_code(request.form.get("code", ""))
    workshop = ops.workshop_by_code(code)
    if workshop is None or workshop.status != "open":
        return _no_workshop(code, 400)
    return redirect(url_for("workshop.join", code=code))


@bp.route("/w/<code>", methods=["GET", "POST"])
@limiter.limit(rate_limit("WORKSHOP_RATELIMIT_JOIN"), key_func=_join_key, methods=["POST"])
@guessing.limited()
def join(code: str) -> Any:
    workshop = ops.workshop_by_code(code)
    known = ops.participant_by_token(_known_token(workshop) or "") if workshop else None
    if known is not None and workshop and known.assessment_id != workshop.assessment_id:
        known = None
    if workshop is None or (workshop.status != "open" and known is None):
        return _no_workshop(ops.normalise_code(code))
    if workshop.code != code:  # typed in lower case or with a dash
        return redirect(url_for("workshop.join", code=workshop.code))
    if known is not None and known.removed_at is not None:
        return _removed_notice()  # not even as someone new, from the same session
    if workshop.status != "open":  # one of its participants: their own page says closed
        return redirect(url_for("workshop.resume", code=workshop.code))
    catalog = get_catalog()
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if known is not None and request.form.get("as") != "new":
            return redirect(url_for("workshop.resume", code=workshop.code))
        try:
            participant = ops.join(workshop, request.form.get("name", ""),
                                   request.form.get("role", ""))
        except FieldError as exc:
            db.session.rollback()
            errors[exc.field] = str(exc)
            status = exc.status
        else:
            db.session.commit()
            _remember(participant)
            return redirect(url_for("workshop.resume", code=workshop.code))
    questionnaire = results.questionnaire_of(catalog, workshop.assessment)
    return render_template("workshop/join.html", workshop=workshop,
                           assessment=workshop.assessment, questionnaire=questionnaire,
                           known=known, roles=PARTICIPANT_ROLES, errors=errors,
                           form=request.form), status


@bp.get("/p/<token>")
@guessing.limited()
def resume_link(token: str) -> Any:
    """A personal link the facilitator can hand out again: resumes on any device."""
    participant = ops.participant_by_token(token)
    if participant is None or participant.assessment.workshop is None:
        guessing.missed()
        abort(404)
    if participant.removed_at is not None:
        return _removed_notice()
    _remember(participant)
    return redirect(url_for("workshop.resume", code=participant.assessment.workshop.code))


@bp.get("/w/<code>/done")
def done(code: str) -> Any:
    walker = participant_walker(code)
    return render_template("workshop/done.html", walker=walker,
                           assessment=walker.assessment)


def _participant_resume(code: str) -> Any:
    return walk.resume(participant_walker(code))


def _participant_stage(code: str, stage: str) -> Any:
    return walk.stage_page(participant_walker(code), stage)


def _participant_stage_post(code: str, stage: str) -> Any:
    return walk.stage_post(participant_walker(code), stage)


@limiter.limit(rate_limit("WORKSHOP_RATELIMIT_SAVE"), key_func=_participant_key)
def _participant_save(code: str, question_id: str) -> Any:
    return walk.save_one(participant_walker(code), question_id)


def _participant_review(code: str) -> Any:
    return walk.review(participant_walker(code))


def _participant_complete(code: str) -> Any:
    return walk.complete(participant_walker(code))


# Same endpoint names as the consultant's walk, for Walker.url().
bp.add_url_rule("/w/<code>/walk", "resume", _participant_resume)
bp.add_url_rule("/w/<code>/walk/<stage>", "stage", _participant_stage)
bp.add_url_rule("/w/<code>/walk/<stage>", "stage_post", _participant_stage_post,
                methods=["POST"])
bp.add_url_rule("/w/<code>/answers/<question_id>", "save", _participant_save,
                methods=["POST"])
bp.add_url_rule("/w/<code>/review", "review", _participant_review)
bp.add_url_rule("/w/<code>/complete", "complete", _participant_complete, methods=["POST"])
walk.resubmit_after_expired_token(bp, lambda args: participant_walker(str(args.get("code", ""))))


# --- the facilitator -----------------------------------------------------------------


def _facilitated(assessment_id: int) -> tuple[Assessment, Workshop]:
    workshop = workshop_or_404(assessment_id)
    return workshop.assessment, workshop


def _join_url(workshop: Workshop) -> str:
    return url_for("workshop.join", code=workshop.code, _external=True)


def _role_filter() -> str | None:
    role = request.args.get("role") or None
    return role if role in PARTICIPANT_ROLES else None


def _live_context(assessment: Assessment, workshop: Workshop) -> dict[str, Any]:
    catalog = get_catalog()
    role = _role_filter()
    snapshot = ops.live_snapshot(catalog, assessment, role=role, lang=lang())
    questionnaire = results.questionnaire_of(catalog, assessment)
    people = ops.participants(assessment)
    answered: dict[int, int] = {rid: n for rid, n in db.session.execute(
        select(Answer.respondent_id, func.count(Answer.id))
        .join(Respondent)
        .where(Respondent.assessment_id == assessment.id, Respondent.kind == "participant",
               Answer.value.is_not(None))
        .group_by(Answer.respondent_id))}
    return {
        "assessment": assessment,
        "workshop": workshop,
        "live": snapshot,
        "questions_by_id": {q["id"]: q for q in snapshot["questions"]},
        # the catalogue's questions: what each level means, for the room's discussion
        "catalog": catalog,
        "catalog_questions": {qid: questionnaire.question(qid) for qid in snapshot["divergent"]},
        "people": people,
        "removed": ops.participants(assessment, removed=True),
        "answered": answered,
        "labels": ops.participant_labels(assessment, workshop.named),
        "total_questions": len(snapshot["questions"]),
        "roles": PARTICIPANT_ROLES,
        "role": role,
        "scale": catalog.scale,
    }


@bp.get("/assessments/<int:assessment_id>/workshop")
@login_required
def facilitate(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    workshop = assessment.workshop
    if workshop is None:
        return render_template("workshop/setup.html", assessment=assessment)
    context = _live_context(assessment, workshop)
    reissued = session.pop("reissued", None)
    db.session.commit()
    return render_template("workshop/facilitate.html", join_url=_join_url(workshop),
                           reissued=reissued, **context)


@bp.get("/assessments/<int:assessment_id>/workshop/live")
@login_required
def live(assessment_id: int) -> Any:
    """The live part of the facilitator's page: HTML for the page, JSON on request."""
    assessment, workshop = _facilitated(assessment_id)
    context = _live_context(assessment, workshop)
    db.session.commit()
    if wants_json():
        return jsonify(context["live"])
    response = Response(render_template("workshop/_live.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/assessments/<int:assessment_id>/workshop/present")
@login_required
@frameable_by_itself
def present(assessment_id: int) -> Any:
    """For the projector: the code and QR code, large, with how many have joined."""
    assessment, workshop = _facilitated(assessment_id)
    return render_template("workshop/present.html", assessment=assessment, workshop=workshop,
                           join_url=_join_url(workshop),
                           enter_url=url_for("workshop.enter_code", _external=True),
                           joined=len(ops.participants(assessment)))


@bp.get("/assessments/<int:assessment_id>/workshop/qr.svg")
@login_required
def qr(assessment_id: int) -> Any:
    _assessment, workshop = _facilitated(assessment_id)
    buffer = io.BytesIO()
    segno.make(_join_url(workshop), error="m").save(
        buffer, kind="svg", scale=8, border=2, dark="#111", light="#fff", xmldecl=False,
        omitsize=True)
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=3600"})


def _done(assessment: Assessment, message: str, **payload: Any) -> Any:
    db.session.commit()
    if wants_json():
        return jsonify(ok=True, message=message, **payload)
    flash(message, "success")
    return redirect(url_for("workshop.facilitate", assessment_id=assessment.id))


def _refused(assessment: Assessment, exc: FieldError) -> Any:
    db.session.rollback()
    if wants_json():
        return refused_json(exc)
    flash(str(exc), "danger")
    return redirect(url_for("workshop.facilitate", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/workshop/open")
@login_required
def open_(assessment_id: int) -> Any:
    assessment = assessment_or_404(assessment_id)
    first = assessment.workshop is None
    named = request.form.get("named") == "1" if first else None
    ops.open_workshop(assessment, named=named)
    return _done(assessment, _("The workshop is open: show the code to the room.") if first
                 else _("The workshop is open again."))


@bp.post("/assessments/<int:assessment_id>/workshop/close")
@login_required
def close(assessment_id: int) -> Any:
    assessment, workshop = _facilitated(assessment_id)
    ops.close_workshop(workshop)
    return _done(assessment, _("The workshop is closed: answers can no longer change."))


@bp.post("/assessments/<int:assessment_id>/workshop/stages/<stage>")
@login_required
def lock(assessment_id: int, stage: str) -> Any:
    assessment, workshop = _facilitated(assessment_id)
    locked = request.form.get("locked") == "1"
    try:
        ops.set_stage_lock(workshop, stage, locked)
    except FieldError as exc:
        return _refused(assessment, exc)
    name = get_catalog().stage(stage).name.get(lang())
    return _done(assessment, _("“%(stage)s” is locked.", stage=name) if locked
                 else _("“%(stage)s” is open for answers.", stage=name),
                 locked=workshop.locked_stages)


@bp.post("/assessments/<int:assessment_id>/workshop/agreed/<question_id>")
@login_required
def agreed(assessment_id: int, question_id: str) -> Any:
    assessment, _workshop = _facilitated(assessment_id)
    try:
        row = ops.record_agreed(get_catalog(), assessment, question_id,
                                request.form.get("value"), request.form.get("note", ""),
                                current_user)
    except FieldError as exc:
        return _refused(assessment, exc)
    message = (_("The agreed answer is recorded.") if row is not None
               else _("The agreed answer is removed."))
    return _done(assessment, message, value=row.value if row else None)


@bp.post("/assessments/<int:assessment_id>/workshop/participants/<int:respondent_id>/link")
@login_required
def reissue(assessment_id: int, respondent_id: int) -> BaseResponse:
    """Show a participant's personal resume link again, to hand over on another device."""
    assessment, workshop = _facilitated(assessment_id)
    participant = participant_or_404(assessment_id, respondent_id)
    session["reissued"] = {
        "who": ops.participant_labels(assessment, workshop.named)[participant.id],
        "url": url_for("workshop.resume_link", token=participant.token, _external=True),
    }
    return redirect(url_for("workshop.facilitate", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/workshop/participants/<int:respondent_id>/remove")
@login_required
def remove(assessment_id: int, respondent_id: int) -> Any:
    """Take a participant out: their answers stay stored and leave every score."""
    assessment, workshop = _facilitated(assessment_id)
    participant = participant_or_404(assessment_id, respondent_id)
    who = ops.participant_labels(assessment, workshop.named)[participant.id]
    ops.remove_participant(participant)
    return _done(assessment, _("%(who)s is removed from the workshop: their answers no "
                               "longer count.", who=who))

