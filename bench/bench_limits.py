"""Benchmark: what a rate-limit check costs on each storage, in one run.

A workshop save checks its per-participant limit once (`api.views._check_save_limit`), so
this cost is added to every save. Timed here, interleaved so that both see the same
machine: Flask-Limiter's per-process memory storage (what the app used before, which
counted each worker apart), the shared SQLite file in the instance folder (the default
now), both with one process hitting and with two processes hitting the same file at once
(as two server workers do), and Redis when `--redis-url` is given.

Figures go to bench/results/limits.json. Target: the SQLite file adds at most 0.2 ms to a
save (a save costs about 2 ms of server time; see bench_workshop.py).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import statistics
import sys
import tempfile
import time
from pathlib import Path

from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import assessment.ratelimits  # noqa: F401 - registers the crm-sqlite storage

HITS = 5000
ROUNDS = 5
TARGET_MS = 0.2


def hit_many(uri: str, hits: int, offset: int = 0) -> float:
    """Seconds for `hits` checks, each for one of 200 participants in turn."""
    limiter = FixedWindowRateLimiter(storage_from_string(uri))
    item = parse("600 per minute")
    started = time.perf_counter()
    for n in range(hits):
        limiter.hit(item, "api-save", f"participant-{(n + offset) % 200}")
    return time.perf_counter() - started


def _worker(uri: str, hits: int, offset: int, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    out.put(hit_many(uri, hits, offset))


def two_processes(uri: str, hits: int) -> float:
    """Mean seconds per `hits` checks when two processes hit the same storage at once."""
    context = multiprocessing.get_context("fork")
    out: multiprocessing.Queue = context.Queue()  # type: ignore[type-arg]
    workers = [context.Process(target=_worker, args=(uri, hits, k * 1000, out))
               for k in range(2)]
    for worker in workers:
        worker.start()
    times = [out.get(timeout=300) for _ in workers]
    for worker in workers:
        worker.join()
    return statistics.fmean(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-limits-"))
    uris = {"memory (per process)": "memory://",
            "sqlite file": f"crm-sqlite:///{folder / 'ratelimits.sqlite3'}"}
    if args.redis_url:
        uris["redis"] = args.redis_url
    runs: dict[str, list[float]] = {name: [] for name in uris}
    runs["sqlite file, 2 processes at once"] = []
    for _ in range(ROUNDS):
        for name, uri in uris.items():
            runs[name].append(hit_many(uri, HITS))
        runs["sqlite file, 2 processes at once"].append(
            two_processes(uris["sqlite file"], HITS))
    figures = {name: round(statistics.median(times) / HITS * 1e6, 1)
               for name, times in runs.items()}  # microseconds a check, median of rounds
    base = figures["memory (per process)"]
    added = max(figures["sqlite file"], figures["sqlite file, 2 processes at once"]) - base
    result = {"microseconds_per_check": figures,
              "ratio_sqlite_to_memory": round(figures["sqlite file"] / base, 2),
              "added_ms_per_save": round(added / 1000, 3), "target_ms": TARGET_MS,
              "hits": HITS, "rounds": ROUNDS}
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "limits.json").write_text(json.dumps(result, indent=2) + "\n")
    for name, value in figures.items():
        print(f"{name:34} {value:8.1f} µs a check")
    print(f"sqlite / memory: {result['ratio_sqlite_to_memory']}x; added to a save: "
          f"{result['added_ms_per_save']} ms (target <= {TARGET_MS} ms)")
    return 0 if result["added_ms_per_save"] <= TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
