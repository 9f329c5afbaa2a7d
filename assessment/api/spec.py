"""The OpenAPI 3.1 document, written from the routes' own declarations.

Every view of the API is declared with `operation(...)`, which registers the Flask
route and records what the document needs: the request body model (the same pydantic
model the view validates with), the responses and their schemas, the errors, whether a
bearer token is needed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint
from pydantic import BaseModel, TypeAdapter

from ..catalog import Catalog
from .schemas import MAX_ID, Error

PREFIX = "/api/v1"
REF = "#/components/schemas/{model}"
F = TypeVar("F", bound=Callable[..., Any])
#: an integer id in a path: Werkzeug's converter, bounded like the database
ID = f"int(max={MAX_ID})"

#: what a response carries: a model, a list of a model (in a 1-tuple), a type for a
#: TypeAdapter, a ready JSON Schema (dict), or None for no body
Shape = Any

ERROR_DESCRIPTIONS = {
    400: "The request body or a value in it is not valid; `field` names it.",
    401: "No API token, or one that is unknown or revoked.",
    404: "No such item, or it belongs to another workspace.",
    409: "The workshop is closed, or the facilitator has locked the question's stage.",
    410: "The facilitator has removed this participant: the token no longer works.",
    413: "The request body is larger than 64 KiB.",
    429: "Too many requests; try again after `Retry-After` seconds.",
}
#: path parameters: description and schema
PARAMETERS: dict[str, tuple[str, dict[str, Any]]] = {
    "assessment_id": ("Id of an assessment of your workspace.",
                      {"type": "integer", "minimum": 0, "maximum": MAX_ID}),
    "code": ("The workshop's join code (case and dashes do not matter).",
             {"type": "string", "pattern": "^[A-Za-z0-9-]{1,20}$"}),
    "token": ("The participant's secret token, as returned on joining.",
              {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}),
    "question_id": ("Id of a question of the assessment's questionnaire.",
                    {"type": "string", "pattern": "^[a-z][a-z0-9_.-]{0,58}[a-z0-9]$"}),
}


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  #: the Flask rule, under PREFIX
    endpoint: str
    summary: str
    description: str
    tag: str
    auth: bool
    body: type[BaseModel] | None
    body_required: bool
    responses: dict[int, tuple[str, Shape]]
    errors: tuple[int, ...]
    limited: bool

    @property
    def path(self) -> str:
        """The OpenAPI path, e.g. /api/v1/assessments/{assessment_id}/scores."""
        return PREFIX + re.sub(r"<(?:[^:>]+:)?([A-Za-z_]\w*)>", r"{\1}", self.rule)

    def path_parameters(self) -> list[str]:
        """The names of the rule's variables, in order."""
        return re.findall(r"<(?:[^:>]+:)?([A-Za-z_]\w*)>", self.rule)


@dataclass
class Registry:
    operations: list[Operation] = field(default_factory=list)

    def operation(self, bp: Blueprint, method: str, rule: str, *, summary: str,
                  tag: str, responses: dict[int, tuple[str, Shape]], description: str = "",
                  auth: bool = True, body: type[BaseModel] | None = None,
                  body_required: bool = True, errors: Sequence[int] = (),
                  limited: bool = True) -> Callable[[F], F]:
        """Register the view as a route of `bp` and describe it for the document."""

        def register(view: F) -> F:
            self.operations.append(Operation(
                method=method, rule=rule, endpoint=view.__name__, summary=summary,
                description=description, tag=tag, auth=auth, body=body,
                body_required=body_required, responses=responses, errors=tuple(errors),
                limited=limited))
            bp.add_url_rule(rule, view_func=view, methods=[method])
            return view

        return register


registry = Registry()


