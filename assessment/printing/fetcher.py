"""The only way a print design reaches anything outside itself: data: URLs and the app's
own static files, nothing else, no redirects."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """data: URLs and the app's own static files; nothing else, no redirects."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data", "file"), allow_redirects=False,
                             timeout=5)
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            scheme = url.split(":", 1)[0].lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path.is_relative_to(STATIC_DIR) and path.is_file():
                    return super().fetch(url, headers)
            self.refused.append(url)
            raise ValueError(f"not fetched: {url} (only data: URLs and the app's static files)")

    return StaticOnlyFetcher


def make_fetcher() -> Any:
    return _fetcher_class()()
