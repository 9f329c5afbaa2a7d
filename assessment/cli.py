"""The `crm-maturity` command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from .catalog import Catalog, CatalogError, expand_paths, load_catalog
from .schema import KIND_NAMES, json_schema


def _load_or_exit(extra: tuple[Path, ...] = ()) -> Catalog:
    try:
        return load_catalog(extra)
    except CatalogError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s); nothing was loaded.", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="crm-maturity")
def main() -> None:
    """CRM maturity assessment: deployment models, questionnaires, scoring and reports."""


@main.group()
def models() -> None:
    """Inspect and validate the catalogue of deployment models and questionnaires."""


@models.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def models_validate(paths: tuple[Path, ...]) -> None:
    """Validate the shipped catalogue, plus any files or folders given.

    Each problem is printed as FILE:LINE: FIELD: MESSAGE; the exit status is 1 if
    there is any.
    """
    catalog = _load_or_exit(tuple(expand_paths(paths)))
    questions = sum(len(q.questions) for q in catalog.questionnaires.values())
    click.echo(
        f"OK: {len(catalog.stages)} stages, {len(catalog.models)} models "
        f"({sum(len(m.stages) for m in catalog.models.values())} model stages), "
        f"{len(catalog.questionnaires)} questionnaires ({questions} questions)."
    )


def _evidence(catalog: Catalog, model_id: str, stage_id: str) -> dict[str, int]:
    """How many questions of each questionnaire inform a model stage: what it scores from."""
    ref = f"{model_id}.{stage_id}"
    return {qid: len(refs.get(ref, [])) for qid, refs in catalog.informing_questions.items()}


def catalog_summary(catalog: Catalog) -> dict[str, Any]:
    return {
        "stages": [
            {"id": s.id, "name": s.name.model_dump()} for s in catalog.stages
        ],
        "models": [
            {
                "id": model.id,
                "name": model.name.model_dump(),
                "stages": [
                    {
                        "id": stage.id,
                        "name": stage.name.model_dump(),
                        "maps_to": dict(stage.maps_to),
                        "informing_questions": _evidence(catalog, model.id, stage.id),
                        "checklist_items": len(stage.checklist),
                        "gates": [gate.id for gate in stage.gates],
                    }
                    for stage in model.stages
                ],
            }
            for model in catalog.models.values()
        ],
        "questionnaires": [
            {
                "id": q.id,
                "name": q.name.model_dump(),
                "questions": len(q.questions),
                "minutes": q.minutes,
            }
            for q in catalog.questionnaires.values()
        ],
    }


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option(
    "--lang", type=click.Choice(["both", "en", "fa"]), default="both", show_default=True,
    help="Language of the names shown.",
)
def models_list(as_json: bool, lang: str) -> None:
    """List the deployment models and their stages: the questions each stage scores from,
    and the canonical stages it draws on most (maps_to: the walk order and roadmaps)."""
    catalog = _load_or_exit()
    if as_json:
        click.echo(json.dumps(catalog_summary(catalog), ensure_ascii=False, indent=2))
        return

    def name(localized: Any) -> str:
        if lang == "both":
            return f"{localized.en} / {localized.fa}"
        return str(localized.get(lang))

    click.echo("Canonical stages: " + ", ".join(name(s.name) for s in catalog.stages))
    click.echo("Each model stage scores from the questions that inform it (docs/scoring.md, "
               "rule 8); maps_to, after the arrow, orders the walk and places roadmap gaps.")
    for model in catalog.models.values():
        click.echo("")
        click.echo(f"{model.id}: {name(model.name)}")
        for position, stage in enumerate(model.stages, start=1):
            mapping = ", ".join(
                f"{catalog.stage(c).name.get('fa' if lang == 'fa' else 'en')} {w:.0%}"
                for c, w in stage.maps_to.items()
            )
            evidence = ", ".join(f"{qid} {n}" for qid, n in
                                 _evidence(catalog, model.id, stage.id).items())
            click.echo(f"  {position}. {name(stage.name)}  ->  {mapping}  "
                       f"(informing questions: {evidence})")
    click.echo("")
    for q in catalog.questionnaires.values():
        click.echo(f"questionnaire {q.id}: {name(q.name)} ({len(q.questions)} questions, "
                   f"about {q.minutes} min)")


@models.command("schema")
@click.option(
    "--kind", type=click.Choice(sorted(KIND_NAMES)), default=None,
    help="Schema of one kind of file only (default: any catalogue file).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of standard output.")
def models_schema(kind: str | None, output: Path | None) -> None:
    """Write a JSON Schema for catalogue files (for editor autocompletion)."""
    text = json.dumps(json_schema(kind), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


def _app() -> Any:
    from .app import create_app

    try:
        return create_app()
    except CatalogError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("The app did not start: fix the catalogue first.", err=True)
        sys.exit(1)


def _upgrade(app: Any) -> None:
    from flask_migrate import upgrade

    from .db import write_intent

    with app.app_context():
        token = write_intent.set(True)
        try:
            upgrade()
        finally:  # the command may run inside a longer-lived process (tests, scripts)
            write_intent.reset(token)


@main.group()
def db() -> None:
    """The database: migrations."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database schema up to date (safe to run any time)."""
    app = _app()
    _upgrade(app)
    click.echo(f"Database is up to date: {_safe_url(app)}")


