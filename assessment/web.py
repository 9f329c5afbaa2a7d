"""Template helpers and error pages shared by every feature."""

from __future__ import annotations

import hashlib
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

from flask import (
    Flask,
    Request,
    Response,
    current_app,
    flash,
    g,
    has_app_context,
    has_request_context,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
)
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf.csrf import CSRFError, generate_csrf
from jinja2 import pass_context
from markupsafe import Markup
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response as BaseResponse

from . import answers, datafigures, i18n, scoring, verdicts
from .catalog import Catalog
from .config import rate_limit
from .errors import FieldError
from .extensions import db, limiter
from .schema import Localized

#: Where `server.OneAtATime` puts its worker's `Turn` in the WSGI environ.
TURN_KEY = "crm.turn"


class Turn(Protocol):
    """The one-request-at-a-time lock of a server worker (`server.OneAtATime`)."""

    #: held while a request runs the app
    lock: threading.Lock
    #: places for requests that have let go of `lock` to wait for something slow
    away: threading.BoundedSemaphore


class NoSpareThread(RuntimeError):
    """Every spare thread of this worker is already waiting outside its lock."""


def _turn() -> Turn | None:
    if not has_request_context():
        return None
    turn: Turn | None = request.environ.get(TURN_KEY)
    return turn


@contextmanager
def out_of_turn() -> Iterator[None]:
    """Let other requests of this worker run while this one waits for something slow
    that needs no Python of ours (a report rendering in its own process).

    Inside, the request must not touch the database session or other shared state:
    other threads run the app meanwhile. Outside a served worker (tests, the command
    line) it does nothing. Raises NoSpareThread when the worker's spare threads are all
    out already.
    """
    turn = _turn()
    if turn is None:
        yield
        return
    if not turn.away.acquire(blocking=False):
        raise NoSpareThread
    turn.lock.release()
    try:
        yield
    finally:
        turn.lock.acquire()
        turn.away.release()


@contextmanager
def back_in_turn() -> Iterator[None]:
    """Inside `out_of_turn`: hold the worker's lock again for a moment, so no other
    request runs the app meanwhile (around a fork, say)."""
    turn = _turn()
    if turn is None:
        yield
        return
    with turn.lock:
        yield


class StreamingRequest(Request):
    """Flask's request, whose uploaded files a view may have written straight into a folder
    of its choosing (`upload_folder`, set before the form is read) instead of memory or the
    system's temporary folder: a large file is never held in memory, and removing that
    folder removes every byte of it."""

    upload_folder: Path | None = None

    def _get_file_stream(self, total_content_length: int | None, content_type: str | None,
                         filename: str | None = None,
                         content_length: int | None = None) -> IO[bytes]:
        if self.upload_folder is None:
            return super()._get_file_stream(total_content_length, content_type, filename,
                                            content_length)
        return tempfile.NamedTemporaryFile(dir=self.upload_folder, prefix="part-",
                                           delete=False)


def lang() -> str:
    """The request's language, chosen on its first use (as Flask-Babel chooses its locale):
    a request that writes nothing in a language, such as a saved answer, never chooses."""
    chosen = getattr(g, "lang", None)
    if chosen is None:
        chosen = g.lang = select_lang()
    return str(chosen)


def select_lang() -> str:
    """Query string, then the remembered choice, then the user's setting, then the browser."""
    if not has_request_context():  # command line: whatever the caller chose, else English
        return str(getattr(g, "lang", None) or "en") if has_app_context() else "en"
    chosen = request.args.get("lang") or request.cookies.get(i18n.LANG_COOKIE)
    if chosen in i18n.LANGUAGES:
        return chosen
    if request.path.startswith("/api/"):
        # API callers carry a token, not a cookie session: a save (hundreds a second in a
        # workshop) skips loading the session and the signed-in user.
        return request.accept_languages.best_match(list(i18n.LANGUAGES)) or "en"
    if session.get("lang") in i18n.LANGUAGES:
        return str(session["lang"])
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.lang:
        return str(current_user.lang)
    return request.accept_languages.best_match(list(i18n.LANGUAGES)) or "en"


def get_catalog(app: Flask | None = None) -> Catalog:
    """The catalogue the app was started with (loaded and validated once, in `create_app`):
    the current app's, or the given one's outside an app context."""
    catalog: Catalog = (app or current_app).extensions["catalog"]
    return catalog


