"""The versioned JSON API under /api/v1: clients, assessments, workshops, answers, scores.

Consultant routes need `Authorization: Bearer TOKEN` and see only their workspace
(anything else is 404, never 403). Workshop participants need no account: they join with
the workshop's code and answer with the token they get. Writes are acknowledged only
after they are committed. Every error is JSON (see errors.py).
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from flask import Blueprint, Response, current_app, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter import RouteLimit
from limits import RateLimitItem
from limits import parse as parse_limit
from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, bindparam, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from .. import access, results, scoring, verdicts, web
from ..answers import scoring_value
from ..catalog import Catalog
from ..clients.operations import create_assessment, save_client
from ..config import rate_limit
from ..errors import FieldError
from ..extensions import csrf, db, limiter
from ..schema import Localized, Question
from ..tables import Assessment, Client, Respondent, Workshop, Workspace
from ..walk import operations as walk
from ..web import get_catalog
from ..workshop import guessing
from ..workshop import operations as workshops
from . import schemas
from .auth import consultant_required, current_workspace_id, rate_key
from .errors import ApiError, error_response, from_field, from_validation, not_found
from .schemas import (
    AnswerIn,
    AnswerOut,
    AssessmentIn,
    AssessmentOut,
    ClientIn,
    ClientOut,
    JoinIn,
    ParticipantOut,
    QuestionOut,
    WorkshopIn,
    WorkshopOut,
)
from .spec import ID, PREFIX, build_document, registry

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)

M = TypeVar("M", bound=BaseModel)
D = TypeVar("D")
F = TypeVar("F", bound=Callable[..., Any])


def _path_value(name: str) -> str:
    return str((request.view_args or {}).get(name, ""))


def _participant_key() -> str:
    return "participant:" + _path_value("token")


def _join_key() -> str:
    return "workshop:" + workshops.normalise_code(_path_value("code"))


def _participant_limit() -> RouteLimit:
    return limiter.limit(rate_limit("API_RATELIMIT_SAVE"), key_func=_participant_key)


@functools.lru_cache(maxsize=16)
def _parsed_limit(text: str) -> RateLimitItem:
    return parse_limit(text)


def _check_save_limit(token: str) -> None:
    """The saving route's limit, per participant, checked straight on the `limits` library
    that Flask-Limiter is built on, sharing its storage: Flask-Limiter's per-request
    bookkeeping cost a quarter of a save, and a room saves hundreds of answers a second."""
    if not limiter.enabled:
        return
    item = _parsed_limit(str(current_app.config["API_RATELIMIT_SAVE"]))
    if not limiter.limiter.hit(item, "api-save", token):
        reset = limiter.limiter.get_window_stats(item, "api-save", token).reset_time
        raise ApiError(429, _("Too many requests. Wait a moment, then try again."),
                       headers={"Retry-After": str(max(1, math.ceil(reset - time.time())))})


def _consultant_limit() -> RouteLimit:
    return limiter.limit(rate_limit("API_RATELIMIT_CONSULTANT"), key_func=rate_key)


def consultant(view: F) -> F:
    """A consultant route: bearer token, limited per token."""
    return cast(F, _consultant_limit()(consultant_required(view)))


def operation(method: str, rule: str, **kwargs: Any) -> Callable[[F], F]:
    return registry.operation(bp, method, rule, **kwargs)


# --- request plumbing -----------------------------------------------------------------


def _in_api(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


@bp.before_app_request
def _routing_errors() -> Response | None:
    """Unknown addresses and methods under /api/v1 answer in JSON too.

    Routing fails before a blueprint is known, so the blueprint's own error handlers
    never see these; this app-wide hook answers for the API's prefix only.
    """
    failure = request.routing_exception
    if failure is None or not _in_api(request.path):
        return None
    if isinstance(failure, NotFound | MethodNotAllowed):
        return _http_error(failure)
    return None


@bp.before_request
def _limit_body() -> None:
    limit = int(current_app.config["API_MAX_CONTENT_LENGTH"])
    request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, _too_large(limit))


def _too_large(limit: int) -> str:
    return str(_("The request body is larger than %(n)s KiB.", n=limit // 1024))


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    _rollback()
    return error.response()


@bp.errorhandler(FieldError)
def _field_error(error: FieldError) -> Response:
    """What an operation refused: its status, and the field it names."""
    return _api_error(from_field(error))


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    _rollback()
    status = error.code or 500
    headers: dict[str, str] = {}
    if status == 404:
        message = _("There is no such address in the API.")
    elif status == 405:
        message = _("This address does not take %(method)s requests.", method=request.method)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
    elif status == 413:
        message = _too_large(request.max_content_length
                             or current_app.config["API_MAX_CONTENT_LENGTH"])
    elif status == 429:
        message = _("Too many requests. Wait a moment, then try again.")
    elif status >= 500:
        message = _("Something went wrong on the server. Nothing was saved; please try "
                    "again.")
    else:
        message = _("The request could not be understood.")
    return error_response(status, message, headers=headers)


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # already answering an error: keep that answer
        current_app.logger.exception("rollback failed")


def _body(model: type[M], *, optional: bool = False,
          messages: Mapping[str, Any] | None = None) -> M:
    """The request body, validated with `model`; ApiError 400 naming the field otherwise."""
    data = request.get_data(cache=True)
    if not data.strip():
        if not optional:
            raise ApiError(400, _("Send the request body as a JSON object."))
        data = b"{}"
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        raise from_validation(exc, messages) from None


def _created(data: Any, status: int = 201) -> Response:
    response = jsonify(data)
    response.status_code = status
    return response


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


def _assessment(assessment_id: int) -> Assessment:
    found = access.assessment_in(current_workspace_id(), assessment_id)
    if found is None:
        raise not_found("assessment_id")
    return found


#: built once: constructing a statement costs more than running it (on every save)
_PARTICIPANT = (select(Respondent).options(joinedload(Respondent.assessment))
                .where(Respondent.token == bindparam("token"), Respondent.kind == "participant"))


def _participant(token: str) -> Respondent:
    """One indexed query: the participant (by its unique token) and its assessment."""
    found = db.session.scalar(_PARTICIPANT, {"token": token})
    if found is None:
        raise ApiError(404, _("This participant link is not valid. Join the workshop "
                              "again with its code."), "token")
    if found.removed_at is not None:
        raise from_field(walk.removed_error())
    return cast(Respondent, found)


_PARTICIPANT_FACTS = (
    select(Respondent.id, Respondent.kind, Respondent.assessment_id,
           Assessment.questionnaire_id, Workshop.id, Workshop.status, Workshop.locked_stages,
           Respondent.removed_at)
    .join(Assessment, Assessment.id == Respondent.assessment_id)
    .outerjoin(Workshop, Workshop.assessment_id == Respondent.assessment_id)
    .where(Respondent.token == bindparam("token"), Respondent.kind == "participant"))


def _participant_facts(connection: Connection, token: str) -> walk.Who:
    """Just what a save needs about the participant and their workshop's state, in one
    indexed query without the ORM (read inside the save's own transaction)."""
    row = connection.execute(_PARTICIPANT_FACTS, {"token": token}).first()
    if row is None:
        raise ApiError(404, _("This participant link is not valid. Join the workshop "
                              "again with its code."), "token")
    (respondent_id, kind, assessment_id, questionnaire_id, workshop_id, status, locked,
     removed_at) = row
    room = None if workshop_id is None else (status, locked)
    return walk.Who(respondent_id, kind, assessment_id, questionnaire_id, room,
                    removed=removed_at is not None)


def _assessment_out(assessment: Assessment) -> AssessmentOut:
    return AssessmentOut(
        id=assessment.id, client_id=assessment.client_id, title=assessment.title,
        questionnaire=assessment.questionnaire_id, status=assessment.status,
        created_at=_utc(assessment.created_at))


def _client_json(client: Client) -> dict[str, Any]:
    return ClientOut(
        id=client.id, name=client.name, sector=client.sector or "", size=client.size or "",
        country=client.country or "", contact=client.contact or "", notes=client.notes or "",
        created_at=_utc(client.created_at),
        assessments=[_assessment_out(a) for a in client.assessments],
    ).model_dump(mode="json")


def _localized(text: Localized) -> dict[str, str]:
    return {"en": text.en, "fa": text.fa}


def _question_json(catalog: Catalog, question: Question) -> dict[str, Any]:
    scale = catalog.scale_of(question)
    return {"id": question.id, "stage": question.stage,
            "text": _localized(question.text),
            "help": _localized(question.help),
            "weight": question.weight,
            "scale": {"id": scale.id, "name": _localized(scale.name),
                      "level_names": {str(level.value): _localized(level.name)
                                      for level in scale.levels}},
            "levels": {str(level): _localized(text)
                       for level, text in sorted(question.levels.items())},
            "informs": list(question.informs)}


def _as(kind: type[D], value: Any, **changed: Any) -> D:
    """An engine result as the API's dataclass of the same name, some fields changed."""
    return kind(**{**{f.name: getattr(value, f.name) for f in fields(value)}, **changed})


def _scores_json(result: scoring.AssessmentScore, catalog: Catalog,
                 language: str) -> dict[str, Any]:
    """The engine's result as the API sends it: readiness reasons also in words (in the
    request's language), and the v1 name of the maturity index beside the new one."""
    models = tuple(
        _as(schemas.ModelScore, model,
            stages=tuple(_as(schemas.ModelStageScore, stage) for stage in model.stages),
            readiness=schemas.Readiness(model.readiness.verdict, tuple(
                _as(schemas.Reason, reason, text=text) for reason, text in zip(
                    model.readiness.reasons, verdicts.reasons_of(model, catalog, language),
                    strict=True))))
        for model in result.models)
    out = _as(schemas.AssessmentScore, result,
              questions={qid: _as(schemas.QuestionScore, qs)
                         for qid, qs in result.questions.items()},
              stages=tuple(_as(schemas.StageScore, stage) for stage in result.stages),
              models=models, readiness_index=result.maturity_index,
              self_reported=result.self_reported)
    return asdict(out)


# --- consultant routes ----------------------------------------------------------------


@operation("GET", "/clients", summary="List the workspace's clients", tag="consultant",
           responses={200: ("The clients, oldest first, with their assessments.",
                            (ClientOut,))})
@consultant
def list_clients() -> Response:
    clients = db.session.scalars(
        select(Client).where(Client.workspace_id == current_workspace_id())
        .options(selectinload(Client.assessments)).order_by(Client.id))
    return jsonify([_client_json(client) for client in clients])


@operation("POST", "/clients", summary="Add a client", tag="consultant", body=ClientIn,
           responses={201: ("The new client.", ClientOut)})
@consultant
def create_client() -> Response:
    body = _body(ClientIn)
    workspace = db.session.get_one(Workspace, current_workspace_id())
    values = {name: value or "" for name, value in body.model_dump().items()}
    client = save_client(workspace, values)
    data = _client_json(client)
    db.session.commit()
    return _created(data)


@operation("POST", "/assessments", summary="Create an assessment of a client",
           tag="consultant", body=AssessmentIn, errors=(404,),
           description="Answers 404 (field `client_id`) for a client of another workspace.",
           responses={201: ("The new assessment.", AssessmentOut)})
@consultant
def create_assessment_route() -> Response:
    body = _body(AssessmentIn)
    catalog = get_catalog()
    valid = list(catalog.questionnaires)
    if body.questionnaire not in catalog.questionnaires:
        raise ApiError(400, _("There is no questionnaire '%(id)s'. Choose one of: %(ids)s.",
                              id=body.questionnaire, ids=", ".join(valid)),
                       "questionnaire", choices=valid)
    client = access.client_in(current_workspace_id(), body.client_id)
    if client is None:
        raise not_found("client_id")
    title = body.title
    if title is None:
        lang = str(get_locale() or "en")
        title = catalog.questionnaires[body.questionnaire].name.get(lang)
    assessment = create_assessment(catalog, client, title=title,
                                   questionnaire_id=body.questionnaire)
    data = _assessment_out(assessment).model_dump(mode="json")
    db.session.commit()
    return _created(data)


@operation("GET", f"/assessments/<{ID}:assessment_id>/questions",
           summary="The questions of an assessment", tag="consultant", errors=(404,),
           responses={200: ("The questions in questionnaire order.", (QuestionOut,))})
@consultant
def assessment_questions(assessment_id: int) -> Response:
    assessment = _assessment(assessment_id)
    catalog = get_catalog()
    questionnaire = results.questionnaire_of(catalog, assessment)
    return jsonify([_question_json(catalog, q) for q in questionnaire.questions])


@operation("POST", f"/assessments/<{ID}:assessment_id>/workshop",
           summary="Open (or reopen) the assessment's live workshop", tag="consultant",
           body=WorkshopIn, body_required=False, errors=(404,),
           description="Participants join with the code it returns.",
           responses={201: ("The workshop, just made.", WorkshopOut),
                      200: ("The workshop already existed; it is open now.", WorkshopOut)})
@consultant
def open_workshop(assessment_id: int) -> Response:
    body = _body(WorkshopIn, optional=True)
    assessment = _assessment(assessment_id)
    existed = assessment.workshop is not None
    workshop = workshops.open_workshop(assessment, named=body.named)
    data = WorkshopOut(code=workshop.code, status=workshop.status, named=workshop.named,
                       join_url=url_for("workshop.join", code=workshop.code, _external=True),
                       ).model_dump(mode="json")
    db.session.commit()
    return _created(data, 200 if existed else 201)


@operation("GET", f"/assessments/<{ID}:assessment_id>/scores",
           summary="Score the assessment", tag="consultant", errors=(404,),
           description="The scoring engine's full result (docs/scoring.md, rules version 2): "
                       "the maturity index (also as `readiness_index`, its v1 name), stages, "
                       "models with their readiness verdicts and reasons (the reasons' "
                       "`text` in the request's language), gates, priorities, the \"to go "
                       "further\" list and every question.",
           responses={200: ("The scores.", schemas.AssessmentScore)})
@consultant
def assessment_scores(assessment_id: int) -> Response:
    assessment = _assessment(assessment_id)
    catalog = get_catalog()
    return jsonify(_scores_json(results.score_assessment(catalog, assessment), catalog,
                                web.lang()))


# --- participant routes ---------------------------------------------------------------


@operation("POST", "/workshops/<code>/participants", summary="Join a workshop",
           tag="participant", auth=False, body=JoinIn, body_required=False,
           errors=(404, 409),
           description="No account needed. Keep the token: it is how you answer.",
           responses={201: ("The new participant and their token.", ParticipantOut)})
@limiter.limit(rate_limit("API_RATELIMIT_JOIN"), key_func=_join_key)
@guessing.limited()
def join_workshop(code: str) -> Response:
    body = _body(JoinIn, optional=True)
    workshop = workshops.workshop_by_code(code)
    if workshop is None:
        guessing.missed()
        raise ApiError(404, _("There is no workshop with this code. Check the code "
                              "and try again."), "code")
    participant = workshops.join(workshop, body.name, body.role)
    data = ParticipantOut(token=participant.token, name=participant.name,
                          role=participant.role).model_dump(mode="json")
    db.session.commit()
    return _created(data)


@operation("GET", "/participants/<token>/questions",
           summary="The questions a participant answers", tag="participant", auth=False,
           errors=(404, 410),
           responses={200: ("The questions in questionnaire order.", (QuestionOut,))})
@_participant_limit()
def participant_questions(token: str) -> Response:
    participant = _participant(token)
    catalog = get_catalog()
    questionnaire = results.questionnaire_of(catalog, participant.assessment)
    return jsonify([_question_json(catalog, q) for q in questionnaire.questions])


_ANSWER_MESSAGES = {"value": walk.BAD_ANSWER}


@operation("PUT", "/participants/<token>/answers/<question_id>",
           summary="Save a participant's answer", tag="participant", auth=False,
           body=AnswerIn, errors=(404, 409, 410),
           description="Saving the same answer again changes nothing (the revision stays). "
                       "Acknowledged only once stored.",
           responses={200: ("The answer as stored.", AnswerOut)})
def put_answer(token: str, question_id: str) -> Response:
    _check_save_limit(token)
    # The body first: a bad one is refused before the write lock is taken.
    body = _body(AnswerIn, messages=_ANSWER_MESSAGES)
    fields: dict[str, Any] = {"value": body.value}
    if "comment" in body.model_fields_set:
        fields["comment"] = body.comment
    # A transaction of its own on a Core connection, without the ORM session: the save is
    # a handful of statements, and committed before the answer is acknowledged.
    with db.engine.begin() as connection:
        participant = _participant_facts(connection, token)
        answer = walk.save_answer(get_catalog(), participant, question_id,
                                  connection=connection, **fields)
    return jsonify({"question_id": answer.question_id, "value": scoring_value(answer.value),
                    "comment": answer.comment, "revision": answer.revision})


@operation("GET", "/participants/<token>/answers", summary="A participant's answers",
           tag="participant", auth=False, errors=(404, 410),
           responses={200: ("The answers given so far, in questionnaire order.",
                            (AnswerOut,))})
@_participant_limit()
def participant_answers(token: str) -> Response:
    participant = _participant(token)
    questionnaire = results.questionnaire_of(get_catalog(), participant.assessment)
    order = {q.id: index for index, q in enumerate(questionnaire.questions)}
    answers = sorted(walk.answers_of(participant).values(),
                     key=lambda a: (order.get(a.question_id, len(order)), a.question_id))
    return jsonify([{"question_id": a.question_id, "value": scoring_value(a.value),
                     "comment": a.comment, "revision": a.revision} for a in answers])


# --- the document ---------------------------------------------------------------------


@operation("GET", "/openapi.json", summary="This API, as an OpenAPI 3.1 document", tag="meta",
           auth=False, limited=False,
           responses={200: ("The OpenAPI document.", {"type": "object"})})
def openapi_document() -> Response:
    document = current_app.extensions.get("api_openapi")
    if document is None:
        document = build_document(registry.operations, get_catalog())
        current_app.extensions["api_openapi"] = document
    return jsonify(document)
