"""The wheel carries the catalogue and templates: it works away from the checkout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_installs_and_lists_models_away_from_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("crm_maturity-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for expected in ("assessment/_data/models/gartner.yaml",
                     "assessment/_data/questionnaires/workshop.yaml",
                     "assessment/_data/templates/base.html",
                     "assessment/static/app.css"):
        assert expected in names

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = env_dir / "bin" / "pip"
    subprocess.run([str(pip), "install", "--quiet", str(wheel)], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "CRM_CATALOG_DIR")}
    result = subprocess.run([str(env_dir / "bin" / "crm-maturity"), "models", "list", "--json"],
                            cwd=elsewhere, env=env, check=True, capture_output=True, text=True)
    data = json.loads(result.stdout)
    assert [m["id"] for m in data["models"]] == ["lic", "gartner", "crm_strategy", "kalakota",
                                                 "swift"]
    check = subprocess.run(
        [str(env_dir / "bin" / "python"), "-c",
         "import assessment.catalog as c; print(c.data_dir('models'))"],
        cwd=elsewhere, env=env, check=True, capture_output=True, text=True)
    assert str(ROOT) not in check.stdout
