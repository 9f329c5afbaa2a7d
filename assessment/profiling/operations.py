"""Measuring a client's customer data on the web: the uploaded files in a folder of
their own, their columns and the profile read in a child process with a time limit
(printing.render's), the stored aggregates (`tables.DataProfile`), and the milestones
they propose.

The files never stay: the folder is removed when the profile is stored, when the files
cannot be read, when the time runs out, and a day after an upload nobody finished.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import re
import secrets
import shutil
import signal
import subprocess  # nosec B404 # the profiling job: this interpreter, a fixed module
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import audit, i18n, web
from ..catalog import Catalog
from ..customerdata import ROLES
from ..customerdata.profile import DEFAULT_WINDOW, WINDOW_MONTHS
from ..customerdata.proposals import Proposal, propose
from ..errors import FieldError
from ..extensions import db
from ..printing.render import ReportError, render_in_child
from ..results import score_assessment
from ..rollout import operations as rollout
from ..tables import Assessment, Client, DataProfile, Milestone, Roadmap, utcnow

#: the canonical stage the measured data level is set beside
DATA_STAGE = "data"


def latest_profile(client: Client) -> DataProfile | None:
    """The client's most recent measurement, if any."""
    return db.session.scalar(select(DataProfile).where(DataProfile.client_id == client.id)
                             .order_by(DataProfile.created_at.desc(), DataProfile.id.desc())
                             .limit(1))


def stated_level(catalog: Catalog, assessment: Assessment) -> float | None:
    """What the answers say of the data stage, as a mean level (0-5, not rounded), or None
    when no answer of that stage counts."""
    stage = score_assessment(catalog, assessment).stage(DATA_STAGE)
    return None if stage.score is None else stage.score / 20


def differs(stated: float | None, measured: int) -> bool:
    """Flagged like a workshop divergence: the measured level and what the answers say
    are a level or more apart."""
    return stated is not None and abs(stated - measured) >= 1


# --- uploads: a folder each, under the instance folder, gone when the profile is done ----

#: where uploads wait, in the instance folder: one folder of random name each
UPLOADS_DIR = "uploads"
#: an upload folder older than this (seconds) is swept at the start of the next upload
STALE_AFTER = 24 * 3600
#: the file kinds the page takes (the engine tells them apart by their content)
EXTENSIONS = ("csv", "tsv", "txt", "xlsx")
UNITS = ("rial", "toman", "")
JOB_FILE = "job.json"
PROGRESS_FILE = "progress"
_UPLOAD_NAME = re.compile(r"[A-Za-z0-9_-]{16,64}")