class _Components:
    """JSON Schemas of the models, collected under components/schemas."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def _absorb(self, schema: dict[str, Any]) -> dict[str, Any]:
        for name, definition in schema.pop("$defs", {}).items():
            self.schemas.setdefault(name, definition)
        return schema

    def model(self, model: type[BaseModel], mode: str) -> dict[str, Any]:
        name = model.__name__
        if name not in self.schemas:
            schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
            self.schemas[name] = self._absorb(schema)
        return {"$ref": REF.format(model=name)}

    def adapted(self, name: str, kind: Any) -> dict[str, Any]:
        if name not in self.schemas:
            schema = TypeAdapter(kind).json_schema(ref_template=REF, mode="serialization")
            self.schemas[name] = self._absorb(schema)
        return {"$ref": REF.format(model=name)}

    def shape(self, shape: Shape) -> dict[str, Any] | None:
        if shape is None:
            return None
        if isinstance(shape, dict):
            return shape
        if isinstance(shape, tuple):  # a list of the one model inside
            return {"type": "array", "items": self.shape(shape[0])}
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            return self.model(shape, "serialization")
        return self.adapted(getattr(shape, "__name__", "Result"), shape)


def _json(schema: dict[str, Any] | None) -> dict[str, Any]:
    return {} if schema is None else {"content": {"application/json": {"schema": schema}}}


def build_document(operations: Sequence[Operation], catalog: Catalog) -> dict[str, Any]:
    components = _Components()
    error_ref = components.model(Error, "serialization")
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        item: dict[str, Any] = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "tags": [op.tag],
            "security": [{"bearerAuth": []}] if op.auth else [],
        }
        if op.description:
            item["description"] = op.description
        parameters = []
        for name in op.path_parameters():
            description, schema = PARAMETERS[name]
            parameters.append({"name": name, "in": "path", "required": True,
                               "description": description, "schema": schema})
        if parameters:
            item["parameters"] = parameters
        if op.body is not None:
            item["requestBody"] = {"required": op.body_required,
                                   **_json(components.model(op.body, "validation"))}
        responses: dict[str, Any] = {}
        for status, (description, shape) in op.responses.items():
            responses[str(status)] = {"description": description,
                                      **_json(components.shape(shape))}
        errors = set(op.errors)
        if op.body is not None:
            errors |= {400, 413}
        if op.auth:
            errors.add(401)
        if op.limited:
            errors.add(429)
        for status in sorted(errors):
            response: dict[str, Any] = {"description": ERROR_DESCRIPTIONS[status],
                                        **_json(error_ref)}
            if status == 429:
                response["headers"] = {"Retry-After": {
                    "description": "Seconds to wait before trying again.",
                    "schema": {"type": "integer"}}}
            if status == 401:
                response["headers"] = {"WWW-Authenticate": {
                    "description": "Bearer, as RFC 6750 says.", "schema": {"type": "string"}}}
            responses[str(status)] = response
        item["responses"] = responses
        paths.setdefault(op.path, {})[op.method.lower()] = item

    # What the catalogue allows, known only at run time.
    assessment_in = components.schemas.get("AssessmentIn")
    if assessment_in is not None:
        assessment_in["properties"]["questionnaire"]["enum"] = list(catalog.questionnaires)

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "CRM maturity assessment API",
            "version": "1.0.0",
            "description": (
                "Clients, assessments, live workshops and scores of a consultant's "
                "workspace. Consultant routes need `Authorization: Bearer TOKEN` (make one "
                "with `crm-maturity tokens create EMAIL`); participants use the token they "
                "get on joining a workshop. Errors are JSON: "
                "`{\"error\": CODE, \"message\": SENTENCE, \"field\": FIELD}`. Messages "
                "follow `Accept-Language` (en or fa)."
            ),
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.schemas.items())),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A consultant's API token (crm-maturity tokens create)."}},
        },
        "tags": [
            {"name": "consultant", "description": "Your workspace: needs a bearer token."},
            {"name": "participant", "description": "Workshop participants: no account."},
            {"name": "meta", "description": "This document."},
        ],
    }

