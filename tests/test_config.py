"""Settings: config.py, docs/configuration.md and the code that reads them agree, and
each source of settings reaches the part it configures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from assessment import config
from assessment.catalog import USER_DIR_ENV
from assessment.printing import render
from assessment.printing.render import ReportError, render_pdf

from .conftest import World
from .test_web_workshop import Q1, Q2, participant, save

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "assessment"
DOCS = ROOT / "docs" / "configuration.md"

#: Settings of Flask's extensions, which read their own settings; Flask's own are in
#: `Flask.default_config`.
EXTENSION_PREFIXES = ("SQLALCHEMY_", "WTF_", "BABEL_", "RATELIMIT_", "REMEMBER_COOKIE_")
NAME = r"""["']([A-Z][A-Z0-9_]*)["']"""
#: config["X"], config.get("X"), config.setdefault("X") and the config-reading limits
READS = re.compile(rf"""config\[\s*{NAME}\s*\]|config\.(?:get|setdefault)\(\s*{NAME}"""
                   rf"""|\brate_limit\(\s*{NAME}\s*\)""")
#: a config read whose name is not written out, which no scan could check
UNNAMED = re.compile(r"""config\[\s*(?!["'\s])|config\.(?:get|setdefault)\(\s*(?!["'\s])""")
BACKTICKED = re.compile(r"`([A-Z][A-Z0-9_]*)`")


def documented() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The rows of the docs' table: app settings and environment-only variables, each
    name with its cells."""
    text = DOCS.read_text(encoding="utf-8")
    header = "| `instance/config.py` | Environment variable | Default | Meaning |"
    assert header in text
    lines = text.split(header, 1)[1].splitlines()[2:]
    settings: dict[str, list[str]] = {}
    environment: dict[str, list[str]] = {}
    for line in lines:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        assert len(cells) == 4, line
        assert cells[3], f"no meaning given: {line}"
        key = BACKTICKED.fullmatch(cells[0])
        if key:
            assert key.group(1) not in settings, f"{key.group(1)} is in the table twice"
            settings[key.group(1)] = cells
        else:
            variable = BACKTICKED.match(cells[1])
            assert cells[0] == "—", f"a row names no setting: {line}"
            assert variable, f"a row names no setting: {line}"
            environment[variable.group(1)] = cells
    return settings, environment


def code_reads() -> dict[str, set[str]]:
    """Every setting name the package's source reads, with the files that read it."""
    reads: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(ROOT))
        if path != PACKAGE / "config.py":
            assert not UNNAMED.search(text), f"{where} reads a setting by a computed name"
        for match in READS.finditer(text):
            name = next(group for group in match.groups() if group)
            reads.setdefault(name, set()).add(where)
    return reads


def flask_or_extension_setting(name: str) -> bool:
    return name in Flask.default_config or name.startswith(EXTENSION_PREFIXES)


def test_the_docs_table_lists_every_setting_of_config_py_and_no_other() -> None:
    settings, environment = documented()
    known = {setting.name: setting for setting in config.SETTINGS}
    missing_from_docs = sorted(known.keys() - settings.keys())
    missing_from_config = sorted(settings.keys() - known.keys())
    assert not missing_from_docs, "in config.py, missing from docs/configuration.md"
    assert not missing_from_config, "in docs/configuration.md, missing from config.py"
    for name, (_key, env, default, _meaning) in settings.items():
        setting = known[name]
        if setting.env is None:
            assert env.startswith("—"), name
        else:
            assert env == f"`{setting.env}`", name
        assert default == setting.default_text, name

    variables = {variable.name: variable for variable in config.ENVIRONMENT}
    assert environment.keys() == variables.keys()
    for name, (_key, env, default, _meaning) in environment.items():
        assert env == f"`{name}` (environment only)"
        assert default == variables[name].default_text, name


