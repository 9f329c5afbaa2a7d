"""Run the app under Granian, a production HTTP server, from our own command line.

Granian parses HTTP and holds the connections in Rust, and calls the Flask app from a
pool of Python threads in each worker process. Measured with the 200-person workshop
benchmark (`make bench-workshop`, 2 cores), a save costs about a third less processor
time than under gunicorn's threaded workers.

Each worker runs the app for one request at a time (`OneAtATime`): a save is short and
nearly all Python, so threads running the app side by side only queue for the
interpreter lock, sometimes while holding the database's write lock, which made the
room's p95 several times worse. The other threads are still useful: they read the
bodies of slow uploads (a phone on venue wifi) without holding anyone up.
"""

from __future__ import annotations

import gc
import io
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from granian.constants import Interfaces
from granian.server import Server

#: Request bodies up to this size are read in full before the app is entered.
PREREAD_LIMIT = 16 * 1024 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class OneAtATime:
    """WSGI middleware: the body is read first, then the app runs under a per-process lock."""

    def __init__(self, app: WSGIApp):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit() and 0 < int(length) <= PREREAD_LIMIT:
            # A slow sender keeps only this thread waiting, not the app.
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)))
        with self.lock:
            # Flask has run the request and torn its context down by the time it returns
            # the body; sending the body needs no lock.
            return self.app(environ, start_response)


def create_served_app() -> Flask:
    """The app as each worker process serves it."""
    from .app import create_app

    app = create_app()
    app.wsgi_app = OneAtATime(app.wsgi_app)  # type: ignore[method-assign]
    # What start-up built (the catalogue, the app, SQLAlchemy's tables) lives as long as
    # the worker: kept out of the garbage collector's full passes, which otherwise stop
    # a worker for tens of milliseconds now and then.
    gc.collect()
    gc.freeze()
    return app


def run_server(*, host: str, port: int, workers: int, threads: int,
               access_log: bool = False) -> None:
    Server(
        # Each worker builds its own app (and database connections), with the same
        # environment (CRM_*, DATABASE_URL) as the command that started it.
        "assessment.server:create_served_app",
        factory=True,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        websockets=False,
        workers=workers,
        blocking_threads=threads,
        log_access=access_log,
        # A worker that dies (killed, out of memory) is started again.
        respawn_failed_workers=True,
    ).serve()