def _safe_url(app: Any) -> str:
    from sqlalchemy.engine import make_url

    return make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)


def _create_demo(app: Any, address: str | None = None) -> None:
    """Create the demo data once and say how to sign in, in either language (the demo has
    an English client and a Persian one; each comes first in its own language)."""
    from .demo import DEMO_TEAM_EMAIL, DEMO_VIEWER_EMAIL, create_demo
    from .extensions import db as database
    from .web import get_catalog

    with app.app_context():
        account = create_demo(get_catalog(app))
        database.session.commit()
    state = "created" if account.created else "already there"
    click.echo(f"Demo data {state}. Sign in as {account.email} with password {account.password}")
    click.echo(f"  The client's own people, same password: {DEMO_TEAM_EMAIL} (team member), "
               f"{DEMO_VIEWER_EMAIL} (client viewer)")
    if address:
        click.echo(f"  English: {address}/login?lang=en")
        click.echo(f"  Persian (فارسی): {address}/login?lang=fa")
    else:
        click.echo("  In English or Persian (فارسی): add ?lang=en or ?lang=fa to the address.")


@main.command()
def demo() -> None:
    """Create the demo consultant, its two clients and their assessments (once)."""
    app = _app()
    _upgrade(app)
    _create_demo(app)


@main.group()
def users() -> None:
    """Consultant accounts."""


@users.command("create")
@click.argument("email")
@click.option("--name", default="", help="The consultant's name.")
@click.option("--workspace", "workspace_name", default=None,
              help="Name of a new workspace (default: the consultant's name).")
@click.option("--join", "join_email", default=None,
              help="Join the workspace of this existing consultant instead.")
@click.option("--role", type=click.Choice(["owner", "consultant"]), default=None,
              help="The role in the workspace joined (default: consultant); the first "
                   "account of a new workspace is always its owner.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email: str, name: str, workspace_name: str | None, join_email: str | None,
                 role: str | None, password_stdin: bool) -> None:
    """Create an account (the password is asked for, or read from stdin)."""
    from sqlalchemy import select

    from .accounts.operations import AccountError, create_user
    from .extensions import db as database
    from .tables import User

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    app = _app()
    _upgrade(app)
    with app.app_context():
        workspace = None
        if join_email:
            other = database.session.scalar(select(User).where(User.email == join_email.lower()))
            if other is None:
                raise click.ClickException(f"no consultant {join_email} to join")
            workspace = other.workspace
        try:
            user = create_user(email, password, name=name, workspace=workspace,
                               workspace_name=workspace_name, role=role)
        except AccountError as exc:
            raise click.ClickException(str(exc)) from None
        database.session.commit()
        click.echo(f"Created {user.email} in workspace '{user.workspace.name}' "
                   f"as {role or ('consultant' if workspace else 'owner')}.")


@main.command()
@click.argument("assessment_id", type=int)
@click.option("--lang", type=click.Choice(["fa", "en"]), default="en", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx", "html"]), default="pdf",
              show_default=True, help="docx: an editable Word copy; html: exactly the HTML "
                                      "handed to WeasyPrint.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--timeout", type=float, default=None, help="Seconds before rendering stops.")
def report(assessment_id: int, lang: str, fmt: str, output: Path, timeout: float | None) -> None:
    """Write the maturity and readiness report of an assessment as PDF (or a Word copy,
    or its HTML)."""
    import time

    from .extensions import db as database
    from .printing.cache import readiness_report
    from .printing.render import ReportError, write_atomically
    from .tables import Assessment

    app = _app()
    started = time.perf_counter()
    with app.app_context():
        assessment = database.session.get(Assessment, assessment_id)
        if assessment is None:
            raise click.ClickException(f"there is no assessment {assessment_id}")
        try:
            data = readiness_report(assessment, lang, fmt, timeout)
        except ReportError as exc:
            raise click.ClickException(str(exc)) from None
    write_atomically(output, data)
    click.echo(f"Wrote {output} ({len(data) // 1024} KiB, {time.perf_counter() - started:.1f} s)")


