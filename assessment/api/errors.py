"""JSON errors of the API: `{"error": CODE, "message": SENTENCE, "field": FIELD}`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from flask import Response, jsonify
from flask_babel import gettext as _
from pydantic import ValidationError

from ..errors import FieldError

#: the `error` code of each status
CODES = {
    400: "invalid",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "too_large",
    415: "invalid",
    429: "rate_limited",
    500: "server_error",
}


class ApiError(Exception):
    """Stops a request with a JSON error response."""

    def __init__(self, status: int, message: str, field: str | None = None, *,
                 choices: Sequence[str] | None = None,
                 headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.choices = list(choices) if choices is not None else None
        self.headers = dict(headers or {})

    def response(self) -> Response:
        return error_response(self.status, self.message, self.field, choices=self.choices,
                              headers=self.headers)


def error_response(status: int, message: str, field: str | None = None, *,
                   choices: Sequence[str] | None = None,
                   headers: Mapping[str, str] | None = None) -> Response:
    body: dict[str, Any] = {"error": CODES.get(status, "error"), "message": str(message)}
    if field is not None:
        body["field"] = field
    if choices is not None:
        body["choices"] = list(choices)
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_field(error: FieldError) -> ApiError:
    """An operation's refusal (bad input on one field), with its own status."""
    return ApiError(error.status, str(error), error.field)


def not_found(field: str | None = None) -> ApiError:
    return ApiError(404, _("There is no such item, or it belongs to another workspace."), field)


def from_validation(exc: ValidationError, messages: Mapping[str, Any] | None = None) -> ApiError:
    """The first problem pydantic found, as a 400 naming the field, in a sentence."""
    error = exc.errors(include_url=False)[0]
    kind = error["type"]
    loc = error["loc"]
    if kind == "json_invalid":
        return ApiError(400, _("The request body is not valid JSON."))
    if not loc or kind in ("model_type", "model_attributes_type", "dict_type"):
        return ApiError(400, _("Send the request body as a JSON object."))
    field = str(loc[0])
    if messages and field in messages and kind not in ("missing", "extra_forbidden"):
        return ApiError(400, str(messages[field]), field)
    ctx = error.get("ctx") or {}
    if kind == "missing":
        message = _("'%(field)s' is required.", field=field)
    elif kind == "extra_forbidden":
        message = _("'%(field)s' is not a field this request takes.", field=field)
    elif kind == "string_too_long":
        message = _("'%(field)s' is longer than %(n)s characters.", field=field,
                    n=ctx.get("max_length", ""))
    elif kind == "string_pattern_mismatch" and "\x00" in str(error.get("input", "")):
        message = _("'%(field)s' contains a NUL character, which cannot be stored.",
                    field=field)
    elif kind in ("string_too_short", "string_pattern_mismatch"):
        message = _("'%(field)s' must not be empty.", field=field)
    elif kind == "string_type":
        message = _("'%(field)s' must be a text.", field=field)
    elif kind == "bool_type":
        message = _("'%(field)s' must be true or false.", field=field)
    elif kind.startswith("int_") or kind in ("greater_than_equal", "less_than_equal"):
        message = _("'%(field)s' must be a whole number from 1 to %(max)s.", field=field,
                    max=ctx.get("le", 2**63 - 1))
    else:
        message = _("'%(field)s' is not valid.", field=field)
    return ApiError(400, message, field)
