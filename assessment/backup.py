"""Backups of the whole database while the app runs, and restoring one.

SQLite (the default): `backup` copies the live database with SQLite's online backup
API in one step, that is inside one read transaction, so the copy is the database as it
was at one moment even while the app keeps writing (WAL lets writers go on meanwhile).
The copy goes to a temporary file beside the target, is switched to an ordinary
rollback-journal database (one self-contained file), checked with `PRAGMA
integrity_check`, and only then renamed into place.

`restore` refuses anything that is not an intact SQLite database of this app at a
migration revision this code knows (an older one is fine: the caller upgrades it
afterwards). It takes the app's write lock (see db.WriteLock), so writers of the app
queue behind it, and copies the backup into the live database with the same backup
API: one write transaction, so a reader sees either the old or the new data, never a
mix.

PostgreSQL: `pg_dump --format=custom` (itself a consistent snapshot) and `pg_restore
--clean --if-exists --single-transaction`, when those programs are installed.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess  # nosec B404 # pg_dump and psql, with our own arguments
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, Engine, make_url

from .db import BUSY_TIMEOUT_MS, WriteLock

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
#: tables every database of this app has, whatever its revision
APP_TABLES = ("alembic_version", "workspaces", "users", "clients", "assessments", "answers")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; nothing was changed."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    size: int
    #: the database's migration revision (None: not a migrated database)
    revision: str | None
    seconds: float


@dataclass(frozen=True)
class RestoreInfo:
    revision: str
    #: the newest revision this code knows; the caller upgrades when they differ
    head: str
    seconds: float

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != self.head


def migration_revisions() -> tuple[str, set[str]]:
    """The head revision of this code's migrations, and every revision it knows."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    heads = script.get_heads()
    if len(heads) != 1:  # pragma: no cover - a packaging mistake
        raise BackupError(f"the migrations have {len(heads)} heads")
    return heads[0], {revision.revision for revision in script.walk_revisions()}


def _url(target: Engine | URL | str) -> URL:
    if isinstance(target, Engine):
        return target.url
    return make_url(target) if isinstance(target, str) else target


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:") or str(url.database).startswith("file:"):
        raise BackupError("only a SQLite database in a file can be backed up or restored")
    return Path(str(url.database))


def backup(source: Engine | URL | str, path: Path) -> BackupInfo:
    """Write a consistent copy of the database `source` to `path`."""
    url = _url(source)
    started = time.perf_counter()
    if url.get_backend_name() == "postgresql":
        _pg_backup(url, path)
        return BackupInfo(path, path.stat().st_size, None, time.perf_counter() - started)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"backups of {url.get_backend_name()} databases are not supported")
    database = _sqlite_path(url)
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    with _temporary_beside(path) as temporary:
        # mode=rw: never create an empty database where the live one was expected
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=rw", uri=True,
                                     timeout=BUSY_TIMEOUT_MS / 1000)) as live, \
                closing(sqlite3.connect(temporary)) as copy:
            live.backup(copy)  # one step: one read transaction, one moment of the database
            copy.execute("PRAGMA journal_mode=DELETE")
            problems = _integrity(copy)
            revision = _revision(copy)
        if problems:
            raise BackupError("the copy failed its integrity check: " + "; ".join(problems))
        _sync(temporary)
        os.replace(temporary, path)
    _sync_dir(path.parent)
    return BackupInfo(path, path.stat().st_size, revision, time.perf_counter() - started)


def restore(path: Path, target: Engine | URL | str, *,
            confirm: Callable[[str], None] | None = None) -> RestoreInfo:
    """Replace everything in the database `target` with the backup at `path`.

    `confirm` is called with the backup's revision once the backup has passed every
    check and before anything changes; it raises to stop.
    """
    url = _url(target)
    started = time.perf_counter()
    if not path.is_file():
        raise BackupError(f"there is no file {path}")
    head, known = migration_revisions()
    if url.get_backend_name() == "postgresql":
        restored = _pg_restore(url, path, known, head, confirm)
        return RestoreInfo(restored, head, time.perf_counter() - started)
    if url.get_backend_name() != "sqlite":
        raise BackupError(f"restoring {url.get_backend_name()} databases is not supported")
    database = _sqlite_path(url)
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_MAGIC)) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database (a backup made by "
                              "`crm-maturity backup` is one)")
    database.parent.mkdir(parents=True, exist_ok=True)
    with _temporary_beside(database) as candidate:
        # Checked and adjusted on a private copy: the file given is never changed.
        shutil.copyfile(path, candidate)
        live_page_size = _page_size(database) if database.exists() else None
        with closing(sqlite3.connect(candidate)) as copy:
            try:
                copy.execute("PRAGMA journal_mode=DELETE")
                problems = _integrity(copy)
                tables = {row[0] for row in copy.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")}
                revision = _revision(copy) if "alembic_version" in tables else None
                page_size = copy.execute("PRAGMA page_size").fetchone()[0]
                if live_page_size and not problems and page_size != live_page_size:
                    # A WAL database only takes a copy with its own page size.
                    copy.execute(f"PRAGMA page_size={int(live_page_size)}")
                    copy.execute("VACUUM")
            except sqlite3.DatabaseError as exc:
                raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
        if problems:
            raise BackupError(f"{path} is damaged: " + "; ".join(problems))
        missing = [name for name in APP_TABLES if name not in tables]
        if missing or revision is None:
            raise BackupError(f"{path} is a SQLite database, but not one of crm-maturity "
                              f"(no table {', '.join(missing) or 'alembic_version'} or no "
                              "revision)")
        if revision not in known:
            raise BackupError(f"{path} comes from a newer crm-maturity (database revision "
                              f"{revision}; this version knows up to {head}): upgrade "
                              "crm-maturity before restoring it")
        if confirm is not None:
            confirm(revision)
        lock = WriteLock(f"{database}.write-lock")
        lock.acquire()
        try:
            with closing(sqlite3.connect(candidate)) as source, \
                    closing(sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000)) as live:
                live.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                live.execute("PRAGMA journal_mode=WAL")
                try:
                    source.backup(live)  # one step: one write transaction on the live database
                except sqlite3.DatabaseError as exc:
                    raise BackupError(f"the live database {database} could not be replaced "
                                      f"({exc}); it is unchanged") from None
                live.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            lock.close()
    return RestoreInfo(revision, head, time.perf_counter() - started)


