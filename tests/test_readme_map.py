"""The README's map of the code ("How it is built") names what is there, and all of it."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "assessment"
#: what a path in backquotes looks like: a folder (ends in /) or a file with an extension
PATH = re.compile(r"^[\w./-]+(/|\.(py|md|toml|yaml|cfg|js|css|html))$")


def map_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## How it is built\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def named_paths(section: str) -> list[Path]:
    """Every path the map names. A bare file name ("report.py") is read in the last folder
    named before it ("assessment/printing/"), as a reader would."""
    folder = ROOT
    paths = []
    for token in re.findall(r"`([^`]+)`", " ".join(section.split())):
        if not PATH.match(token):
            continue
        path = ROOT / token if "/" in token else folder / token
        if token.endswith("/"):
            folder = path
        paths.append(path)
    return paths


def test_every_path_in_the_map_exists() -> None:
    paths = named_paths(map_section())
    assert len(paths) >= 40
    missing = [str(p.relative_to(ROOT)) for p in paths if not p.exists()]
    assert missing == []


def test_every_module_and_package_of_the_app_is_in_the_map() -> None:
    named = {p.resolve() for p in named_paths(map_section())}
    parts = [p for p in PACKAGE.iterdir()
             if p.name not in ("__init__.py", "__pycache__", "_data")
             and (p.suffix == ".py" or p.is_dir())]
    assert len(parts) >= 25
    assert sorted(p.name for p in parts if p.resolve() not in named) == []


def test_a_wrong_path_would_be_found() -> None:
    section = "- `assessment/walk/` holds `pages.py` and `nowhere.py`; `docs/none.md`."
    missing = [p.name for p in named_paths(section) if not p.exists()]
    assert missing == ["nowhere.py", "none.md"]