@dataclass
class Upload:
    """Files waiting in their folder to be profiled, and what the consultant chose."""

    folder: Path
    client_id: int
    user_id: int
    #: the names the files had on the consultant's computer, and the names kept here
    names: list[str]
    stored: list[str]
    unit: str = ""
    as_of: date | None = None
    window_months: int = DEFAULT_WINDOW
    #: each file's headers and the roles recognised in them (filled by `read_columns`)
    columns: list[dict[str, Any]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def paths(self) -> list[Path]:
        return [self.folder / stored for stored in self.stored]

    def save(self) -> None:
        (self.folder / JOB_FILE).write_text(json.dumps({
            "client_id": self.client_id, "user_id": self.user_id, "names": self.names,
            "stored": self.stored, "unit": self.unit,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "window_months": self.window_months, "columns": self.columns,
        }, ensure_ascii=False), encoding="utf-8")


def uploads_root(instance_path: str) -> Path:
    return Path(instance_path) / UPLOADS_DIR


def new_upload_folder(instance_path: str) -> Path:
    """A fresh folder for one upload (stale ones swept first)."""
    root = uploads_root(instance_path)
    sweep(root)
    folder = root / secrets.token_urlsafe(24)
    folder.mkdir(parents=True, mode=0o700)
    return folder


def sweep(root: Path, older_than: float = STALE_AFTER) -> None:
    """Remove upload folders left for longer than `older_than` seconds (a closed tab)."""
    if not root.is_dir():
        return
    limit = time.time() - older_than
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            continue


def discard(folder: Path) -> None:
    """The upload's folder and everything in it, gone."""
    shutil.rmtree(folder, ignore_errors=True)


def stored_name(number: int, filename: str) -> str:
    """The name a file is kept under in its folder: its number and its kind (the
    consultant's own file name may say whose data it is)."""
    extension = Path(filename).suffix.lower().lstrip(".")
    if extension not in EXTENSIONS:
        raise FieldError("files", _l("Choose CSV, TXT or XLSX files."))
    return f"file-{number}.{extension}"


def start_upload(folder: Path, client: Client, user_id: int, names: list[str],
                 stored: list[str], *, unit: str, as_of: date | None,
                 window_months: int) -> Upload:
    """Check the choices that came with the files and keep them beside the files."""
    if not stored:
        raise FieldError("files", _l("Choose at least one file."))
    if unit not in UNITS:
        raise FieldError("unit", _l("Choose rial, toman or not said."))
    if not WINDOW_MONTHS[0] <= window_months <= WINDOW_MONTHS[1]:
        raise FieldError("window_months", _l("The window is 6 to 12 months."))
    upload = Upload(folder, client.id, user_id, names, stored, unit, as_of, window_months)
    upload.save()
    return upload


def find_upload(instance_path: str, name: str, client: Client) -> Upload | None:
    """The upload of that name, if it was made for this client (its random name is only
    known to whoever uploaded it; the client's own access rules do the rest)."""
    if not _UPLOAD_NAME.fullmatch(name):
        return None
    folder = uploads_root(instance_path) / name
    try:
        job = json.loads((folder / JOB_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if job.get("client_id") != client.id:
        return None
    as_of = job.get("as_of")
    return Upload(folder, client.id, int(job["user_id"]), list(job["names"]),
                  list(job["stored"]),
                  job.get("unit", ""), date.fromisoformat(as_of) if as_of else None,
                  int(job.get("window_months", DEFAULT_WINDOW)), list(job.get("columns", [])))


def progress_of(upload: Upload) -> float:
    """How far the running profile is, 0 to 1 (0 before it starts)."""
    try:
        return float((upload.folder / PROGRESS_FILE).read_text(encoding="ascii") or 0)
    except (OSError, ValueError):
        return 0.0


# --- the work, done in a child process (printing.render's, with its time limit) --------


def _die_with_parent() -> None:
    """In the job's interpreter, before it starts: end when its parent, the render child,
    is killed at the time limit (Linux's PR_SET_PDEATHSIG; elsewhere nothing)."""
    with contextlib.suppress(AttributeError, OSError):
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)


def _run_job(text: str) -> bytes:
    """A render child's task: the job (JSON) in a fresh interpreter (job.py says why)."""
    done = subprocess.run(  # nosec B603 # a fixed argv; the job comes on stdin
        [sys.executable, "-m", "assessment.profiling.job"], input=text.encode("utf-8"),
        capture_output=True, check=False, preexec_fn=_die_with_parent)
    if done.returncode != 0:
        return json.dumps({"error": "", "field": "files"}).encode("utf-8")
    return done.stdout


class DataError(Exception):
    """The files could not be read or measured; the message says why, for the user."""

    def __init__(self, message: str, field: str = "files"):
        super().__init__(message)
        self.field = field


def _in_child(job: dict[str, Any]) -> Any:
    limit = float(current_app.config["DATA_TIMEOUT"])
    started = time.monotonic()
    try:
        raw = render_in_child(_run_job, json.dumps(job, ensure_ascii=False), limit)
    except ReportError as exc:
        if time.monotonic() - started >= limit:
            raise DataError(_("Reading the files took longer than %(n)s seconds and was "
                              "stopped. Try a smaller extract of the data.",
                              n=i18n.digits(round(limit), web.lang()))) from None
        raise DataError(str(exc)) from None
    answer = json.loads(raw)
    if "error" in answer:
        raise DataError(answer["error"] or _("The files could not be read."),
                        answer.get("field") or "files")
    return answer["ok"]


def read_columns(upload: Upload) -> list[dict[str, Any]]:
    """Each file's headers and recognised roles, read in a child process and kept with
    the upload. Raises DataError for a file that cannot be read."""
    upload.columns = _in_child({"work": "columns", "paths": [str(p) for p in upload.paths]})
    upload.save()
    return upload.columns


def run_profile(upload: Upload, mapping: dict[str, str]) -> dict[str, Any]:
    """The profile of the upload's files with the consultant's mapping (role -> column), as
    `Profile.to_json()`, measured in a child process with the DATA_TIMEOUT limit."""
    result: dict[str, Any] = _in_child({
        "work": "profile", "paths": [str(p) for p in upload.paths], "mapping": mapping,
        "as_of": upload.as_of.isoformat() if upload.as_of else None,
        "window_months": upload.window_months,
        "progress": str(upload.folder / PROGRESS_FILE)})
    return result


def choices(upload: Upload, chosen: Mapping[str, str]) -> dict[str, str]:
    """The mapping to profile with: for each role, the column the consultant chose when it
    is a column of the files (an empty choice leaves the role to recognition)."""
    headers = {header for columns in upload.columns for header in columns["headers"]}
    mapping = {}
    for role in ROLES:
        column = chosen.get(role) or ""
        if column and column not in headers:
            raise FieldError(role, _l("Choose one of the files' columns."))
        if column:
            mapping[role] = column
    return mapping


def recognised(upload: Upload) -> dict[str, str]:
    """The column recognised for each role, from the first file that has one."""
    found: dict[str, str] = {}
    for columns in upload.columns:
        for role, column in columns["roles"].items():
            found.setdefault(role, column)
    return found


# --- the stored profile ----------------------------------------------------------------


def store_profile(client: Client, upload: Upload, result: dict[str, Any],
                  user_id: int | None) -> DataProfile:
    """One row of aggregates, and its audit entry."""
    as_of = result.get("as_of")
    profile = DataProfile(
        client=client, created_by=user_id, created_at=utcnow(),
        as_of=date.fromisoformat(as_of) if as_of else None,
        window_months=int(result.get("window_months") or upload.window_months),
        rows=int(result["rows"]), customers=int(result["customers"]),
        score=int(result["score"]), unit=upload.unit, result=result)
    db.session.add(profile)
    db.session.flush()
    audit.record("data.profiled", client=client, subject=str(profile.id),
                 new={"customers": profile.customers, "score": profile.score})
    return profile


def profiles_of(client: Client) -> list[DataProfile]:
    """The client's measurements, newest first."""
    return list(db.session.scalars(select(DataProfile).where(
        DataProfile.client_id == client.id).order_by(DataProfile.created_at.desc(),
                                                     DataProfile.id.desc())))


def compared_assessment(client: Client) -> Assessment | None:
    """The assessment the measured level is set beside: the latest completed one, else
    the latest."""
    ordered = sorted(client.assessments, key=lambda a: (a.completed_at or a.created_at, a.id),
                     reverse=True)
    complete = [a for a in ordered if a.status == "complete"]
    chosen = complete or ordered
    return chosen[0] if chosen else None


def roadmap_for(client: Client) -> Roadmap | None:
    """Where proposed milestones go: the roadmap the client works on, that of its latest
    assessment that has one (a re-assessment usually has none of its own)."""
    planned = [a for a in client.assessments if a.roadmap is not None]
    latest = max(planned, key=lambda a: (a.created_at, a.id), default=None)
    return latest.roadmap if latest is not None else None


def proposal_ref(profile: DataProfile, proposal: Proposal) -> str:
    return f"{profile.id}:{proposal.key}"


def add_proposals(catalog: Catalog, profile: DataProfile, keys: list[str]) -> list[Milestone]:
    """The chosen proposals as milestones of the client's roadmap (origin 'data'); one
    already there is not added again."""
    roadmap = roadmap_for(profile.client)
    if roadmap is None:
        raise FieldError("proposal", _l("The client has no roadmap yet: propose one on its "
                                        "latest assessment's page first."))
    chosen = [p for p in propose(profile.result) if p.key in keys]
    if not chosen:
        raise FieldError("proposal", _l("Tick at least one proposed milestone."))
    there = {m.origin_ref for m in roadmap.milestones if m.origin == "data"}
    added = []
    for proposal in chosen:
        if proposal_ref(profile, proposal) in there:
            continue
        added.append(rollout.save_milestone(catalog, roadmap, {
            "title_en": proposal.title.en, "title_fa": proposal.title.fa,
            "stage": rollout.stage_for(catalog, roadmap.model_id, proposal.stage)},
            origin="data", origin_ref=proposal_ref(profile, proposal)))
    return added