def test_the_code_reads_no_setting_that_config_py_or_flask_does_not_know() -> None:
    reads = code_reads()
    # the scan finds reads of every kind it looks for
    assert {"TODAY", "REPORT_TIMEOUT", "API_MAX_CONTENT_LENGTH", "WORKSHOP_RATELIMIT_SAVE",
            "API_RATELIMIT_JOIN_MISS", "SECRET_KEY_FALLBACKS"} <= reads.keys()
    ours = {setting.name for setting in config.SETTINGS}
    unknown = {name: sorted(files) for name, files in reads.items()
               if name not in ours and not flask_or_extension_setting(name)}
    assert not unknown, "read by the code but not in config.py"


def test_every_setting_of_the_app_itself_is_read_somewhere() -> None:
    reads = code_reads()
    unused = [setting.name for setting in config.SETTINGS
              if setting.name not in reads and not flask_or_extension_setting(setting.name)]
    assert not unused


def test_rate_limits_are_written_one_way() -> None:
    limits = {setting.name: setting.default for setting in config.SETTINGS
              if "RATELIMIT" in setting.name}
    assert len(limits) == 7
    assert all(re.fullmatch(r"\d+ per minute", limit) for limit in limits.values()), limits


def test_settings_come_from_defaults_then_the_instance_file_then_the_environment(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assessment.app import create_app
    from assessment.extensions import db

    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text(
        'REPORT_TIMEOUT = 5.0\nREPORT_QUEUE_WAIT = 6.0\nAPI_MAX_CONTENT_LENGTH = 1000\n'
        'WORKSHOP_RATELIMIT_JOIN = "7 per minute"\n', encoding="utf-8")
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(instance))
    monkeypatch.delenv(USER_DIR_ENV, raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("CRM_REPORT_QUEUE_WAIT", "7")
    monkeypatch.setenv("CRM_API_MAX_CONTENT_LENGTH", "2000")
    monkeypatch.setenv("CRM_WORKSHOP_RATELIMIT_JOIN", "8 per minute")
    app = create_app({"SECRET_KEY": "test", "API_MAX_CONTENT_LENGTH": 3000})
    try:
        assert app.config["REPORT_SLOTS"] == 1  # the default
        assert app.config["REPORT_TIMEOUT"] == 5.0  # instance/config.py
        assert app.config["REPORT_QUEUE_WAIT"] == 7  # the environment over the file
        assert app.config["WORKSHOP_RATELIMIT_JOIN"] == "8 per minute"
        assert app.config["API_MAX_CONTENT_LENGTH"] == 3000  # the test's, over all
    finally:
        with app.app_context():
            db.engine.dispose()


def test_crm_report_slots_sets_how_many_reports_render_at_once(
        monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    monkeypatch.setenv("CRM_REPORT_SLOTS", "2")
    app: Flask = request.getfixturevalue("app")
    app.config["REPORT_QUEUE_WAIT"] = 0.05
    html = "<!doctype html><p>Slots</p>"
    with app.app_context():
        with render.render_slot(1):
            assert render_pdf(html).startswith(b"%PDF")  # the second slot was free
            with render.render_slot(1), pytest.raises(
                    ReportError, match="Other reports are being prepared"):
                render_pdf(html)
        assert render_pdf(html).startswith(b"%PDF")  # both free again


def test_crm_workshop_ratelimit_save_sets_the_workshop_save_limit(
        monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    from assessment.tables import Assessment
    from assessment.workshop.operations import open_workshop

    monkeypatch.setenv("CRM_WORKSHOP_RATELIMIT_SAVE", "2 per minute")
    app: Flask = request.getfixturevalue("app")
    world = World(app)
    aid = world.assessment(world.client(world.user()), questionnaire="workshop")

    def open_room(session):
        code = open_workshop(session.get(Assessment, aid)).code
        session.commit()
        return code

    code = world.query(open_room)
    phone = participant(app, code)
    assert save(phone, code, Q1, 1)[0] == 200
    assert save(phone, code, Q2, 1)[0] == 200
    assert save(phone, code, "ws.vision.03", 1)[0] == 429
