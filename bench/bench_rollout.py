"""Figures for rollout tracking, on the demo client (a 48-milestone Gartner roadmap,
four assessments, about 2 500 answers).

Run with `make bench-rollout`. The issue sets no speed target here; these are the
figures a team lead waits on, measured so a change that slows them shows:
- proposing a Gartner roadmap from a 12-respondent workshop;
- the roadmap page (list, board, timeline) through the app;
- the status report PDF in Persian and in English (the time-limited child, as served);
- exporting the client to JSON and importing it into a second, empty database, and
  whether a second export is byte-identical;
- a backup of the whole database.
Each is the median of several runs after one warm-up.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from measure import bench_app

RUNS = 5


def _median(action: Callable[[], object], runs: int = RUNS) -> float:
    action()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _app(folder: str) -> object:
    return bench_app({"TESTING": True, "WTF_CSRF_ENABLED": False,
                      "SERVER_NAME": "bench.test"}, folder=folder)


def main() -> int:
    from assessment import backup as backups
    from assessment import transfer
    from assessment.demo import create_demo
    from assessment.extensions import db
    from assessment.printing.status import render_status_pdf
    from assessment.rollout import operations as ops
    from assessment.tables import Assessment, Client, Workspace

    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
        app = _app(first)
        catalog = app.extensions["catalog"]  # type: ignore[attr-defined]
        with app.app_context():  # type: ignore[attr-defined]
            create_demo(catalog)
            db.session.commit()

            def propose() -> None:
                baseline = db.session.get(Assessment, 4)
                roadmap = ops.propose_roadmap(catalog, baseline, "gartner",
                                              starts_on=date(2026, 9, 1))
                figures["proposed_milestones"] = len(roadmap.milestones)
                db.session.rollback()

            figures["propose_gartner_s"] = round(_median(propose), 4)
            roadmap = db.session.get(Assessment, 1).roadmap
            for lang in ("fa", "en"):
                figures[f"status_pdf_{lang}_s"] = round(_median(
                    lambda lang=lang: render_status_pdf(roadmap, lang), runs=3), 3)
            client = db.session.get(Client, 1)
            exported = transfer.dumps(transfer.export_client(client))
            figures["export_json_s"] = round(_median(
                lambda: transfer.dumps(transfer.export_client(client))), 3)
            figures["export_json_kib"] = len(exported) // 1024
            backup_file = Path(first) / "backup.sqlite3"
            figures["backup_s"] = round(_median(
                lambda: backups.backup(db.engine, backup_file), runs=3), 3)
            figures["backup_kib"] = backup_file.stat().st_size // 1024

        web = app.test_client()  # type: ignore[attr-defined]
        web.post("/login", data={"email": "demo@example.com", "password": "demo-password"})
        for view in ("list", "board", "timeline"):
            figures[f"roadmap_page_{view}_s"] = round(_median(
                lambda view=view: web.get(f"/assessments/1/roadmap?view={view}&lang=fa")), 4)

        target = _app(second)
        with target.app_context():  # type: ignore[attr-defined]
            from assessment.accounts.operations import create_user

            user = create_user("demo@example.com", "demo-password", name="Demo Consultant",
                               workspace_name="Elsewhere")
            db.session.commit()
            started = time.perf_counter()
            made = transfer.import_client(target.extensions["catalog"], exported,  # type: ignore[attr-defined]
                                          db.session.get(Workspace, user.workspace_id))
            db.session.commit()
            figures["import_json_s"] = round(time.perf_counter() - started, 3)
            again = transfer.dumps(transfer.export_client(db.session.get(Client, made.id)))
            figures["round_trip_identical"] = again == exported
            db.engine.dispose()
        with app.app_context():  # type: ignore[attr-defined]
            db.engine.dispose()

    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "rollout.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return 0 if figures["round_trip_identical"] else 1


if __name__ == "__main__":
    sys.exit(main())