def download(data: bytes, name: str, mimetype: str) -> Response:
    """A file to save, never to be shown inline, cached or sniffed as another type."""
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _downloader() -> str:
    """Who downloads: the executive link in the address, else the signed-in account, else
    (a request about to be sent to sign in) the address. A link is counted by a digest,
    so the limiter's storage never holds the secret itself."""
    token = (request.view_args or {}).get("token")
    if token:
        return "link:" + hashlib.sha256(str(token).encode()).hexdigest()[:32]
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return "address:" + get_remote_address()


def _too_many_downloads() -> str:
    current = limiter.current_limit  # the limit just exceeded
    # as Flask-Limiter writes Retry-After
    wait = max(1, int(current.reset_at - time.time())) if current else 60
    return _("Too many downloads in a short time. Wait %(n)s seconds, then try again.",
             n=i18n.digits(wait, lang()))


#: Report downloads (readiness and status PDFs, Excel/CSV exports, client files) share one
#: count per executive link and per account: rendering them takes the server's time.
#: Over it, 429 with Retry-After and a message saying how long to wait.
download_limit = limiter.shared_limit(rate_limit("REPORT_RATELIMIT_DOWNLOAD"), scope="downloads",
                                      key_func=_downloader, error_message=_too_many_downloads)


def loc(text: Localized | None) -> str:
    """A catalogue text in the request's language."""
    return text.get(lang()) if text is not None else ""


def is_safe_next(target: str | None) -> bool:
    """Only same-site paths ('/...', not '//host' or 'http://host') are followed.

    Control characters are refused before parsing: `urlsplit` and browsers drop tabs and
    line breaks, so '/\t/evil.example' would become '//evil.example', and a CR/LF cannot
    go into a Location header at all.
    """
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return (not parts.scheme and not parts.netloc and target.startswith("/")
            and not target.startswith("//") and "\\" not in target)


def wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


# --- forms: one way to submit, to show a refusal and to read a date ------------------


def submit(form: Any, action: Callable[[], tuple[str, str]]) -> BaseResponse | None:
    """On a valid submission run `action`, commit, flash and redirect.

    `action` does the work and returns where to go and what to say. A FieldError from it
    is shown on the form and nothing is stored. None: show the form (again), either not
    submitted yet or refused.
    """
    if not form.validate_on_submit():
        return None
    try:
        target, message = action()
    except FieldError as exc:
        db.session.rollback()
        show_on_form(form, exc)
        return None
    db.session.commit()
    flash(message, "success")
    return redirect(target)


def show_on_form(form: Any, error: FieldError) -> None:
    """The error beside its field, or above the form when the form has no such field
    (an operation may judge more than the form asks for)."""
    if error.field in form:
        field = form[error.field]
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


def refused_json(error: FieldError) -> tuple[Response, int]:
    """A FieldError as the pages' own scripts read it (autosave, the facilitator's page)."""
    return jsonify(error="invalid", field=error.field, message=str(error)), error.status


def form_date(field: str, text: str | None) -> date | None:
    """A date typed into a form field, in the calendar of the page's language; empty: None.

    Every date field refuses a bad date with the same message, with an example written
    the way the page's language writes dates.
    """
    if not text or not text.strip():
        return None
    try:
        return i18n.parse_date_input(text, lang())
    except ValueError:
        if lang() == "fa":
            message = _("Write the date as year/month/day in the Solar Hijri calendar, for "
                        "example ۱۴۰۵/۰۹/۱۵.")
        else:
            message = _("Write the date as year-month-day, for example 2026-12-15.")
        raise FieldError(field, message) from None


def role_names() -> dict[str, str]:
    """What workshop participants may say they do, in the page's language."""
    return {"sales": _("Sales"), "marketing": _("Marketing"), "service": _("Service"),
            "it": _("IT"), "management": _("Management"), "other": _("Other")}


