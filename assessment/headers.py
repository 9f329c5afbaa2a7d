"""Security headers on every response the app gives: pages, JSON, PDFs and downloads.

One place sets them (`protect`, after every request). A response that already carries a
stricter policy of its own (an uploaded file sandboxed, a report's HTML) keeps it. Pages
may be framed by nobody; a view marked `frameable_by_itself` (the projector page) only by
the app's own pages. Over HTTPS (directly, or behind a trusted proxy: the `TRUSTED_PROXIES`
setting) browsers are also told to come back over HTTPS only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, current_app, request

F = TypeVar("F", bound=Callable[..., Any])

#: Scripts only from the app's own files (no inline script, no eval); styles may be inline
#: (style attributes draw bars and charts); images from the app or data: URLs (logos).
POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
          "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
          "base-uri 'self'; form-action 'self'; frame-ancestors {frames}")
HSTS = "max-age=31536000"


def frameable_by_itself(view: F) -> F:
    """Let the app's own pages (and only they) show this page in a frame."""
    view.frameable_by_itself = True  # type: ignore[attr-defined]
    return view


def _frames_allowed() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "frameable_by_itself", False))


def _headers(frames: str, x_frame: str) -> tuple[tuple[str, str], ...]:
    return (("Content-Security-Policy", POLICY.format(frames=frames)),
            ("X-Frame-Options", x_frame), ("Referrer-Policy", "same-origin"),
            ("X-Content-Type-Options", "nosniff"))


#: built once: this runs on every response, hundreds a second in a workshop
_FRAMED_BY_NONE = _headers("'none'", "DENY")
_FRAMED_BY_SELF = _headers("'self'", "SAMEORIGIN")


def protect(response: Response) -> Response:
    """Add the headers (called after every request, errors included)."""
    headers = response.headers
    for name, value in _FRAMED_BY_SELF if _frames_allowed() else _FRAMED_BY_NONE:
        if name not in headers:
            headers[name] = value
    if request.is_secure and "Strict-Transport-Security" not in headers:
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    app.after_request(protect)
