"""`crm-maturity serve`: one request at a time runs the app in a worker, and a slow upload
holds up no one.

The first test drives the middleware directly from threads; the second starts the real
server (Granian, one worker) and trickles request bodies into it while another request
must still be answered at once.
"""

from __future__ import annotations

import io
import os
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from assessment import server as serving
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
