"""Every setting the app reads, with its default and what it means, in one place.

`load` fills an app's config in a fixed order, each source overriding the one before:
the defaults below, then `instance/config.py`, then `CRM_*` environment variables, then
the test configuration handed to `create_app`. Code reads `current_app.config[...]`
with the setting's name written out, and gives no default of its own.
docs/configuration.md shows the same settings as a table; tests/test_config.py keeps
the table, this module and the code's reads in step.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from .catalog import USER_DIR_ENV

#: `CRM_REPORT_SLOTS=2` in the environment sets `REPORT_SLOTS` to 2 (values are read as
#: JSON where they parse as JSON: numbers, true/false, lists; otherwise as text).
ENV_PREFIX = "CRM"
INSTANCE_PATH_ENV = "CRM_INSTANCE_PATH"
DATABASE_URL_ENV = "DATABASE_URL"


@dataclass(frozen=True)
class Setting:
    """One key of the app's config."""

    name: str
    default: Any
    meaning: str
    #: how the docs show the default where the value alone would not say it
    shown: str | None = None
    #: False where an environment variable cannot carry the value (a date)
    from_env: bool = True

    @property
    def env(self) -> str | None:
        """The environment variable that sets it, if one can."""
        return f"{ENV_PREFIX}_{self.name}" if self.from_env else None

    @property
    def default_text(self) -> str:
        """The default as docs/configuration.md writes it."""
        if self.shown is not None:
            return self.shown
        if isinstance(self.default, str):
            return f"`{json.dumps(self.default)}`"
        return f"`{self.default!r}`"


@dataclass(frozen=True)
class EnvironmentVariable:
    """A setting read from the environment only, never from the app's config."""

    name: str
    default_text: str
    meaning: str


