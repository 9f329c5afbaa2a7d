"""Starting and ending a signed-in session in the browser, for every page that signs
someone in or out (the sign-in form, an accepted invitation, a new password)."""

from __future__ import annotations

from datetime import timedelta

from flask import g, request, session
from flask_babel import format_timedelta
from flask_login import login_user, logout_user

from ..extensions import db
from ..i18n import LANG_COOKIE, LANGUAGES, digits
from ..tables import User
from ..web import lang
from . import operations as ops


def fresh_session() -> None:
    """Start a new session: nothing from before (a planted cookie, the old form token)
    carries over but the chosen language."""
    chosen = session.get("lang")
    session.clear()
    g.pop("csrf_token", None)  # Flask-WTF keeps the request's token here
    if chosen:
        session["lang"] = chosen


def sign_in(user: User, remember: bool) -> None:
    fresh_session()
    ops.start_sign_in(user)
    if request.cookies.get(LANG_COOKIE) in LANGUAGES:
        user.lang = request.cookies[LANG_COOKIE]
    db.session.commit()
    login_user(user, remember=remember)
    # Without "keep me signed in", closing the browser signs the consultant out.
    session.permanent = remember


def sign_out() -> None:
    """After the sign-in has ended on the server: a new session, both cookies dropped."""
    db.session.commit()
    fresh_session()
    logout_user()


def wait_words(seconds: int) -> str:
    """A wait before trying again, in whole minutes rounded up (never "0 minutes"), worded
    by the locale's rules: for refusals of too many sign-ins or reset requests."""
    wait = format_timedelta(timedelta(minutes=-(-seconds // 60)), granularity="minute")
    return digits(wait, lang())