@main.command("clear-report-cache")
def clear_report_cache() -> None:
    """Remove the finished reports kept in the instance folder's report-cache/.

    Never needed for correct reports (any change to what a report shows renders it
    afresh); it frees the space at once.
    """
    from .printing.cache import cache_folder, clear

    folder = cache_folder(_app())
    click.echo(f"Removed {clear(folder)} cached reports from {folder}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int,
              help="Worker processes (about one per core).")
@click.option("--threads", default=4, show_default=True, type=int,
              help="Threads per worker: they read slow uploads side by side; one at a "
                   "time runs the app.")
@click.option("--access-log", is_flag=True,
              help="Log every request (off by default: a busy workshop makes hundreds a "
                   "second, and logging them costs a tenth of a save).")
@click.option("--demo", "with_demo", is_flag=True, help="Create the demo data first if missing.")
@click.option("--no-migrate", is_flag=True, help="Do not bring the database up to date first.")
def serve(host: str, port: int, workers: int, threads: int, access_log: bool, with_demo: bool,
          no_migrate: bool) -> None:
    """Serve the web app with a production HTTP server (Granian)."""
    from .extensions import db as database
    from .server import run_server

    app = _app()  # also checks the catalogue before any worker starts
    if not no_migrate:
        _upgrade(app)
    if with_demo:
        _create_demo(app, f"http://{host}:{port}")
    with app.app_context():
        database.engine.dispose()
    click.echo(f"Serving on http://{host}:{port}  (Ctrl+C to stop)")
    run_server(host=host, port=port, workers=workers, threads=threads, access_log=access_log)


@main.group()
def tokens() -> None:
    """Consultants' tokens for the JSON API (/api/v1)."""


def _user_by_email(email: str) -> Any:
    from sqlalchemy import select

    from .extensions import db as database
    from .tables import User

    user = database.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"there is no consultant {email}")
    return user


@tokens.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, to tell tokens apart.")
def tokens_create(email: str, name: str) -> None:
    """Make an API token for the consultant EMAIL and print it (it is shown only once)."""
    from .api.auth import issue_token
    from .extensions import db as database

    app = _app()
    _upgrade(app)
    with app.app_context():
        token, secret = issue_token(_user_by_email(email), name)
        database.session.commit()
        click.echo(f"Created token {token.id} ({token.prefix}...) for {email.strip().lower()}. "
                   "Keep it now: it is not shown again.", err=True)
        click.echo(secret)


@tokens.command("list")
@click.argument("email", required=False)
def tokens_list(email: str | None) -> None:
    """List API tokens (of one consultant, or everyone's): never the secrets."""
    from sqlalchemy import select

    from .extensions import db as database
    from .tables import ApiToken, User

    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value is not None else "-"

    app = _app()
    _upgrade(app)
    with app.app_context():
        query = select(ApiToken, User.email).join(User).order_by(ApiToken.id)
        if email:
            query = query.where(ApiToken.user_id == _user_by_email(email).id)
        rows = database.session.execute(query).all()
        if not rows:
            click.echo("No API tokens.")
            return
        click.echo(f"{'ID':>4}  {'PREFIX':<11}  {'CONSULTANT':<30}  {'NAME':<20}  "
                   f"{'CREATED':<16}  {'LAST USED':<16}  STATUS")
        for token, owner in rows:
            status = f"revoked {when(token.revoked_at)}" if token.revoked_at else "active"
            click.echo(f"{token.id:>4}  {token.prefix + '...':<11}  {owner:<30}  "
                       f"{token.name:<20}  {when(token.created_at):<16}  "
                       f"{when(token.last_used_at):<16}  {status}")


@tokens.command("revoke")
@click.argument("ref", metavar="TOKEN_ID_OR_PREFIX")
def tokens_revoke(ref: str) -> None:
    """Revoke an API token, named by its id, its prefix or the whole token."""
    from .api.auth import PREFIX_MIN, find_token
    from .extensions import db as database
    from .tables import utcnow

    app = _app()
    _upgrade(app)
    with app.app_context():
        found = find_token(ref)
        if not found:
            raise click.ClickException(
                f"no API token has the id or prefix '{ref}' (a prefix needs at least "
                f"{PREFIX_MIN} characters)")
        if len(found) > 1:
            raise click.ClickException(
                f"'{ref}' names {len(found)} tokens ("
                + ", ".join(str(t.id) for t in found) + "): give its id instead")
        token = found[0]
        if token.revoked_at is not None:
            click.echo(f"Token {token.id} ({token.prefix}...) was already revoked.")
            return
        token.revoked_at = utcnow()
        database.session.commit()
        click.echo(f"Revoked token {token.id} ({token.prefix}...).")


