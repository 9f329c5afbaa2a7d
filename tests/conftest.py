from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assessment.catalog import Catalog, data_dir, load_catalog, load_files

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The shipped catalogue, as users get it."""
    return load_catalog(include_user_dir=False)


@pytest.fixture(scope="session")
def mini() -> Catalog:
    """Shipped stages and scale plus a tiny model and questionnaire with known numbers."""
    return load_files([
        data_dir("models") / "stages.yaml",
        data_dir("models") / "scale.yaml",
        FIXTURES / "mini" / "model.yaml",
        FIXTURES / "mini" / "questionnaire.yaml",
    ])


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a YAML file into a fresh folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
