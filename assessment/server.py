"""Run the app under gunicorn from our own command line."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, app: Any, options: dict[str, Any]):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def run_gunicorn(app: Any, *, bind: str, workers: int, threads: int) -> None:
    _Server(app, {
        "bind": bind,
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "accesslog": "-",
        "graceful_timeout": 10,
        "post_fork": _post_fork,
    }).run()


def _post_fork(_server: Any, worker: Any) -> None:
    """Each worker opens its own database connections."""
    app = worker.app.application
    from .extensions import db

    with app.app_context():
        db.engine.dispose()
