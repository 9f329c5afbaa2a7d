"""The work of a measurement, in an interpreter of its own: a JSON job on standard input,
a JSON answer on standard output (`python -m assessment.profiling.job`).

operations.py starts it from a render child (printing.render's, with its slot and time
limit) rather than doing the work in that child: a forked copy of a process whose
Polars thread pool has run waits forever for threads the copy does not have. This
module imports the engine and nothing of the web, so it starts in a fraction of a
second. Its answer holds aggregates only, and an error is the engine's one line.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from ..customerdata import profile_files, read_table, recognise
from ..errors import FieldError


def columns_of(job: dict[str, Any]) -> list[dict[str, Any]]:
    """Each file's headers, rows and recognised roles."""
    out = []
    for path in job["paths"]:
        table = read_table(Path(path))
        mapping = recognise(table.columns)
        out.append({"headers": list(table.columns), "rows": table.height,
                    "roles": mapping.roles, "unmapped": mapping.unmapped})
    return out


def profile_of(job: dict[str, Any]) -> dict[str, Any]:
    """The profile (`Profile.to_json()`), its progress written to the job's file."""
    progress = Path(job["progress"])

    def report(fraction: float) -> None:
        partial = progress.with_suffix(".part")
        partial.write_text(f"{fraction:.3f}", encoding="ascii")
        os.replace(partial, progress)

    as_of = date.fromisoformat(job["as_of"]) if job["as_of"] else None
    profile = profile_files([Path(path) for path in job["paths"]], job["mapping"],
                            as_of=as_of, window_months=job["window_months"], progress=report)
    return profile.to_json()


WORK = {"columns": columns_of, "profile": profile_of}


def answer(job: dict[str, Any]) -> dict[str, Any]:
    """{"ok": the result} or {"error": the engine's one line, "field": ...}."""
    try:
        return {"ok": WORK[job["work"]](job)}
    except FieldError as exc:
        return {"error": str(exc), "field": exc.field}


def main() -> None:
    sys.stdout.write(json.dumps(answer(json.load(sys.stdin)), ensure_ascii=False))


if __name__ == "__main__":
    main()
