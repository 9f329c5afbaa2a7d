"""`crm-maturity data profile`: the issue's command-line contract, the readable summary in
both languages, errors without a traceback, and nothing written to disk."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assessment.cli import main
from tests.persian import foreign_in_persian

NAMES = ["علی رضایی", "مریم کریمی", "Sara Ahmadi", "زهرا احمدی", "رضا محمدی"]
MOBILES = ["09121234567", "+989351112222", "0098 912 555 6677", "09190001111", "۰۹۱۳۴۴۴۵۵۵۶"]


def sales_file(folder: Path) -> Path:
    rows = ["شماره مشتری,نام,موبایل,تاریخ,مبلغ,کالا"]
    for n, (name, mobile) in enumerate(zip(NAMES, MOBILES, strict=True), start=1):
        for month in range(1, n + 1):
            rows.append(f"{1000 + n},{name},{mobile},۱۴۰۲/۰{month}/۱۰,{n * 100_000} ریال,P{month}")
    rows.append("1001,علی رضایی,09121234567,1400/01/10,5000,P1")  # before the window
    path = folder / "sales.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_json_contract(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["data", "profile", str(sales_file(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)  # exactly one JSON object
    assert isinstance(data, dict)
    assert {"rows", "customers", "first_date", "last_date", "pyramid", "rfm", "quality",
            "score"} <= set(data)
    assert data["rows"] == 16
    assert data["customers"] == 5
    # 1400/01/10 is 2021-03-30; 1402/05/10 is 2023-08-01 (the as-of date by default)
    assert (data["first_date"], data["last_date"], data["as_of"]) == (
        "2021-03-30", "2023-08-01", "2023-08-01")
    assert [tier["tier"] for tier in data["pyramid"]] == ["top", "big", "medium", "small",
                                                          "inactive"]
    for tier in data["pyramid"]:
        assert isinstance(tier["customers"], int)
        assert 0 <= tier["revenue_share"] <= 1
    assert data["pyramid"][-1]["revenue_share"] == 0
    assert sum(tier["revenue_share"] for tier in data["pyramid"]) == pytest.approx(1)
    segments = data["rfm"]["segments"]
    assert [set(s) for s in segments] == [{"segment", "customers", "revenue_share"}] * 9
    assert sum(s["customers"] for s in segments) == 5
    assert all(0 <= s["revenue_share"] <= 1 for s in segments)
    fields = data["quality"]["fields"]
    assert set(fields) == {"customer", "name", "mobile", "date", "amount", "product"}
    for shares in fields.values():
        assert set(shares) == {"filled", "valid"}
        assert 0 <= shares["valid"] <= shares["filled"] <= 1
    assert isinstance(data["quality"]["duplicates"], int)
    assert isinstance(data["score"], int)
    assert 0 <= data["score"] <= 5


def test_as_of_window_and_map(tmp_path: Path) -> None:
    path = sales_file(tmp_path)
    # as of 2023-05-05 with a 6-month window (after 2022-11-05): every customer bought on
    # 1402/01/10 (2023-03-30), so all 5 are active; the 1400 purchase is before the window
    result = CliRunner().invoke(main, [
        "data", "profile", str(path), "--json", "--as-of", "2023-05-05", "--window-months", "6",
        "--map", "product=نام", "--map", "name=کالا"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["as_of"] == "2023-05-05"
    assert data["window_months"] == 6
    assert sum(t["customers"] for t in data["pyramid"][:4]) == 5
    assert data["files"][0]["mapping"]["roles"]["product"] == "نام"
    assert data["files"][0]["mapping"]["roles"]["name"] == "کالا"


@pytest.mark.parametrize("arguments", [
    ["--window-months", "3"], ["--map", "colour=نام"], ["--map", "name"],
    ["--map", "name=Nope"], ["--as-of", "1402/05/10"],
])
def test_bad_options_are_refused(tmp_path: Path, arguments: list[str]) -> None:
    result = CliRunner().invoke(main, ["data", "profile", str(sales_file(tmp_path)),
                                       *arguments])
    assert result.exit_code != 0
    assert "Traceback" not in result.output


def test_a_bad_file_is_one_line_naming_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("code   name      amount\n1      Ali       1200\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "assessment.cli", "data", "profile", str(path)],
        capture_output=True, text=True, check=False, cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[1])})
    assert result.returncode != 0
    assert result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "Error: export.txt, row 1, column 1: the columns are lined up with spaces (a "
        "fixed-width layout); save the file as CSV or XLSX"]


def test_readable_summary_in_the_terminals_language(tmp_path: Path) -> None:
    path = str(sales_file(tmp_path))
    english = CliRunner().invoke(main, ["data", "profile", path], env={"LANG": "en_GB.UTF-8"})
    assert english.exit_code == 0
    assert "customers: 5; rows: 16" in english.output
    assert "Customer pyramid (revenue over the 12 months to 1 August 2023)" in english.output
    assert "Measured data level:" in english.output
    persian = CliRunner().invoke(main, ["data", "profile", path],
                                 env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "fa_IR.UTF-8"})
    assert persian.exit_code == 0
    assert "۵ مشتری در ۱۶ ردیف" in persian.output
    assert "هرم مشتری (درآمد در ۱۲ ماه تا ۱۰ مرداد ۱۴۰۲)" in persian.output
    assert foreign_in_persian(persian.output) == []
    assert CliRunner().invoke(main, ["data", "profile", path, "--lang", "fa"]).output \
        == persian.output


def test_nothing_is_written_and_no_value_leaves(tmp_path: Path) -> None:
    """The command writes no file (in its folder, home or temporary folder) and prints no
    name or number from the file, only aggregates."""
    source = tmp_path / "in"
    source.mkdir()
    path = sales_file(source)
    home, temp, work = tmp_path / "home", tmp_path / "tmp", tmp_path / "work"
    for folder in (home, temp, work):
        folder.mkdir()
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(temp),
           "PYTHONPATH": str(Path(__file__).parents[1]), "PYTHONDONTWRITEBYTECODE": "1"}
    outputs = []
    for extra in (["--json"], ["--lang", "en"], ["--lang", "fa"]):
        result = subprocess.run(
            [sys.executable, "-m", "assessment.cli", "data", "profile", str(path), *extra],
            capture_output=True, text=True, check=True, cwd=work, env=env)
        outputs.append(result.stdout + result.stderr)
    written = [p for p in tmp_path.rglob("*") if p.is_file() and p != path]
    assert written == []
    everything = "\n".join(outputs)
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    for value in [*NAMES, *MOBILES, "1001", "1005", "P1", "500000"]:
        assert value not in everything
        assert value.translate(digits) not in everything.translate(digits)
