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
    """List the deployment models, their stages and how each maps onto the six stages."""
    catalog = _load_or_exit()
    if as_json:
        click.echo(json.dumps(catalog_summary(catalog), ensure_ascii=False, indent=2))
        return

    def name(localized: Any) -> str:
        if lang == "both":
            return f"{localized.en} / {localized.fa}"
        return str(localized.get(lang))

    click.echo("Canonical stages: " + ", ".join(name(s.name) for s in catalog.stages))
    for model in catalog.models.values():
        click.echo("")
        click.echo(f"{model.id}: {name(model.name)}")
        for position, stage in enumerate(model.stages, start=1):
            mapping = ", ".join(
                f"{catalog.stage(c).name.get('fa' if lang == 'fa' else 'en')} {w:.0%}"
                for c, w in stage.maps_to.items()
            )
            click.echo(f"  {position}. {name(stage.name)}  ->  {mapping}")
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


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int,
              help="Worker processes (one or two per core).")
@click.option("--threads", default=4, show_default=True, type=int, help="Threads per worker.")
def serve(host: str, port: int, workers: int, threads: int) -> None:
    """Serve the web app with a production WSGI server (gunicorn)."""
    from .app import create_app
    from .server import run_gunicorn

    try:
        app = create_app()
    except CatalogError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo("The app did not start: fix the catalogue first.", err=True)
        sys.exit(1)
    click.echo(f"Serving on http://{host}:{port}  (Ctrl+C to stop)")
    run_gunicorn(app, bind=f"{host}:{port}", workers=workers, threads=threads)


if __name__ == "__main__":  # pragma: no cover
    main()