# --- moving a client, backing up the database ----------------------------------------


def _write_output(output: Path, data: bytes) -> None:
    from .printing.render import write_atomically

    if str(output) == "-":
        with click.open_file("-", "wb") as out:
            out.write(data)
    else:
        write_atomically(output, data)


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 else f"{max(1, size // 1024)} KiB"


@main.command("export")
@click.argument("client_id", type=int)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True),
              required=True, help="The JSON file to write ('-': standard output).")
def export_command(client_id: int, output: Path) -> None:
    """Write a whole client to a JSON file: the organisation, its team, assessments,
    answers and comments, workshops, roadmap, milestones and evidence (see docs/transfer.md).
    """
    import time

    from .db import write_intent
    from .extensions import db as database
    from .tables import Client
    from .transfer import dumps, export_client

    app = _app()
    started = time.perf_counter()
    with app.app_context():
        token = write_intent.set(False)  # a read: one consistent snapshot, no write lock
        try:
            client = database.session.get(Client, client_id)
            if client is None:
                raise click.ClickException(f"there is no client {client_id}")
            data = dumps(export_client(client))
            name, count = client.name, len(client.assessments)
            database.session.rollback()
        finally:
            write_intent.reset(token)
    _write_output(output, data)
    click.echo(f"Wrote {output}: client {client_id} '{name}' with {count} assessment(s), "
               f"{_size(len(data))}, {time.perf_counter() - started:.1f} s", err=True)


def _read_import(path: Path) -> bytes:
    from .transfer import MAX_FILE_BYTES

    if str(path) == "-":
        with click.open_file("-", "rb") as source:
            data: bytes = source.read(MAX_FILE_BYTES + 1)
    else:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise click.ClickException(
                    f"{path} is {_size(size)}; at most {_size(MAX_FILE_BYTES)} can be imported")
            with path.open("rb") as handle:
                data = handle.read(MAX_FILE_BYTES + 1)
        except OSError as exc:
            raise click.ClickException(f"cannot read {path}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise click.ClickException(f"{path} is larger than {_size(MAX_FILE_BYTES)}, the most "
                                   "that can be imported")
    return data


def _workspace(ref: str | None) -> Any:
    from sqlalchemy import select

    from .extensions import db as database
    from .tables import Workspace

    workspaces = list(database.session.scalars(select(Workspace).order_by(Workspace.id)))
    listing = "\n".join(f"  {w.id}: {w.name}" for w in workspaces)
    if ref is None:
        if not workspaces:
            raise click.ClickException("there is no workspace to import into: create a "
                                       "consultant first (crm-maturity users create EMAIL)")
        if len(workspaces) > 1:
            raise click.ClickException(f"there are {len(workspaces)} workspaces; choose one "
                                       f"with --workspace NAME_OR_ID:\n{listing}")
        return workspaces[0]
    found = ([w for w in workspaces if str(w.id) == ref.strip()]
             or [w for w in workspaces if w.name.casefold() == ref.strip().casefold()])
    if not found:
        raise click.ClickException(f"no workspace has the id or name '{ref}'; there are:\n"
                                   f"{listing}" if workspaces else "there is no workspace yet")
    if len(found) > 1:
        raise click.ClickException(f"{len(found)} workspaces are named '{ref}': give the id "
                                   f"instead:\n" + "\n".join(f"  {w.id}: {w.name}"
                                                            for w in found))
    return found[0]


@main.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("--workspace", "workspace_ref", metavar="NAME_OR_ID", default=None,
              help="The workspace to add the client to (needed when there are several).")
