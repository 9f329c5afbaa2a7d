"""Answers acknowledged by the server survive a crash of the whole server.

`crm-maturity serve` runs as a real subprocess on a fresh SQLite file; ten workshop
participants answer the questionnaire over the API from plain threads; half-way the
server's process group (Granian main process and workers) gets SIGKILL and is started again;
the participants retry what failed during the outage and carry on to the end. Every
answer the server acknowledged, before or after the crash, must be in the database file
with the acknowledged value, and no failure may happen outside the outage.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.helpers import free_port

CRM = Path(sys.executable).parent / "crm-maturity"
PARTICIPANTS = 10
QUESTIONS = 60
KILL_AT = 0.4
VALUES: tuple[int | str, ...] = (0, 1, 2, 3, 4, 5, "na", "unknown")
REQUEST_TIMEOUT = 10.0
GIVE_UP_AFTER = 60.0


def answers_http(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            sock.sendall(b"GET /__ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            return sock.recv(16).startswith(b"HTTP/")
    except OSError:
        return False


class Server:
    """`crm-maturity serve` in a process group of its own."""

    def __init__(self, env: dict[str, str], port: int, logs: Path,
                 args: tuple[str, ...] = ("--no-migrate",)):
        self.env = env
        self.port = port
        self.logs = logs
        self.args = args
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        with (self.logs / f"server-{self.starts}.log").open("wb") as log:
            self.process = subprocess.Popen(
                [str(CRM), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 *self.args],
                env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 30
        while not answers_http(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the server did not start:\n{self.log_tail()}")
            time.sleep(0.05)

    def signal_group(self, signum: int) -> None:
        assert self.process is not None
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def kill(self) -> None:
        """SIGKILL to master and workers at once, as a crash or an OOM kill would."""
        assert self.process is not None
        self.signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.signal_group(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                self.process.wait(timeout=10)
        else:  # the master is gone; make sure no worker outlives it
            self.signal_group(signal.SIGKILL)

    def log_tail(self) -> str:
        path = self.logs / f"server-{self.starts}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


@contextmanager
def running(env: dict[str, str], logs: Path,
            args: tuple[str, ...] = ("--no-migrate",)) -> Iterator[Server]:
    server = Server(env, free_port(), logs, args)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def call(method: str, url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read()[:200]


@dataclass
class Room:
    """What the participants share: acknowledgements, failures, and the outage window."""

    base: str
    code: str
    questions: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    #: (token, question id) -> acknowledged value, in the order acknowledged
    acks: dict[tuple[str, str], str] = field(default_factory=dict)
    #: (started, ended, what happened), monotonic seconds
    failures: list[tuple[float, float, str]] = field(default_factory=list)
    finished: int = 0
    crashed: list[BaseException] = field(default_factory=list)

    def until_ok(self, method: str, path: str, body: dict[str, Any] | None,
                 expected: int) -> Any:
        """Retry (as the participants' browsers do) until the server acknowledges."""
        give_up = time.monotonic() + GIVE_UP_AFTER
        delay = 0.05
        while True:
            started = time.monotonic()
            try:
                status, data = call(method, self.base + path, body)
                problem = None if status == expected else f"HTTP {status}: {data!r}"
            except (OSError, http.client.HTTPException) as exc:  # refused, reset, cut short
                problem = f"{type(exc).__name__}: {exc}"
            if problem is None:
                return data
            with self.lock:
                self.failures.append((started, time.monotonic(), f"{method} {path}: {problem}"))
            if time.monotonic() > give_up:
                raise AssertionError(f"gave up on {method} {path}: {problem}")
            time.sleep(delay)
            delay = min(delay * 2, 0.5)

    def participant(self, number: int) -> None:
        try:
            rng = random.Random(number)  # noqa: S311 - test data
            joined = self.until_ok("POST", f"/api/v1/workshops/{self.code}/participants",
                                   {"name": f"Participant {number}", "role": "sales"}, 201)
            token = joined["token"]
            for question_id in self.questions:
                value = rng.choice(VALUES)
                saved = self.until_ok("PUT", f"/api/v1/participants/{token}/answers/"
                                      f"{question_id}", {"value": value, "comment": ""}, 200)
                assert saved["question_id"] == question_id
                assert str(saved["value"]) == str(value), saved
                with self.lock:
                    self.acks[(token, question_id)] = str(saved["value"])
            with self.lock:
                self.finished += 1
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.crashed.append(exc)


def stored(database: Path, code: str) -> dict[tuple[str, str], str | None]:
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        rows = conn.execute(
            "SELECT r.token, a.question_id, a.value FROM answers a "
            "JOIN respondents r ON r.id = a.respondent_id "
            "JOIN workshops w ON w.assessment_id = r.assessment_id "
            "WHERE w.code = ? AND r.kind = 'participant'", (code,)).fetchall()
    finally:
        conn.close()
    return {(token, question_id): value for token, question_id, value in rows}


def make_workshop(instance: Path, env: dict[str, str]) -> tuple[str, list[str]]:
    """Schema through the command line, then a workshop as a consultant would open it."""
    subprocess.run([str(CRM), "db", "upgrade"], env=env, check=True, capture_output=True)
    from assessment.accounts.operations import create_user
    from assessment.app import create_app
    from assessment.clients.operations import create_assessment, save_client
    from assessment.extensions import db
    from assessment.web import get_catalog
    from assessment.workshop.operations import open_workshop

    app: Flask = create_app()
    assert Path(app.instance_path) == instance
    with app.app_context():
        catalog = get_catalog(app)
        user = create_user("facilitator@example.com", "correct-horse", name="Facilitator")
        client = save_client(user.workspace, {"name": "Acme Trading", "sector": "Retail"})
        assessment = create_assessment(catalog, client, title="Crash workshop",
                                       questionnaire_id="workshop")
        code = open_workshop(assessment).code
        db.session.commit()
        questions = [q.id for q in catalog.questionnaires["workshop"].questions]
        db.engine.dispose()
    return code, questions[:QUESTIONS]


@pytest.mark.slow
def test_acknowledged_answers_survive_sigkill_of_the_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = tmp_path / "instance"
    monkeypatch.setenv("CRM_INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CRM_CATALOG_DIR", raising=False)
    env = dict(os.environ)
    code, questions = make_workshop(instance, env)
    database = instance / "crm.sqlite3"
    total = PARTICIPANTS * len(questions)

    with running(env, tmp_path) as server:
        room = Room(f"http://127.0.0.1:{server.port}", code, questions)
        threads = [threading.Thread(target=room.participant, args=(n,), daemon=True)
                   for n in range(PARTICIPANTS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(room.acks) < total * KILL_AT and not room.crashed:
            assert time.monotonic() < deadline, f"too slow before the kill:\n{server.log_tail()}"
            time.sleep(0.01)
        killed_at = time.monotonic()
        server.kill()
        with room.lock:
            before_kill = dict(room.acks)
        server.start()
        ready_at = time.monotonic()
        # Everything acknowledged before the crash is there the moment the server is back.
        after_restart = stored(database, code)
        assert {key: after_restart.get(key) for key in before_kill} == before_kill
        for thread in threads:
            thread.join(timeout=GIVE_UP_AFTER + 15)
        assert not any(thread.is_alive() for thread in threads)

    assert not room.crashed, room.crashed[0]
    assert room.finished == PARTICIPANTS
    assert 0 < len(before_kill) < total, "the kill must come while participants are saving"
    # Failures are allowed only while the server was down (they were retried).
    outside = [problem for started, ended, problem in room.failures
               if ended < killed_at or started > ready_at]
    assert outside == []
    assert room.failures, "the participants should have met the outage"
    # Every acknowledged answer is stored with its value; nobody lost anything.
    final = stored(database, code)
    assert len(room.acks) == total
    assert {key: final.get(key) for key in room.acks} == room.acks
    per_participant = {token for token, _ in room.acks}
    assert len(per_participant) == PARTICIPANTS
    assert len(final) == total
