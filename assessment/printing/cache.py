"""Finished reports kept in the instance folder's `report-cache/`, so a download of an
unchanged report is a file read instead of a render.

A cached report is found by a key that changes whenever anything the report could show
changes. Building the report's HTML to hash it would be the surest key, but it takes
longer (40-80 ms for the demo's workshop) than a cached download may; the key is instead
a digest of everything the HTML is made from:

- the report (readiness or status, with or without the trend chart), the assessment,
  the language, the format (pdf, docx, html) and the dates it prints (today's; the status
  report's day);
- every row of the client's data in the database: the workspace and its people, the
  client (its logo too), all its assessments (previous ones feed the trend), their
  respondents, agreed answers and workshops, the roadmap with its milestones,
  dependencies and evidence, the team. Answers, the one large table, are summed up by
  SQL: their count and ids, the sum of their revisions (every saved change adds one) and
  the newest change; the client's customer-data profiles;
- the catalogue the app loaded, as data;
- the app itself: every file of the package, the screen and print templates and the
  print CSS and fonts, read once per process (a new version is a new process), and the
  versions of the libraries that lay out and draw the report.

The folder is bounded (REPORT_CACHE_FILES, REPORT_CACHE_MB): past either, the reports
used least recently go. `crm-maturity clear-report-cache` empties it; REPORT_CACHE=false
turns it off.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from datetime import date
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import BindParameter, Select, bindparam, func, select

from ..catalog import Catalog, data_dir
from ..extensions import db
from ..tables import (
    AgreedAnswer,
    Answer,
    Assessment,
    Client,
    DataProfile,
    Evidence,
    Milestone,
    Respondent,
    Roadmap,
    TeamMember,
    User,
    Workshop,
    Workspace,
    milestone_dependencies,
    utcnow,
)
from ..web import get_catalog
from .render import write_atomically

#: The folder, in the instance folder.
CACHE_DIR = "report-cache"
#: Changed when the way keys are made changes, so old files are never taken for new.
KEY_VERSION = "1"
_PACKAGE = Path(__file__).resolve().parent.parent
#: Libraries whose upgrade can change a report made from the same data and templates.
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "pillow",
             "jinja2", "babel", "flask-babel", "jdatetime", "python-docx", "lxml",
             "pypdfium2", "tinyhtml5")

log = logging.getLogger(__name__)


def cache_folder(app: Flask | None = None) -> Path:
    return Path((app or current_app).instance_path) / CACHE_DIR


def report_key(kind: str, assessment: Assessment, lang: str, fmt: str,
               today: date | None = None) -> str:
    """The cache key of a report of `assessment` (see the module's docstring)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    digest = hashlib.sha256()
    parts: tuple[object, ...] = (
        KEY_VERSION, kind, assessment.id, lang, fmt, utcnow().date().isoformat(),
        today.isoformat() if today else "", _sources_digest(app),
        _catalog_digest(app, get_catalog(app)), client_digest(assessment.client_id))
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def cached(key: Callable[[], str], fmt: str, make: Callable[[], bytes]) -> bytes:
    """The report stored under `key()`, or `make()`'s, stored for next time.

    The key is taken again once the report is made, and the report is stored only when
    both agree: a change committed while the report was read (another request, on a
    database whose reads do not share one snapshot) is never stored under the key of
    the state before it. A cache folder that cannot be read or written costs a render,
    never the download.
    """
    if not current_app.config["REPORT_CACHE"]:
        return make()
    folder = cache_folder()
    before = key()
    path = folder / f"{before}.{fmt}"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        pass
    except OSError as exc:
        log.warning("report cache: cannot read %s: %s", path, exc)
    else:
        with suppress(OSError):  # evicted by another process meanwhile
            os.utime(path)  # used now: the last to be evicted
        return data
    data = make()
    if key() != before:
        return data
    try:
        write_atomically(path, data)
        evict(folder, int(current_app.config["REPORT_CACHE_FILES"]),
              float(current_app.config["REPORT_CACHE_MB"]) * 1024 * 1024)
    except OSError as exc:
        log.warning("report cache: cannot store %s: %s", path, exc)
    return data


def evict(folder: Path, most_files: int, most_bytes: float) -> list[Path]:
    """Remove the least recently used reports until at most `most_files` files and
    `most_bytes` bytes are left; the files removed."""
    entries = []
    for path in _reports_in(folder):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        entries.append((stat.st_mtime, stat.st_size, path))
    entries.sort(key=lambda entry: entry[0])
    total = sum(size for _when, size, _path in entries)
    removed = []
    while entries and (len(entries) > most_files or total > most_bytes):
        _when, size, path = entries.pop(0)
        path.unlink(missing_ok=True)
        total -= size
        removed.append(path)
    return removed


def clear(folder: Path) -> int:
    """Remove every cached report; how many there were."""
    count = 0
    for path in _reports_in(folder):
        path.unlink(missing_ok=True)
        count += 1
    return count


def _reports_in(folder: Path) -> Iterator[Path]:
    """The finished files (half-written ones start with a dot)."""
    if folder.is_dir():
        yield from (path for path in folder.iterdir()
                    if path.is_file() and not path.name.startswith("."))


# --- what goes into the key -------------------------------------------------------------


def client_digest(client_id: int) -> str:
    """A digest of every row of the client's data a report could read."""
    digest = hashlib.sha256()
    for query in _client_queries():
        for row in db.session.execute(query, {"client_id": client_id}):
            for value in row:
                digest.update(value if isinstance(value, bytes) else repr(value).encode())
                digest.update(b"\x1f")
            digest.update(b"\x1e")
        digest.update(b"\x1d")
    return digest.hexdigest()


@cache
def _client_queries() -> list[Select[Any]]:
    """The queries of `client_digest`, made once."""
    client_id: BindParameter[int] = bindparam("client_id")
    workspace = select(Client.workspace_id).where(Client.id == client_id).scalar_subquery()
    assessments = select(Assessment.id).where(Assessment.client_id == client_id)
    respondents = select(Respondent.id).where(Respondent.assessment_id.in_(assessments))
    roadmaps = select(Roadmap.id).where(Roadmap.assessment_id.in_(assessments))
    milestones = select(Milestone.id).where(Milestone.roadmap_id.in_(roadmaps))
    evidence = [column for column in Evidence.__table__.c if column.name != "data"]
    return [
        select(Workspace.__table__).where(Workspace.id == workspace),
        select(User.__table__).where(User.workspace_id == workspace).order_by(User.id),
        select(Client.__table__).where(Client.id == client_id),
        select(Assessment.__table__).where(Assessment.client_id == client_id)
        .order_by(Assessment.id),
        select(Respondent.__table__).where(Respondent.id.in_(respondents))
        .order_by(Respondent.id),
        # Every saved change of an answer adds one to its revision and sets updated_at.
        select(func.count(), func.sum(Answer.id), func.sum(Answer.revision),
               func.max(Answer.updated_at)).where(Answer.respondent_id.in_(respondents)),
        select(AgreedAnswer.__table__).where(AgreedAnswer.assessment_id.in_(assessments))
        .order_by(AgreedAnswer.id),
        select(Workshop.__table__).where(Workshop.assessment_id.in_(assessments))
        .order_by(Workshop.id),
        select(Roadmap.__table__).where(Roadmap.id.in_(roadmaps)).order_by(Roadmap.id),
        select(Milestone.__table__).where(Milestone.id.in_(milestones))
        .order_by(Milestone.id),
        select(milestone_dependencies).where(milestone_dependencies.c.milestone_id.in_(
            milestones)).order_by(*milestone_dependencies.c),
        select(*evidence).where(Evidence.milestone_id.in_(milestones)).order_by(Evidence.id),
        select(TeamMember.__table__).where(TeamMember.client_id == client_id)
        .order_by(TeamMember.id),
        # the customer-data profiles (the report's page on the latest, the trend)
        select(DataProfile.__table__).where(DataProfile.client_id == client_id)
        .order_by(DataProfile.id),
    ]


def _catalog_digest(app: Flask, catalog: Catalog) -> str:
    """The catalogue as data (made once per catalogue object)."""
    known = app.extensions.get("report_catalog_digest")
    if known is not None and known[0] is catalog:
        return str(known[1])
    digest = hashlib.sha256()
    parts: list[Any] = [catalog.stages_file]
    for group in (catalog.scales, catalog.models, catalog.questionnaires):
        parts.extend(group[key] for key in sorted(group))
    for part in parts:
        digest.update(part.model_dump_json().encode("utf-8"))
        digest.update(b"\0")
    app.extensions["report_catalog_digest"] = (catalog, digest.hexdigest())
    return digest.hexdigest()


def _sources_digest(app: Flask) -> str:
    """The versions of the libraries that draw a report, and every file of the app's code,
    translations, templates, print CSS and fonts, read once per app. A server worker reads
    them when it starts (`prime`), with the code it runs: a worker still running the old
    code after an upgrade on disk never stores its reports under the new code's key."""
    known = app.extensions.get("report_sources_digest")
    if known is not None:
        return str(known)
    digest = hashlib.sha256()
    for library in LIBRARIES:
        try:
            version = metadata.version(library)
        except metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library}=={version}\0".encode())
    for name, path in _source_files([_PACKAGE, data_dir("templates"), data_dir("reports")]):
        digest.update(name.encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    app.extensions["report_sources_digest"] = digest.hexdigest()
    return digest.hexdigest()


def prime(app: Flask) -> None:
    """Take the fingerprint of the app's code now, as it starts (see `_sources_digest`)."""
    _sources_digest(app)


def _source_files(folders: Iterable[Path]) -> list[tuple[str, Path]]:
    """The files under `folders` (compiled Python left out), each with its name from
    the folder's parent: the same wherever the app is installed."""
    return [(path.relative_to(folder.parent).as_posix(), path)
            for folder in folders for path in sorted(folder.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts]


# --- the reports ------------------------------------------------------------------------


def readiness_report(assessment: Assessment, lang: str, fmt: str = "pdf",
                     timeout: float | None = None) -> bytes:
    """The maturity and readiness report as PDF, as a Word document (docx, made from the
    same HTML) or as the HTML WeasyPrint gets, from the cache when nothing it shows has
    changed; ReportError with a message for people. PDF and Word are made in a render
    child under a render slot, with the same time limit."""
    from .render import render_in_child, render_pdf_here
    from .report import build_html
    from .word import build_docx

    makers = {"pdf": render_pdf_here, "docx": build_docx}
    if fmt not in (*makers, "html"):
        raise ValueError(f"unknown report format {fmt!r}")

    def make() -> bytes:
        html = build_html(assessment, lang)
        db.session.commit()  # end the read before the slow part
        if fmt == "html":
            return html.encode("utf-8")
        return render_in_child(makers[fmt], html, timeout)

    return cached(lambda: report_key("readiness", assessment, lang, fmt), fmt, make)
