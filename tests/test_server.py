"""`crm-maturity serve`: one request at a time runs the app in a worker, a slow upload
holds up no one, and neither does a report waiting for its render.

The first test drives the middleware directly from threads; the second starts the real
server (Granian, one worker) and trickles request bodies into it while another request
must still be answered at once.
"""

from __future__ import annotations

import fcntl
import io
import os
import socket
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import Client

from assessment import server as serving
from assessment.printing import render
from tests.conftest import World
from tests.test_durability import running


def _environ(body: bytes) -> dict[str, Any]:
    return {"REQUEST_METHOD": "POST", "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body)}


def test_the_app_runs_one_request_at_a_time_with_its_body_read_first() -> None:
    running_now = 0
    most = 0
    seen: list[bytes] = []
    guard = threading.Lock()

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        nonlocal running_now, most
        with guard:
            running_now += 1
            most = max(most, running_now)
        assert isinstance(environ["wsgi.input"], io.BytesIO)
        seen.append(environ["wsgi.input"].read())
        time.sleep(0.02)
        with guard:
            running_now -= 1
        start_response("200 OK", [])
        return [b"ok"]

    wrapped = serving.OneAtATime(app)
    threads = [threading.Thread(target=lambda n=n: wrapped(_environ(b"body %d" % n),
                                                           lambda *_: None))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1
    assert sorted(seen) == sorted(b"body %d" % n for n in range(8))


def test_a_body_above_the_limit_is_left_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serving, "PREREAD_LIMIT", 4)
    stream = io.BytesIO(b"longer than four")
    given: list[Any] = []
    wrapped = serving.OneAtATime(lambda environ, _start: given.append(environ["wsgi.input"])
                                 or [])
    wrapped({"CONTENT_LENGTH": "16", "wsgi.input": stream}, lambda *_: None)
    assert given == [stream]
    assert stream.tell() == 0  # not read: Flask refuses a body over its limit itself


def _trickle(port: int) -> tuple[socket.socket, bytes]:
    """A request whose headers arrived and whose body has barely started; the rest."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    body = b'{"name": "Slow phone", "role": "sales"}'
    sock.sendall(b"POST /api/v1/workshops/ZZZZZZ/participants HTTP/1.1\r\nHost: x\r\n"
                 b"Content-Type: application/json\r\nContent-Length: "
                 + str(len(body)).encode() + b"\r\n\r\n" + body[:5])
    return sock, body[5:]


@pytest.mark.slow
def test_slow_uploads_do_not_hold_up_other_requests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_CATALOG_DIR", raising=False)
    env = dict(os.environ)
    with running(env, tmp_path, ("--workers", "1", "--threads", "3")) as server:
        slow = [_trickle(server.port) for _ in range(2)]
        try:
            time.sleep(0.5)  # both are now inside the worker, waiting for their bodies
            started = time.monotonic()
            with urllib.request.urlopen(
                    f"http://127.0.0.1:{server.port}/api/v1/openapi.json",
                    timeout=10) as answer:
                assert answer.status == 200
            assert time.monotonic() - started < 3.0
            for sock, rest in slow:
                sock.sendall(rest)
                status = sock.recv(64).split(b"\r\n")[0]
                # Answered in full (there is no such workshop): nothing was cut off.
                assert status == b"HTTP/1.1 404 Not Found", status
        finally:
            for sock, _rest in slow:
                sock.close()


# --- reports render outside the worker's lock -----------------------------------------


def _served(app: Flask, threads: int) -> tuple[serving.OneAtATime, Callable[[], Client]]:
    """The app behind the real middleware, and a way to make signed-in browsers of it."""
    wrapped = serving.OneAtATime(app.wsgi_app, threads)

    def browser() -> Client:
        person = Client(wrapped)
        answer = person.post("/login", data={"email": "ana@example.com",
                                             "password": "correct-horse"})
        assert answer.status_code == 302
        return person

    return wrapped, browser


def _in_thread(fn: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    result: list[Any] = []
    thread = threading.Thread(target=lambda: result.append(fn()), daemon=True)
    thread.start()
    return thread, result


def _slot_taken(instance: Path) -> bool:
    """Whether a render holds the installation's one slot right now (looked at without
    keeping it)."""
    path = instance / render.SLOTS_DIR / "slot-0.lock"
    if not path.exists():
        return False
    handle = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)  # closing also drops a lock taken just now
    return False


def _until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_a_report_waits_and_renders_while_the_worker_serves_others(
        app: Flask, world: World) -> None:
    aid = world.answered(world.client(world.user()), "3", complete=True)
    wrapped, browser = _served(app, threads=4)
    downloader, other = browser(), browser()
    app.config["REPORT_QUEUE_WAIT"] = 30
    instance = Path(app.instance_path)

    # Waiting for a slot another process holds: the lock is let go meanwhile.
    with app.app_context(), render.render_slot(1):
        thread, got = _in_thread(lambda: downloader.get(
            f"/assessments/{aid}/report.pdf?lang=en"))
        _until(lambda: wrapped.turn.away._value == 2)  # type: ignore[attr-defined]
        started = time.monotonic()
        assert other.get("/login?lang=en").status_code in (200, 302)
        assert time.monotonic() - started < 5
        assert thread.is_alive()  # still waiting for the slot
    thread.join(60)
    assert got[0].status_code == 200
    assert got[0].data.startswith(b"%PDF")

    # Rendering (the other language, not cached yet): the same.
    thread, got = _in_thread(lambda: downloader.get(f"/assessments/{aid}/report.pdf?lang=fa"))
    _until(lambda: _slot_taken(instance))
    assert other.get("/login?lang=en").status_code in (200, 302)
    assert thread.is_alive(), "the render ended before the other request was answered"
    thread.join(60)
    assert got[0].status_code == 200
    assert not wrapped.lock.locked()
    assert wrapped.turn.away._value == 3  # type: ignore[attr-defined]


def test_a_worker_keeps_one_thread_for_everyone_else(app: Flask, world: World) -> None:
    aid = world.answered(world.client(world.user()), "3", complete=True)
    wrapped, browser = _served(app, threads=2)  # one thread may wait for a report
    first, second = browser(), browser()
    app.config["REPORT_QUEUE_WAIT"] = 30
    with app.app_context(), render.render_slot(1):
        thread, got = _in_thread(lambda: first.get(f"/assessments/{aid}/report.pdf?lang=en"))
        _until(lambda: wrapped.turn.away._value == 0)  # type: ignore[attr-defined]
        started = time.monotonic()
        refused = second.get(f"/assessments/{aid}/report.pdf?lang=en", follow_redirects=True)
        assert time.monotonic() - started < 5  # told at once, not after 30 s
        assert "Other reports are being prepared" in refused.get_data(as_text=True)
    thread.join(60)
    assert got[0].status_code == 200