SETTINGS: tuple[Setting, ...] = (
    Setting("SECRET_KEY", None,
            "Signs sessions, sign-in cookies and form tokens. When unset, a random key is "
            "made on first start and kept in the instance folder.",
            shown="random, kept in `instance/secret_key`"),
    Setting("SQLALCHEMY_DATABASE_URI", None,
            "The database, as an SQLAlchemy URL. When unset, `DATABASE_URL`, else an SQLite "
            "file in the instance folder.",
            shown="`DATABASE_URL`, else `instance/crm.sqlite3`"),
    Setting("SQLALCHEMY_ENGINE_OPTIONS", {},
            "Extra options for SQLAlchemy's engine, over the ones chosen for the database "
            "(SQLite's busy timeout, PostgreSQL's pre-ping)."),
    Setting("MAX_CONTENT_LENGTH", 2 * 1024 * 1024,
            "Largest request body in bytes for the web pages (uploads such as an imported "
            "client): 2 MiB."),
    Setting("PERMANENT_SESSION_LIFETIME", timedelta(days=30),
            "How long a session (a workshop participant, a signed-in consultant) lasts; "
            "in seconds when given as an environment variable.",
            shown="`timedelta(days=30)`"),
    Setting("SESSION_COOKIE_SAMESITE", "Lax", "SameSite attribute of the session cookie."),
    Setting("REMEMBER_COOKIE_SAMESITE", "Lax",
            "SameSite attribute of the 'remember me' cookie."),
    Setting("REMEMBER_COOKIE_DURATION", timedelta(days=30),
            "How long 'keep me signed in' keeps a consultant signed in, and the longest any "
            "sign-in lasts; in seconds when given as an environment variable.",
            shown="`timedelta(days=30)`"),
    Setting("LOGIN_FAILURES_PER_ACCOUNT", 5,
            "Failed sign-ins allowed for one e-mail address within `LOGIN_FAILURE_WINDOW`; "
            "after that, signing in to it is refused until the window ends."),
    Setting("LOGIN_FAILURES_PER_ADDRESS", 30,
            "Failed sign-ins allowed from one client address within "
            "`LOGIN_FAILURE_WINDOW`, whatever the accounts tried."),
    Setting("LOGIN_FAILURE_WINDOW", 900,
            "Seconds over which failed sign-ins are counted (900: 15 minutes)."),
    Setting("WTF_CSRF_TIME_LIMIT", None,
            "Seconds a form token stays valid; `None`: as long as the session, so a long "
            "walk never fails on an old token."),
    Setting("BABEL_DEFAULT_LOCALE", "en", "Language used when a request asks for none."),
    Setting("BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent / "translations"),
            "Where the compiled translations are.",
            shown="the package's `translations` folder"),
    Setting("REPORT_TIMEOUT", 60.0,
            "Seconds a PDF report may take to render before it is stopped."),
    Setting("REPORT_QUEUE_WAIT", 30.0,
            "Seconds a report waits for a free render slot before the user is asked to "
            "try again."),
    Setting("REPORT_SLOTS", 1,
            "Reports rendered at once by the whole installation (every server worker and "
            "command sharing the instance folder); more wait their turn, without holding "
            "up other requests."),
    Setting("REPORT_CACHE", True,
            "Keep finished reports in the instance folder's `report-cache/` and serve a "
            "report from there while nothing it shows has changed; false renders every "
            "download afresh."),
    Setting("REPORT_CACHE_FILES", 200,
            "Most reports kept in the report cache; past it, those used least recently "
            "are removed."),
    Setting("REPORT_CACHE_MB", 200,
            "Most mebibytes the report cache takes; past it, the reports used least "
            "recently are removed."),
    Setting("DATA_MAX_BYTES", 200 * 1024 * 1024,
            "Largest upload in bytes on the \"Measure customer data\" page (all its files "
            "together): 200 MiB. A larger one is refused from its declared size, before "
            "it is read."),
    Setting("DATA_TIMEOUT", 120.0,
            "Seconds reading and measuring a client's customer data files may take before "
            "it is stopped (it runs in a child process, like a report render)."),
    Setting("WORKSHOP_RATELIMIT_SAVE", "600 per minute",
            "Answers a workshop participant may save on the web pages, per participant."),
    Setting("WORKSHOP_RATELIMIT_JOIN", "1000 per minute",
            "Joins to one workshop on the web pages, per workshop code."),
    # A person saves a few times a minute, a load test of a room three times a second:
    # neither comes near it.
    Setting("API_RATELIMIT_SAVE", "600 per minute",
            "API requests of a workshop participant, per participant token and route."),
    # A room of a few hundred joining in the same minute passes.
    Setting("API_RATELIMIT_JOIN", "600 per minute",
            "API joins to one workshop, per workshop code."),
    # Stops guessing codes; a room mistyping its code never gets near it.
    Setting("API_RATELIMIT_JOIN_MISS", "300 per minute",
            "Workshop codes that open nothing, per address, counted together on the API "
            "and the web pages (against guessing codes)."),
    Setting("API_RATELIMIT_CONSULTANT", "600 per minute",
            "API requests of a consultant, per API token."),
    # Ten a minute is more than a person clicks; four clients rendering PDFs through one
    # link slowed every other page.
    Setting("REPORT_RATELIMIT_DOWNLOAD", "10 per minute",
            "Report downloads (PDF reports, Excel and CSV exports, client files), counted "
            "together per executive link and per signed-in account."),
    Setting("SHARE_LINK_DAYS", 30,
            "Days a new executive self-assessment link works; the consultant can change "
            "the day on the assessment page."),
    Setting("API_MAX_CONTENT_LENGTH", 64 * 1024,
            "Largest API request body in bytes; larger ones get 413."),
    Setting("REDIS_URL", None,
            "A Redis server for the rate-limit counters, shared by every server that uses "
            "it; unset: a file in the instance folder, shared by this installation's "
            "workers.", shown="unset"),
    Setting("TRUSTED_PROXIES", 0,
            "How many proxies in front of the app to believe about the client (their "
            "X-Forwarded-For, -Proto, -Host and -Prefix headers): set it to 1 behind one "
            "TLS proxy, so the app sees HTTPS (secure cookies, HSTS) and rate limits see "
            "the real client address. 0: believe no such header."),
    Setting("INVITATION_DAYS", 7,
            "Days an invitation link works; it works once."),
    Setting("PASSWORD_RESET_HOURS", 1,
            "Hours a password reset link works; it works once."),
    # A person who forgot a password asks once or twice; more would fill their inbox.
    Setting("RESET_REQUESTS_PER_ACCOUNT", 3,
            "Requests for a password reset link for one e-mail address within "
            "`LOGIN_FAILURE_WINDOW`, counted whether or not it has an account."),
    Setting("RESET_REQUESTS_PER_ADDRESS", 20,
            "Requests for a password reset link from one client address within "
            "`LOGIN_FAILURE_WINDOW`, whatever the addresses typed."),
    Setting("SMTP_HOST", None,
            "The mail server that sends invitations and password reset links. Unset: "
            "no mail is sent; the person who invites copies the link, and only the owner "
            "can issue reset links.", shown="unset"),
    Setting("SMTP_PORT", 587, "The mail server's port."),
    Setting("SMTP_USER", None, "The account to sign in to the mail server with; unset: "
            "send without signing in.", shown="unset"),
    Setting("SMTP_PASSWORD", None, "The mail server account's password.", shown="unset"),
    Setting("SMTP_TLS", "starttls",
            "How the connection to the mail server is protected: `starttls` (TLS asked for "
            "after connecting, usually port 587), `ssl` (TLS from the start, usually port "
            "465) or `none` (a local relay)."),
    Setting("SMTP_FROM", "crm-maturity@localhost", "The sender of the app's e-mails."),
    Setting("TODAY", None,
            "A `datetime.date` the app takes for today (rollout, status reports, trends), "
            "for tests and demos; `None`: the real date.",
            from_env=False),
)

ENVIRONMENT: tuple[EnvironmentVariable, ...] = (
    EnvironmentVariable(DATABASE_URL_ENV, "unset",
                        "The database as an SQLAlchemy URL (such as PostgreSQL with the "
                        "`postgres` extra), when `SQLALCHEMY_DATABASE_URI` is not set."),
    EnvironmentVariable(INSTANCE_PATH_ENV,
                        "Flask's: `instance/` in a checkout, `var/assessment-instance` in "
                        "the virtualenv when installed",
                        "The instance folder: `config.py`, the secret key, the SQLite file."),
    EnvironmentVariable(USER_DIR_ENV, "unset",
                        "A folder of your own model and questionnaire files, validated like "
                        "the shipped ones; the app refuses to start if one is wrong."),
)


def defaults() -> dict[str, Any]:
    """A fresh copy of every default, so no app shares a mutable value with another."""
    return {setting.name: copy.deepcopy(setting.default) for setting in SETTINGS}


def load(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill `app.config`: defaults, instance/config.py, CRM_* variables, test config."""
    app.config.from_mapping(defaults())
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    if test_config:
        app.config.update(test_config)


def rate_limit(name: str) -> Callable[[], str]:
    """A Flask-Limiter limit read from the config at each request, so a change applies."""
    return lambda: str(current_app.config[name])
