"""The cache of finished reports, and the render slots every process shares.

Whether a download rendered is seen without looking inside: the test takes every render
slot of the installation (as another process rendering would) and lets a report wait
only 0.05 s for one. A download that still arrives came from the cache; one that must
render is told the server is busy. Each input a report shows is changed in turn, the way
the app changes it, and the next download must render.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from assessment.accounts.operations import save_workspace
from assessment.cli import main
from assessment.clients.operations import save_client
from assessment.extensions import db
from assessment.printing import cache as report_cache
from assessment.printing.render import ReportError, render_pdf, render_slot
from assessment.tables import Assessment, Client, DataProfile, Respondent, TeamMember, Workspace
from assessment.walk.operations import save_answer
from assessment.web import get_catalog
from assessment.workshop.operations import record_agreed

from .conftest import World
from .helpers import login

ROOT = Path(__file__).resolve().parent.parent
#: the smallest PNG: a logo
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
STARTED = date(2026, 1, 5)
DAY = date(2026, 3, 2)


@contextmanager
def slots_taken(app: Flask) -> Iterator[None]:
    """Every render slot of the installation held, as by another process rendering;
    a report waits 0.05 s for one, then says the server is busy."""
    app.config["REPORT_QUEUE_WAIT"] = 0.05
    with app.app_context(), render_slot(1):
        yield


def from_cache(app: Flask, client: FlaskClient, url: str) -> bytes:
    """The download, which must come without a render."""
    with slots_taken(app):
        response = client.get(url)
    assert response.status_code == 200, "the report was not in the cache"
    assert response.data.startswith(b"%PDF")
    return response.data


def renders_afresh(app: Flask, client: FlaskClient, url: str) -> bool:
    """Whether the download tried to render (and was sent back, told the server is busy:
    the only way a report download redirects)."""
    with slots_taken(app):
        response = client.get(url)
    if response.mimetype == "application/pdf":
        return False
    assert response.status_code == 302
    if "lang=en" in url:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Other reports are being prepared" in page
    return True


def cached_files(app: Flask) -> list[str]:
    folder = report_cache.cache_folder(app)
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@dataclasses.dataclass(frozen=True)
class Setup:
    app: Flask
    world: World
    client: FlaskClient
    client_id: int
    assessment_id: int

    @property
    def report(self) -> str:
        return f"/assessments/{self.assessment_id}/report.pdf?lang=en"

    @property
    def status(self) -> str:
        return f"/assessments/{self.assessment_id}/roadmap/status.pdf?lang=en"

    def change(self, fn: Callable[[], Any]) -> None:
        with self.app.app_context():
            fn()
            db.session.commit()


@pytest.fixture
def setup(app: Flask, world: World, client: FlaskClient) -> Setup:
    """An executive check-in answered by one person and completed, signed in."""
    client_id = world.client(world.user())
    assessment_id = world.answered(client_id, "3", complete=True,
                                   completed_at=datetime(2026, 2, 1, 9, 0))
    login(client)
    return Setup(app, world, client, client_id, assessment_id)


# --- one input at a time --------------------------------------------------------------


def _respondent(s: Setup) -> Respondent:
    return db.session.scalar(select(Respondent).where(
        Respondent.assessment_id == s.assessment_id))


def _catalog_with_new_title(s: Setup) -> None:
    catalog = get_catalog(s.app)
    executive = catalog.questionnaires["executive"]
    changed = executive.model_copy(update={"name": executive.name.model_copy(
        update={"en": "Executive check-in, second edition"})})
    s.app.extensions["catalog"] = dataclasses.replace(
        catalog, questionnaires={**catalog.questionnaires, "executive": changed})


def _workspace(s: Setup) -> Workspace:
    return db.session.get(Client, s.client_id).workspace


def _rename_client(s: Setup) -> None:
    client = db.session.get(Client, s.client_id)
    save_client(client.workspace, {"name": "Acme Trading & Sons", "sector": "Retail"},
                client=client)


def _give_logo(s: Setup) -> None:
    client = db.session.get(Client, s.client_id)
    save_client(client.workspace, {"name": client.name, "sector": "Retail"}, PNG,
                client=client)


def _measure_customer_data(s: Setup) -> None:
    """A customer-data profile: the report gains its page (issue 20)."""
    result = {"rows": 3, "customers": 3, "first_date": None, "last_date": None,
              "as_of": None, "window_months": 12, "ranking": None, "pyramid": None,
              "rfm": None, "score": 1, "score_detail": {"level": 1, "limits": ["reach"]},
              "quality": {"fields": {"mobile": {"filled": 2 / 3, "valid": 2 / 3}},
                          "duplicates": 0, "duplicate_groups": 0,
                          "duplicate_records_involved": 0, "reachable": 2 / 3,
                          "freshness": None},
              "files": []}
    db.session.add(DataProfile(client_id=s.client_id, rows=3, customers=3, score=1,
                               result=result))


CHANGES: dict[str, Callable[[Setup], Any]] = {
    "an answer": lambda s: save_answer(get_catalog(), _respondent(s), "exec.vision.01",
                                       value="1"),
    "a comment on an answer": lambda s: save_answer(
        get_catalog(), _respondent(s), "exec.vision.01", comment="Only in the north."),
    "a removed respondent": lambda s: setattr(_respondent(s), "removed_at", datetime.now()),
    "an agreed answer": lambda s: record_agreed(
        get_catalog(), db.session.get(Assessment, s.assessment_id), "exec.vision.01", "5"),
    "the client's name": _rename_client,
    "the client's logo": _give_logo,
    "the workspace's name": lambda s: setattr(_workspace(s), "name", "Second Consulting"),
    "the brand colour": lambda s: setattr(_workspace(s), "brand_colour", "#aa3300"),
    "the firm's logo": lambda s: save_workspace(_workspace(s), name=_workspace(s).name,
                                                brand_colour="#1f6f8b", logo=PNG),
    "the confidentiality line": lambda s: save_workspace(
        _workspace(s), name=_workspace(s).name, brand_colour="#1f6f8b",
        confidentiality="For the board only."),
    "the targets": lambda s: setattr(db.session.get(Assessment, s.assessment_id),
                                     "targets", {"strategy": 5}),
    "the printed date": lambda s: setattr(db.session.get(Assessment, s.assessment_id),
                                          "completed_at", datetime(2026, 2, 2, 9, 0)),
    "the catalogue": _catalog_with_new_title,
    "a customer-data profile": _measure_customer_data,
}


@pytest.mark.parametrize("change", CHANGES)
def test_any_change_to_what_the_readiness_report_shows_renders_it_afresh(
        setup: Setup, change: str) -> None:
    s = setup
    first = s.client.get(s.report)
    assert first.status_code == 200
    assert from_cache(s.app, s.client, s.report) == first.data  # unchanged: no render
    s.change(lambda: CHANGES[change](s))
    assert renders_afresh(s.app, s.client, s.report), change


def test_a_previous_assessment_renders_the_readiness_report_afresh(setup: Setup) -> None:
    s = setup
    assert s.client.get(s.report).status_code == 200
    s.world.answered(s.client_id, "1", complete=True, completed_at=datetime(2025, 11, 3),
                     title="Last autumn")
    assert renders_afresh(s.app, s.client, s.report)


def test_the_other_language_is_another_report(setup: Setup) -> None:
    s = setup
    english = s.client.get(s.report)
    persian_url = s.report.replace("lang=en", "lang=fa")
    assert renders_afresh(s.app, s.client, persian_url)
    persian = s.client.get(persian_url)
    assert persian.status_code == 200
    assert from_cache(s.app, s.client, persian_url) == persian.data
    assert from_cache(s.app, s.client, s.report) == english.data
    assert len(cached_files(s.app)) == 2


def test_a_new_report_is_stored_whole_and_a_changed_one_again(setup: Setup) -> None:
    s = setup
    first = s.client.get(s.report).data
    [name] = cached_files(s.app)
    assert name.endswith(".pdf")
    assert (report_cache.cache_folder(s.app) / name).read_bytes() == first
    s.change(lambda: _rename_client(s))
    second = s.client.get(s.report).data
    assert len(cached_files(s.app)) == 2
    assert second != first
    assert from_cache(s.app, s.client, s.report) == second


# --- the status report ----------------------------------------------------------------


@pytest.fixture
def rollout(setup: Setup) -> Setup:
    s = setup
    s.app.config["TODAY"] = DAY
    owner = s.world.member(s.client_id, "Maryam Ahmadi (CRM lead)", "Lead")
    plan = s.world.roadmap(s.assessment_id, starts_on=STARTED, accepted=True, owners=[owner])
    s.world.move(plan.milestone_ids[:2], "done", on=date(2026, 2, 1))
    return s


STATUS_CHANGES: dict[str, Callable[[Setup], Any]] = {
    "a milestone": lambda s: s.world.move(
        s.world.query(lambda session: session.get(Assessment, s.assessment_id)
                      .roadmap.milestones[3].id), "blocked"),
    "a team member": lambda s: s.change(lambda: setattr(
        db.session.scalar(select(TeamMember)), "name", "Maryam Ahmadi-Esfahani")),
    "the day it is printed": lambda s: s.app.config.update(TODAY=date(2026, 3, 3)),
    "the brand colour": lambda s: s.change(lambda: save_workspace(
        _workspace(s), name=_workspace(s).name, brand_colour="#aa3300")),
    "the firm's logo": lambda s: s.change(lambda: save_workspace(
        _workspace(s), name=_workspace(s).name, brand_colour="#1f6f8b", logo=PNG)),
    "a previous assessment": lambda s: s.world.answered(
        s.client_id, "1", complete=True, completed_at=datetime(2025, 11, 3)),
    "an answer": lambda s: s.change(lambda: save_answer(
        get_catalog(), _respondent(s), "exec.vision.01", value="1")),
}


@pytest.mark.parametrize("change", STATUS_CHANGES)
def test_any_change_to_the_rollout_renders_the_status_report_afresh(
        rollout: Setup, change: str) -> None:
    s = rollout
    first = s.client.get(s.status)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert from_cache(s.app, s.client, s.status) == first.data
    STATUS_CHANGES[change](s)
    assert renders_afresh(s.app, s.client, s.status), change


def test_the_status_report_and_the_readiness_report_are_kept_apart(rollout: Setup) -> None:
    s = rollout
    assert s.client.get(s.status).status_code == 200
    assert renders_afresh(s.app, s.client, s.report)


# --- the command line, formats, the app's own files -----------------------------------


def test_the_command_line_shares_the_cache_and_keeps_formats_apart(
        setup: Setup, tmp_path: Path) -> None:
    s = setup
    downloaded = s.client.get(s.report).data
    runner = CliRunner()
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    command = ["report", str(s.assessment_id), "--lang", "en"]
    with slots_taken(s.app):
        result = runner.invoke(main, [*command, "-o", str(pdf)])
        assert result.exit_code == 0, result.output
        assert pdf.read_bytes() == downloaded  # the web's render, from the cache
        result = runner.invoke(main, [*command, "--format", "html", "-o", str(html)])
        assert result.exit_code == 0, result.output  # HTML needs no render
    assert html.read_text(encoding="utf-8").lower().startswith("<!doctype html>")
    assert len(cached_files(s.app)) == 2  # the HTML is kept under its own key
    with slots_taken(s.app):
        again = runner.invoke(main, [*command, "--format", "html", "-o", str(html)])
    assert again.exit_code == 0
    assert len(cached_files(s.app)) == 2


def _copy_of_the_app(target: Path) -> Path:
    """The package and its data folders, as a checkout has them."""
    ignore = shutil.ignore_patterns("__pycache__")
    for name in ("assessment", "templates", "reports", "models", "questionnaires"):
        shutil.copytree(ROOT / name, target / name, ignore=ignore)
    return target


@pytest.mark.slow
def test_a_new_template_or_print_css_renders_afresh(setup: Setup, tmp_path: Path) -> None:
    """Another version of the app (here a copy, changed) run from the command line on
    the same instance folder."""
    s = setup
    assert s.client.get(s.report).status_code == 200
    copy = _copy_of_the_app(tmp_path / "app")
    env = {**os.environ, "PYTHONPATH": str(copy), "CRM_REPORT_QUEUE_WAIT": "0.05"}

    def report() -> subprocess.CompletedProcess[str]:
        with slots_taken(s.app):
            return subprocess.run(
                [sys.executable, "-m", "assessment.cli", "report", str(s.assessment_id),
                 "--lang", "en", "-o", str(tmp_path / "out.pdf")],
                env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)

    same = report()
    assert same.returncode == 0, same.stderr  # the same app, wherever it lies: cached
    css = copy / "reports" / "report.css"
    original_css = css.read_text(encoding="utf-8")
    css.write_text(original_css + "\nh1 { letter-spacing: 0.1mm; }\n", encoding="utf-8")
    changed = report()
    assert changed.returncode != 0
    assert "Other reports are being prepared" in changed.stderr
    css.write_text(original_css, encoding="utf-8")
    assert report().returncode == 0
    template = copy / "reports" / "report.html"
    template.write_text(template.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = report()
    assert changed.returncode != 0
    assert "Other reports are being prepared" in changed.stderr


# --- turning it off, bounds, clearing -------------------------------------------------


def test_with_the_cache_off_every_download_renders(setup: Setup) -> None:
    s = setup
    s.app.config["REPORT_CACHE"] = False
    assert s.client.get(s.report).status_code == 200
    assert renders_afresh(s.app, s.client, s.report)
    assert cached_files(s.app) == []


def test_a_change_committed_while_a_report_is_made_is_not_stored_under_the_old_key(
        setup: Setup) -> None:
    s = setup

    def made_while_the_client_is_renamed() -> bytes:
        db.session.commit()  # as a report ends its read before it renders
        with s.app.app_context():  # another request, meanwhile
            _rename_client(s)
            db.session.commit()
        return b"%PDF made from the old name"

    with s.app.test_request_context():
        key = lambda: report_cache.report_key(  # noqa: E731
            "readiness", db.session.get(Assessment, s.assessment_id), "en", "pdf")
        data = report_cache.cached(key, "pdf", made_while_the_client_is_renamed)
    assert data == b"%PDF made from the old name"  # the user still gets what was made
    assert cached_files(s.app) == []  # but it is kept under no key
    assert s.client.get(s.report).data.startswith(b"%PDF")
    assert len(cached_files(s.app)) == 1  # the next download, unchanged meanwhile, is


def test_a_cache_folder_that_cannot_be_written_costs_a_render_not_the_download(
        setup: Setup) -> None:
    s = setup
    folder = report_cache.cache_folder(s.app)
    folder.parent.mkdir(parents=True, exist_ok=True)
    folder.write_text("a file where the folder should be")
    response = s.client.get(s.report)
    assert response.status_code == 200
    assert response.data.startswith(b"%PDF")
    assert folder.read_text() == "a file where the folder should be"


def test_the_libraries_that_draw_a_report_are_in_its_key() -> None:
    from importlib import metadata

    # each is installed under that name, so an upgrade changes the key (never "-")
    assert {name: bool(metadata.version(name)) for name in report_cache.LIBRARIES} == {
        name: True for name in report_cache.LIBRARIES}


def test_the_least_recently_used_report_goes_first(setup: Setup) -> None:
    s = setup
    s.app.config["REPORT_CACHE_FILES"] = 2
    assert s.client.get(s.report).status_code == 200
    [english] = cached_files(s.app)
    time.sleep(0.05)
    assert s.client.get(s.report.replace("lang=en", "lang=fa")).status_code == 200
    [persian] = set(cached_files(s.app)) - {english}
    time.sleep(0.05)
    from_cache(s.app, s.client, s.report)  # English used again: now the newest
    s.change(lambda: _rename_client(s))
    assert s.client.get(s.report).status_code == 200  # a third report: one must go
    files = cached_files(s.app)
    assert len(files) == 2
    assert english in files
    assert persian not in files


def test_eviction_keeps_within_the_count_and_the_size(tmp_path: Path) -> None:
    folder = tmp_path / "report-cache"
    folder.mkdir()
    for number in range(5):
        path = folder / f"{number}.pdf"
        path.write_bytes(b"x" * 1000 * (number + 1))
        os.utime(path, (1000 + number, 1000 + number))
    (folder / ".4.pdf.tmp").write_bytes(b"half")  # being written: not a report yet
    removed = report_cache.evict(folder, most_files=4, most_bytes=1e9)
    assert [p.name for p in removed] == ["0.pdf"]
    removed = report_cache.evict(folder, most_files=10, most_bytes=9000)
    assert [p.name for p in removed] == ["1.pdf", "2.pdf"]  # 12,000 bytes left 9,000
    assert sorted(p.name for p in folder.iterdir()) == [".4.pdf.tmp", "3.pdf", "4.pdf"]


def test_clear_report_cache_empties_it(setup: Setup) -> None:
    s = setup
    assert s.client.get(s.report).status_code == 200
    result = CliRunner().invoke(main, ["clear-report-cache"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 cached reports" in result.output
    assert cached_files(s.app) == []
    assert renders_afresh(s.app, s.client, s.report)


# --- the render slots are the installation's, not a process's ------------------------


def _hold_a_slot(app: Flask, held: Any, release: Any) -> None:
    with app.app_context(), render_slot(1):
        held.send("held")
        release.poll(60)


def test_a_render_in_another_process_takes_the_one_slot(app: Flask) -> None:
    context = multiprocessing.get_context("fork")
    held, tell_held = context.Pipe(duplex=False)
    wait_release, release = context.Pipe(duplex=False)
    other = context.Process(target=_hold_a_slot, args=(app, tell_held, wait_release))
    other.start()
    try:
        assert held.poll(30)
        app.config["REPORT_QUEUE_WAIT"] = 0.1
        html = "<!doctype html><p>Slots</p>"
        with app.app_context():
            with pytest.raises(ReportError, match="Other reports are being prepared"):
                render_pdf(html)
            app.config["REPORT_SLOTS"] = 2
            assert render_pdf(html).startswith(b"%PDF")  # a second slot, when set
            app.config["REPORT_SLOTS"] = 1
            os.kill(other.pid, signal.SIGKILL)  # a holder that dies frees its slot
            other.join(10)
            assert render_pdf(html).startswith(b"%PDF")
    finally:
        release.send("go")
        other.join(10)
