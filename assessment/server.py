"""Run the app under Granian, a production HTTP server, from our own command line.

Granian parses HTTP and holds the connections in Rust, and calls the Flask app from a
pool of Python threads in each worker process. Measured with the 200-person workshop
benchmark (`make bench-workshop`, 2 cores), a save costs about a third less processor
time than under gunicorn's threaded workers.

Each worker runs the app for one request at a time (`OneAtATime`): a save is short and
nearly all Python, so threads running the app side by side only queue for the
interpreter lock, sometimes while holding the database's write lock, which made the
room's p95 several times worse. The other threads are still useful: they read the
bodies of slow uploads (a phone on venue wifi) without holding anyone up, and a request
that waits for something slow outside Python (a PDF report rendering in its own process)
steps out of the lock meanwhile (`web.out_of_turn`), so other requests go on.
"""

from __future__ import annotations

import gc
import io
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask
from granian.constants import Interfaces
from granian.server import Server

from .web import TURN_KEY

#: Request bodies up to this size are read in full before the app is entered.
PREREAD_LIMIT = 16 * 1024 * 1024

#: `run_server` tells its worker processes their thread count through the environment.
THREADS_ENV = "ASSESSMENT_SERVER_THREADS"
#: threads per worker when the environment does not say (`crm-maturity serve`'s default)
DEFAULT_THREADS = 4

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class Turn:
    """A worker's one lock for running the app, and the places for requests that have
    stepped out of it to wait for something slow (see `web.Turn`).

    At most `threads - 1` requests of a worker may be out at once: a request beyond that
    is told the server is busy, so one thread is always left for everyone else.
    """

    def __init__(self, threads: int):
        self.lock = threading.Lock()
        self.away = threading.BoundedSemaphore(max(1, threads - 1))


class OneAtATime:
    """WSGI middleware: the body is read first, then the app runs under a per-process lock.

    The lock travels in the environ (`web.TURN_KEY`), so a request may let go of it while
    it waits for a report (`web.out_of_turn`).
    """

    def __init__(self, app: WSGIApp, threads: int = DEFAULT_THREADS):
        self.app = app
        self.turn = Turn(threads)
        self.lock = self.turn.lock

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        length = environ.get("CONTENT_LENGTH") or ""
        if length.isdigit() and 0 < int(length) <= PREREAD_LIMIT:
            # A slow sender keeps only this thread waiting, not the app.
            environ["wsgi.input"] = io.BytesIO(environ["wsgi.input"].read(int(length)))
        environ[TURN_KEY] = self.turn
        with self.lock:
            # Flask has run the request and torn its context down by the time it returns
            # the body; sending the body needs no lock.
            return self.app(environ, start_response)


def create_served_app() -> Flask:
    """The app as each worker process serves it."""
    from .app import create_app
    from .printing.cache import prime

    app = create_app()
    prime(app)  # the fingerprint of the code this worker runs, for the report cache
    threads = int(os.environ.get(THREADS_ENV) or DEFAULT_THREADS)
    app.wsgi_app = OneAtATime(app.wsgi_app, threads)  # type: ignore[method-assign]
    # What start-up built (the catalogue, the app, SQLAlchemy's tables) lives as long as
    # the worker: kept out of the garbage collector's full passes, which otherwise stop
    # a worker for tens of milliseconds now and then.
    gc.collect()
    gc.freeze()
    return app


def run_server(*, host: str, port: int, workers: int, threads: int,
               access_log: bool = False) -> None:
    os.environ[THREADS_ENV] = str(threads)  # read by each worker's create_served_app
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
