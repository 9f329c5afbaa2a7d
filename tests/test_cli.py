"""The `crm-maturity models ...` commands, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from assessment.catalog import USER_DIR_ENV, shipped_files
from assessment.cli import main

BROKEN = """\
kind: model
id: broken
name: {en: Broken, fa: خراب}
summary: {en: Broken model., fa: مدل خراب.}
sources: [{citation: Test}]
stages:
  - id: one
    name: {en: One, fa: یک}
    description: {en: One., fa: یک.}
    maps_to: {strategy: 0.5, marketing: 0.5}
    decision: {en: Approve it., fa: تصویبش کنید.}
    checklist:
      - id: a
        text: {en: Do, fa: انجام}
        evidence: {en: Proof, fa: سند}
"""


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.delenv(USER_DIR_ENV, raising=False)
    return CliRunner()


def test_validate_shipped_catalogue(runner: CliRunner) -> None:
    result = runner.invoke(main, ["models", "validate"])
    assert result.exit_code == 0, result.output
    assert "OK: 6 stages, 5 models (28 model stages)" in result.output


def test_validate_broken_file_prints_file_line_field_and_fails(
    runner: CliRunner, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = runner.invoke(main, ["models", "validate", str(broken)])
    assert result.exit_code == 1
    assert f"{broken}:10: stages[0].maps_to.marketing: 'marketing' is not a canonical stage" in (
        result.output)
    assert "nothing was loaded" in result.output


def test_validate_a_good_user_folder(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "own.yaml"
    good.write_text(BROKEN.replace("marketing", "process").replace("broken", "own"), "utf-8")
    result = runner.invoke(main, ["models", "validate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "6 models" in result.output


def test_validate_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["models", "validate", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1
    assert "nope.yaml:1: no such file" in result.output


def test_list_shows_five_models_in_both_languages(runner: CliRunner) -> None:
    result = runner.invoke(main, ["models", "list"])
    assert result.exit_code == 0, result.output
    for text in ("lic:", "gartner:", "crm_strategy:", "kalakota:", "swift:",
                 "Vision / چشم‌انداز", "questionnaire executive", "questionnaire workshop"):
        assert text in result.output
    persian = runner.invoke(main, ["models", "list", "--lang", "fa"])
    assert "راهبرد" in persian.output
    assert "Strategy" not in persian.output.split("\n", 1)[0]


def test_list_says_what_a_model_stage_scores_from(runner: CliRunner) -> None:
    result = runner.invoke(main, ["models", "list", "--lang", "en"])
    assert "Each model stage scores from the questions that inform it" in result.output
    assert ("1. Acquire  ->  Strategy 40%, Data 30%, Process 30%  (informing questions: "
            "core ") in result.output
    data = json.loads(runner.invoke(main, ["models", "list", "--json"]).output)
    for model in data["models"]:
        for stage in model["stages"]:
            evidence = stage["informing_questions"]
            assert set(evidence) == {"core", "executive", "workshop"}
            assert evidence["core"] >= 2, (model["id"], stage["id"])
            assert evidence["workshop"] >= 3, (model["id"], stage["id"])
            assert evidence["executive"] >= 1, (model["id"], stage["id"])


def test_list_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["models", "list", "--json"])
    data = json.loads(result.output)
    assert [m["id"] for m in data["models"]] == ["lic", "gartner", "crm_strategy", "kalakota",
                                                 "swift"]
    gartner = data["models"][1]
    assert len(gartner["stages"]) == 8
    for stage in gartner["stages"]:
        assert sum(stage["maps_to"].values()) == pytest.approx(1.0)
        assert stage["name"]["fa"]
        assert stage["name"]["en"]
    assert [s["id"] for s in data["stages"]] == ["vision", "strategy", "process", "data",
                                                 "technology", "metrics"]


def test_user_catalogue_dir_from_environment(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "own.yaml").write_text(BROKEN.replace("marketing", "process").replace(
        "broken", "own"), "utf-8")
    result = runner.invoke(main, ["models", "list", "--json"], env={USER_DIR_ENV: str(tmp_path)})
    assert [m["id"] for m in json.loads(result.output)["models"]][-1] == "own"
    (tmp_path / "bad.yaml").write_text(BROKEN, "utf-8")
    result = runner.invoke(main, ["models", "list"], env={USER_DIR_ENV: str(tmp_path)})
    assert result.exit_code == 1
    assert "bad.yaml:10: stages[0].maps_to.marketing" in result.output


def test_schema_validates_every_shipped_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    result = runner.invoke(main, ["models", "schema", "-o", str(out)])
    assert result.exit_code == 0, result.output
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in shipped_files():
        validator.validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    bad = yaml.safe_load(BROKEN.replace("evidence:", "colour: red\n        evidence:"))
    assert list(validator.iter_errors(bad)), "the schema must reject unknown keys"


def test_schema_of_one_kind(runner: CliRunner) -> None:
    result = runner.invoke(main, ["models", "schema", "--kind", "model"])
    schema = json.loads(result.output)
    assert schema["title"] == "DeploymentModel"
    assert "maps_to" in json.dumps(schema)


def test_demo_says_how_to_sign_in_in_either_language(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv(USER_DIR_ENV, raising=False)
    runner = CliRunner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert first.stdout.splitlines() == [
        "Demo data created. Sign in as demo@example.com with password demo-password",
        "  The client's own people, same password: sara.ahmadi@example.com (team member), "
        "board@example.com (client viewer)",
        "  In English or Persian (فارسی): add ?lang=en or ?lang=fa to the address.",
    ]
    again = runner.invoke(main, ["demo"])
    assert "Demo data already there." in again.stdout