def answer_label(value: object) -> str:
    """An answer as people read it, in the request's language (see `answers.label`)."""
    return answers.label(value, lang())


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def _helpers() -> dict[str, Any]:
        current = lang()
        catalog = get_catalog()
        return {
            "lang": current,
            "dir": i18n.direction(current),
            "other_lang": "en" if current == "fa" else "fa",
            # "·" beside a digit reads as the Persian zero (۰): Persian uses its comma
            "sep": "،" if current == "fa" else " ·",
            "catalog": catalog,
            "loc": loc,
            # the scoring rules' thresholds, for the pages that explain them
            "rules_version": scoring.RULES_VERSION,
            "divergence": scoring.DIVERGENCE_THRESHOLD,
            "uncertain_below": scoring.UNCERTAIN_BELOW,
            "confidence_high": scoring.CONFIDENCE_HIGH,
            "confidence_medium": scoring.CONFIDENCE_MEDIUM,
            # verdicts and confidence in words, worded in one place (verdicts.py)
            "verdict_label": verdicts.verdict_label,
            "verdict_colours": verdicts.VERDICT_COLOURS,
            "confidence_label": verdicts.confidence_label,
            "role_names": role_names(),
            "answer_label": answer_label,
            # the answers' stored values, for pages that show or send them
            "ANSWER_VALUES": answers.VALUES,
            "NA": answers.NA,
            "UNKNOWN": answers.UNKNOWN,
        }

    # Filters that depend on the request's language take the context: Jinja would otherwise
    # fold `{{ 100|digits }}` into the compiled template in whichever language came first.
    @pass_context
    def _digits(_ctx: Any, value: object) -> str:
        return i18n.digits(value, lang())

    @pass_context
    def _num(_ctx: Any, value: float | None, places: int = 0) -> str:
        return i18n.number(value, lang(), places)

    @pass_context
    def _pct(_ctx: Any, value: float | None) -> str:
        return i18n.percent(value, lang())

    @pass_context
    def _date(_ctx: Any, value: Any) -> str:
        return i18n.format_date(value, lang())

    @pass_context
    def _loc(_ctx: Any, text: Localized | None) -> str:
        return loc(text)

    @pass_context
    def _out_of(_ctx: Any, total: object) -> str:
        return i18n.out_of(total, lang())

    @pass_context
    def _filesize(_ctx: Any, size: int) -> str:
        return i18n.filesize(size, lang())

    app.jinja_env.filters.update(digits=_digits, num=_num, pct=_pct, date=_date, loc=_loc,
                                 out_of=_out_of, filesize=_filesize)
    app.jinja_env.filters["text_direction"] = i18n.text_direction
    app.jinja_env.filters["user"] = user_text
    # a stored customer-data profile's charts and names (templates/customerdata/)
    app.jinja_env.globals["customer_figures"] = datafigures.figures

    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(HTTPException, http_error)


def user_text(text: object) -> Markup:
    """Text a user typed (a name, a comment, a note, a URL), escaped and isolated in a
    <bdi> with its own direction, so mixed Persian and English keeps its order inside a
    page or a report of either direction. Every user-entered field is printed through it
    (Jinja filter `user`)."""
    value = "" if text is None else text  # Markup stays as it is; str is escaped
    return Markup('<bdi dir="{}">{}</bdi>').format(i18n.text_direction(str(value)), value)


def csrf_error(error: CSRFError) -> Any:
    """A form or autosave whose CSRF token had expired: nothing was done; say so."""
    message = _("Your session had expired, so that last action was not carried out. "
                "Nothing you saved before is lost; please try again.")
    if wants_json():
        return jsonify(error="csrf", message=message, csrf_token=generate_csrf()), 400
    return render_template("errors/error.html", code=400, message=message), 400


def error_messages() -> dict[int, str]:
    """What each HTTP error the app can answer with says to people, in their language.
    (Werkzeug's own descriptions are in English only: none of them reaches a page.)"""
    return {
        400: _("The request could not be understood."),
        401: _("Sign in to see this page."),
        403: _("You do not have access to this page."),
        404: _("There is nothing here. It may have been removed, or it belongs to "
               "another workspace."),
        405: _("That action is not allowed here."),
        409: _("Something changed in the meantime, so this was not done. Reload the page "
               "and try again."),
        410: _("This is no longer available."),
        413: _("That upload is too large."),
        415: _("That kind of file or data cannot be read here."),
        429: _("Too many requests in a short time. Wait a minute, then try again."),
        500: _("Something went wrong on our side. Nothing you saved before is lost; please "
               "try again in a moment."),
        503: _("The service is busy or being maintained. Please try again in a moment."),
    }


def http_error(error: HTTPException) -> Any:
    """Error pages (and JSON errors) in the request's language, for every error code. A
    rate limit that words its own message (the downloads') says how long to wait."""
    code = error.code or 500
    own = getattr(getattr(error, "limit", None), "error_message", None)
    message = str(error.description) if own else error_messages().get(
        code, _("Something went wrong."))
    return error_page(code, message)


def error_page(code: int, message: str, link: tuple[str, str] | None = None) -> Response:
    """An error as JSON for the pages' scripts, else a plain page; `link` (address, text)
    offers a way on instead of the way back to the start."""
    if wants_json():
        response = jsonify(error=HTTP_STATUS_CODES.get(code, "Error"), message=message)
    else:
        response = make_response(render_template("errors/error.html", code=code,
                                                 message=message, link=link))
    response.status_code = code
    return response