def import_command(file: Path, workspace_ref: str | None) -> None:
    """Add the client in FILE (made by `crm-maturity export`) and print its new id.

    The file is checked completely first; if anything is wrong nothing is added and every
    problem is listed with its place in the file.
    """
    import time

    from .extensions import db as database
    from .transfer import TransferError, read, store, unlinked_consultants
    from .web import get_catalog

    started = time.perf_counter()
    data = _read_import(file)
    app = _app()
    try:
        checked = read(get_catalog(app), data)
    except TransferError as exc:
        raise click.ClickException(f"{file} was not imported; nothing was changed.\n{exc}"
                                   ) from None
    _upgrade(app)
    with app.app_context():
        workspace = _workspace(workspace_ref)
        unlinked = unlinked_consultants(checked, workspace)
        try:
            client = store(checked, workspace)
        except TransferError as exc:
            database.session.rollback()
            raise click.ClickException(f"{file} was not imported; nothing was changed.\n{exc}"
                                       ) from None
        database.session.commit()
        click.echo(f"Imported client '{client.name}' with {len(client.assessments)} "
                   f"assessment(s) into workspace '{workspace.name}' "
                   f"({time.perf_counter() - started:.1f} s).", err=True)
        if unlinked:
            click.echo(f"Note: no account in this workspace for {', '.join(unlinked)}; their "
                       "answers keep the name but are not linked to an account.", err=True)
        click.echo(str(client.id))


@main.command("backup")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              required=True, help="The backup file to write.")
def backup_command(output: Path) -> None:
    """Copy the whole database to a file: a consistent snapshot, also while the app runs."""
    from .backup import BackupError, backup

    app = _app()
    try:
        info = backup(app.config["SQLALCHEMY_DATABASE_URI"], output)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    revision = f"revision {info.revision}, " if info.revision else ""
    click.echo(f"Wrote {output} ({_size(info.size)}, {revision}{info.seconds:.1f} s) from "
               f"{_safe_url(app)}")


@main.command("restore")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the whole database with a backup made by `crm-maturity backup`.

    The app may keep running: its writers wait while the backup is copied in, and a
    reader sees either the old or the new data. A backup from an older version is
    brought up to date afterwards; one from a newer version is refused.
    """
    from .backup import BackupError, restore

    app = _app()
    where = _safe_url(app)

    def confirm(revision: str) -> None:
        if not yes:
            click.confirm(f"Replace everything in {where} with {file} (revision {revision})? "
                          "Whatever was stored since that backup is lost", abort=True,
                          err=True)

    try:
        info = restore(file, app.config["SQLALCHEMY_DATABASE_URI"], confirm=confirm)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if info.needs_upgrade:
        _upgrade(app)
        click.echo(f"Restored {file} into {where} and brought it from revision "
                   f"{info.revision} up to {info.head} ({info.seconds:.1f} s).")
    else:
        click.echo(f"Restored {file} into {where} (revision {info.revision}, "
                   f"{info.seconds:.1f} s).")


# --- measuring a client's customer data (issue 20) -----------------------------------


def terminal_language() -> str:
    """'fa' when the terminal's locale is Persian (LC_ALL, LC_MESSAGES or LANG), else 'en'."""
    import os

    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name)
        if value:
            return "fa" if value.lower().startswith("fa") else "en"
    return "en"


@main.group()
def data() -> None:
    """Measure a client's customer data: identification, the customer pyramid, RFM."""


def _role_map(_ctx: click.Context, _param: click.Parameter,
              values: tuple[str, ...]) -> dict[str, str]:
    pairs = [value.partition("=") for value in values]
    bad = [value for value, (_role, sep, column) in zip(values, pairs, strict=True)
           if not sep or not column]
    if bad:
        raise click.BadParameter(f"expected ROLE=COLUMN, got {bad[0]!r}")
    return {role.strip(): column.strip() for role, _sep, column in pairs}


@data.command("profile")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Measure as of this date (YYYY-MM-DD); by default the last date in the "
                   "files.")
@click.option("--window-months", type=click.IntRange(6, 12), default=12, show_default=True,
              help="Months before the as-of date in which a customer counts as active.")
@click.option("--map", "mapping", multiple=True, callback=_role_map, metavar="ROLE=COLUMN",
              help="Take COLUMN for ROLE (customer, name, mobile, phone, email, national_id, "
                   "city, date, amount, product); may be repeated.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--lang", type=click.Choice(["en", "fa"]), default=None,
              help="Language of the summary; by default the terminal's (LANG).")
def data_profile(files: tuple[Path, ...], as_of: Any, window_months: int,
                 mapping: dict[str, str], as_json: bool, lang: str | None) -> None:
    """Profile customer lists and transaction files (CSV or XLSX). Only figures are
    printed; nothing is written to disk."""
    from .customerdata import profile_files
    from .customerdata.summary import summary_lines
    from .errors import FieldError

    try:
        profile = profile_files(files, mapping, as_of.date() if as_of else None,
                                window_months)
    except FieldError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(profile.dumps())
    else:
        click.echo("\n".join(summary_lines(profile, lang or terminal_language())))


if __name__ == "__main__":  # pragma: no cover
    main()
