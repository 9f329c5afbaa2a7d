"""Rate limits count the same requests in every worker and every server.

The counters live in a SQLite file in the instance folder, or in Redis when
`CRM_REDIS_URL` is set; the tests start a real `redis-server` (Debian's package,
installed by `scripts/redis.sh` when missing) and real `crm-maturity serve` processes.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import pytest
from flask import Flask

from assessment.ratelimits import FILE_NAME, SQLiteStorage, storage_uri
from tests.test_durability import running

ROOT = Path(__file__).resolve().parent.parent
MISSES_ALLOWED = 5


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis server for this test session, installed and started by the project."""
    env = {**os.environ, "REDISDIR": str(tmp_path_factory.mktemp("redis"))}
    script = str(ROOT / "scripts" / "redis.sh")
    subprocess.run(["bash", script, "start"], env=env, check=True, timeout=300)
    try:
        url = subprocess.run(["bash", script, "url"], env=env, check=True, timeout=30,
                             capture_output=True, text=True).stdout.strip()
        yield url
    finally:
        subprocess.run(["bash", script, "stop"], env=env, check=False, timeout=30)


def test_the_embedded_default_is_a_file_in_the_instance_folder(app: Flask) -> None:
    instance = Path(app.instance_path)
    assert app.config["RATELIMIT_STORAGE_URI"] == f"crm-sqlite:///{instance / FILE_NAME}"
    assert storage_uri({"REDIS_URL": "redis://127.0.0.1:1/0"}, str(instance)) == \
        "redis://127.0.0.1:1/0"


def test_counters_count_within_a_window_and_start_again_after_it(tmp_path: Path) -> None:
    store = SQLiteStorage(f"crm-sqlite:///{tmp_path / 'limits.sqlite3'}")
    assert store.check()
    assert [store.incr("k", 0.4) for _ in range(3)] == [1, 2, 3]
    assert store.get("k") == 3
    assert store.get("other") == 0
    assert time.time() < store.get_expiry("k") <= time.time() + 0.4
    time.sleep(0.5)
    assert store.get("k") == 0
    assert store.incr("k", 60, amount=2) == 2
    store.clear("k")
    assert store.get("k") == 0
    store.incr("a", 60)
    store.incr("b", 60)
    assert store.reset() == 2


def _hit(path: str, times: int) -> None:
    store = SQLiteStorage(f"crm-sqlite:///{path}")
    for _ in range(times):
        store.incr("shared", 60)


def test_processes_share_one_count(tmp_path: Path) -> None:
    path = str(tmp_path / "limits.sqlite3")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_hit, args=(path, 25)) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert SQLiteStorage(f"crm-sqlite:///{path}").get("shared") == 75


def _guess_codes(base: str, attempts: int) -> list[int]:
    """Join a workshop that does not exist, each time on a new connection."""
    statuses = []
    for _ in range(attempts):
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            f"{base}/api/v1/workshops/ZZZZZZ/participants", data=b"{}", method="POST",
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            with exc:
                statuses.append(exc.code)
    return statuses


def _server_env(tmp_path: Path, name: str, **settings: str) -> dict[str, str]:
    instance = tmp_path / name
    instance.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in ("DATABASE_URL", "CRM_CATALOG_DIR", "CRM_REDIS_URL")}
    env.update(CRM_INSTANCE_PATH=str(instance), CRM_SECRET_KEY="limits-test-secret-key",
               CRM_API_RATELIMIT_JOIN_MISS=f"{MISSES_ALLOWED} per minute", **settings)
    return env


@pytest.mark.slow
def test_two_workers_share_the_embedded_limit(tmp_path: Path) -> None:
    env = _server_env(tmp_path, "instance")
    with running(env, tmp_path, ("--workers", "2")) as server:
        base = f"http://127.0.0.1:{server.port}"
        # Many at once, so that both workers take some (one at a time, one worker may
        # take them all).
        with ThreadPoolExecutor(max_workers=8) as pool:
            batches = list(pool.map(lambda _: _guess_codes(base, 5), range(8)))
    statuses = [status for batch in batches for status in batch]
    assert statuses.count(404) == MISSES_ALLOWED
    assert statuses.count(429) == len(statuses) - MISSES_ALLOWED


@pytest.mark.slow
def test_two_servers_share_the_limit_on_redis(tmp_path: Path, redis_url: str) -> None:
    with ExitStack() as stack:
        servers = [stack.enter_context(running(
            _server_env(tmp_path, name, CRM_REDIS_URL=redis_url), tmp_path / name,
            ("--workers", "1")))
            for name in ("first", "second")]
        statuses = []
        for _ in range(2 * MISSES_ALLOWED):  # alternate between the two servers
            for server in servers:
                statuses += _guess_codes(f"http://127.0.0.1:{server.port}", 1)
    assert statuses.count(404) == MISSES_ALLOWED
    assert statuses.count(429) == 3 * MISSES_ALLOWED