# --- SQLite helpers -----------------------------------------------------------------


@contextmanager
def _temporary_beside(path: Path) -> Iterator[str]:
    """A temporary file name in `path`'s folder (so a rename is atomic), removed after."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    os.close(handle)
    try:
        yield temporary
    finally:
        for leftover in (temporary, f"{temporary}-journal", f"{temporary}-wal",
                         f"{temporary}-shm"):
            Path(leftover).unlink(missing_ok=True)


def _integrity(connection: sqlite3.Connection) -> list[str]:
    rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check(20)")]
    return [] if rows == ["ok"] else rows


def _revision(connection: sqlite3.Connection) -> str | None:
    try:
        rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.OperationalError:
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def _page_size(database: Path) -> int | None:
    try:
        with closing(sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)) as c:
            return int(c.execute("PRAGMA page_size").fetchone()[0])
    except sqlite3.DatabaseError:
        return None


def _sync(name: str) -> None:
    with open(name, "rb") as handle:
        os.fsync(handle.fileno())


def _sync_dir(folder: Path) -> None:
    handle = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


# --- PostgreSQL ---------------------------------------------------------------------


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client programs "
                          "(Debian: postgresql-client, the server's major version or newer)")
    return found


def _pg_env(url: URL) -> dict[str, str]:
    """Connection settings for libpq, in the environment: no password on a command line."""
    env = dict(os.environ)
    for variable, value in (("PGHOST", url.host), ("PGPORT", url.port),
                            ("PGUSER", url.username), ("PGPASSWORD", url.password),
                            ("PGDATABASE", url.database),
                            ("PGSSLMODE", url.query.get("sslmode"))):
        if value:
            env[variable] = str(value)
    return env


def _run(command: list[str], url: URL, what: str) -> subprocess.CompletedProcess[bytes]:
    # The programs are found on PATH; their arguments are ours, never the user's text.
    done = subprocess.run(command, env=_pg_env(url), capture_output=True, check=False)  # noqa: S603 # nosec B603
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BackupError(f"{what} failed: " + (" / ".join(detail[-3:]) or
                                                f"exit status {done.returncode}"))
    return done


def _pg_backup(url: URL, path: Path) -> None:
    tool = _pg_tool("pg_dump")
    with _temporary_beside(path) as temporary:
        _run([tool, "--format=custom", "--no-owner", f"--file={temporary}"], url, "pg_dump")
        _sync(temporary)
        os.replace(temporary, path)


def _pg_restore(url: URL, path: Path, known: set[str], head: str,
                confirm: Callable[[str], None] | None) -> str:
    tool = _pg_tool("pg_restore")
    with path.open("rb") as handle:
        if handle.read(len(PG_DUMP_MAGIC)) != PG_DUMP_MAGIC:
            raise BackupError(f"{path} is not a PostgreSQL dump in custom format (a backup "
                              "made by `crm-maturity backup` is one)")
    listing = _run([tool, "--data-only", "--table=alembic_version", "--file=-", str(path)],
                   url, "pg_restore (reading the backup)").stdout.decode("utf-8", "replace")
    found = re.search(r"^COPY \S*alembic_version .*?;\n(.+?)\n\\\.$", listing,
                      re.MULTILINE | re.DOTALL)
    if found is None:
        raise BackupError(f"{path} is a PostgreSQL dump, but not one of crm-maturity "
                          "(no alembic_version)")
    revision = found.group(1).strip()
    if revision not in known:
        raise BackupError(f"{path} comes from a newer crm-maturity (database revision "
                          f"{revision}; this version knows up to {head}): upgrade "
                          "crm-maturity before restoring it")
    if confirm is not None:
        confirm(revision)
    _run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", f"--dbname={url.database}", str(path)], url, "pg_restore")
    return revision
