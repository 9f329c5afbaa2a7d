"""Benchmark: report downloads against `crm-maturity serve --demo`, and what they cost
everyone else.

Run with `make bench-downloads` (also part of `make bench`). The real server (2 workers,
4 threads each, as `serve` starts by default) on a fresh instance folder with the demo:

(a) under load: four signed-in clients download readiness PDFs in a loop (the demo's
    three finished workshops in both languages, in turn) with the report cache off
    (CRM_REPORT_CACHE=false), so every download renders, one at a time on the machine
    (REPORT_SLOTS=1). Meanwhile one more client asks for the sign-in page (GET /login)
    ten times a second and times each answer. The same client times /login first with
    nothing else running: the ratio of the two is the cost of the downloads. Target:
    /login p95 < 100 ms under load.
(b) cached: with the cache on (a second server on the same folder), one report is
    rendered once and then downloaded 25 times in a row. Target: median <= 50 ms.

Figures go to bench/results/downloads.json; the exit status is 1 if a target is missed.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from measure import free_port, percentile, stop_group

RESULTS = Path(__file__).resolve().parent / "results"
CRM = Path(sys.executable).parent / "crm-maturity"
EMAIL, PASSWORD = "demo@example.com", "demo-password"
DOWNLOADERS = 4
LOAD_SECONDS = 40.0
BASELINE_SECONDS = 15.0
LOGIN_EVERY = 0.1
CACHED_RUNS = 25
TARGET_LOGIN_P95_MS = 100.0
TARGET_CACHED_MS = 50.0


def figures(values: list[float]) -> dict[str, float]:
    return {"count": len(values), "p50_ms": percentile(values, 0.5),
            "p95_ms": percentile(values, 0.95), "max_ms": percentile(values, 1.0)}


class Server:
    """`crm-maturity serve --demo` in its own process group."""

    def __init__(self, instance: Path, extra_env: dict[str, str]):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("DATABASE_URL", "CRM_CATALOG_DIR")
                    and not key.startswith("CRM_")}
        self.env.update({"CRM_INSTANCE_PATH": str(instance),
                         # four clients downloading in a loop are not a person clicking
                         "CRM_REPORT_RATELIMIT_DOWNLOAD": "100000 per minute",
                         **extra_env})
        self.log = instance.parent / f"server-{self.port}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own command line
                [str(CRM), "serve", "--host", "127.0.0.1", "--port", str(self.port),
                 "--demo"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log}")
            try:
                with urllib.request.urlopen(self.base + "/login", timeout=5):  # noqa: S310
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"the server did not answer; see {self.log}")

    def __exit__(self, *_exc: object) -> None:
        assert self.process is not None
        stop_group(self.process)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def signed_in(base: str) -> urllib.request.OpenerDirector:
    """A browser signed in as the demo consultant (form token and all)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    with opener.open(base + "/login?lang=en", timeout=30) as page:
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.read())
    assert token, "no form token on the sign-in page"
    form = urllib.parse.urlencode({"csrf_token": token.group(1).decode(), "email": EMAIL,
                                   "password": PASSWORD}).encode()
    try:
        opener.open(base + "/login", data=form, timeout=30)
    except urllib.error.HTTPError as exc:  # the 302 to the dashboard
        if exc.code != 302:
            raise
    return opener


def demo_reports(instance: Path) -> list[int]:
    """The demo's finished workshop assessments."""
    import sqlite3

    database = sqlite3.connect(f"file:{instance / 'crm.sqlite3'}?mode=ro", uri=True)
    try:
        rows = database.execute("SELECT id FROM assessments WHERE status = 'complete' "
                                "AND questionnaire_id = 'workshop' ORDER BY id").fetchall()
    finally:
        database.close()
    return [row[0] for row in rows]


def download(opener: urllib.request.OpenerDirector, url: str) -> tuple[str, float]:
    """('pdf' | 'busy' | 'error NNN', seconds)."""
    started = time.perf_counter()
    try:
        with opener.open(url, timeout=120) as answer:
            body = answer.read()
            kind = "pdf" if body.startswith(b"%PDF") else f"error {answer.status}"
    except urllib.error.HTTPError as exc:
        kind = "busy" if exc.code == 302 else f"error {exc.code}"
    return kind, time.perf_counter() - started


def time_login(base: str, until: float, into: list[float]) -> None:
    """GET /login every LOGIN_EVERY seconds (a fresh anonymous browser each time)."""
    while time.monotonic() < until:
        started = time.perf_counter()
        with urllib.request.urlopen(base + "/login?lang=en", timeout=60) as page:  # noqa: S310
            page.read()
            assert page.status == 200
        into.append(time.perf_counter() - started)
        time.sleep(max(0.0, LOGIN_EVERY - (time.perf_counter() - started)))


def under_load(instance: Path) -> dict[str, Any]:
    with Server(instance, {"CRM_REPORT_CACHE": "false"}) as server:
        urls = [f"{server.base}/assessments/{aid}/report.pdf?lang={lang}"
                for aid in demo_reports(instance) for lang in ("fa", "en")]
        clients = [signed_in(server.base) for _ in range(DOWNLOADERS)]
        # Warm-up: each worker loads WeasyPrint on its first report.
        for index, client in enumerate(clients * 2):
            download(client, urls[index % len(urls)])
        baseline: list[float] = []
        time_login(server.base, time.monotonic() + BASELINE_SECONDS, baseline)

        loaded: list[float] = []
        outcomes: list[tuple[str, float]] = []
        stop = time.monotonic() + LOAD_SECONDS

        def downloader(number: int) -> None:
            turn = number
            while time.monotonic() < stop:
                kind, seconds = download(clients[number], urls[turn % len(urls)])
                outcomes.append((kind, seconds))
                turn += 1
                if kind == "busy":
                    time.sleep(1.0)  # as a person told to try again would, a little sooner

        threads = [threading.Thread(target=downloader, args=(n,)) for n in range(DOWNLOADERS)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)  # the downloads are under way
        time_login(server.base, stop, loaded)
        for thread in threads:
            thread.join()
    pdfs = [seconds for kind, seconds in outcomes if kind == "pdf"]
    kinds: dict[str, int] = {}
    for kind, _seconds in outcomes:
        kinds[kind] = kinds.get(kind, 0) + 1
    base_figures, load_figures = figures(baseline), figures(loaded)
    return {
        "downloaders": DOWNLOADERS,
        "seconds": LOAD_SECONDS,
        "downloads": kinds,
        "download_p50_ms": percentile(pdfs, 0.5),
        "login_alone": base_figures,
        "login_under_load": load_figures,
        "login_p50_ratio": round(load_figures["p50_ms"] / base_figures["p50_ms"], 2),
        "login_p95_ratio": round(load_figures["p95_ms"] / base_figures["p95_ms"], 2),
        "target_login_p95_ms": TARGET_LOGIN_P95_MS,
    }


def cached(instance: Path) -> dict[str, Any]:
    with Server(instance, {}) as server:
        url = f"{server.base}/assessments/{demo_reports(instance)[0]}/report.pdf?lang=fa"
        client = signed_in(server.base)
        kind, first = download(client, url)
        assert kind == "pdf", kind
        times = []
        for _ in range(CACHED_RUNS):
            kind, seconds = download(client, url)
            assert kind == "pdf", kind
            times.append(seconds)
    return {"first_ms": round(first * 1000, 1), "runs": CACHED_RUNS,
            "median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": percentile(times, 0.95), "target_median_ms": TARGET_CACHED_MS}


def main() -> int:
    run = Path(tempfile.mkdtemp(prefix="crm-bench-downloads-"))
    instance = run / "instance"
    results = {"load": under_load(instance), "cached": cached(instance)}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "downloads.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))
    load, hit = results["load"], results["cached"]
    ok_load = load["login_under_load"]["p95_ms"] < TARGET_LOGIN_P95_MS
    ok_hit = hit["median_ms"] <= TARGET_CACHED_MS
    print(f"/login under {DOWNLOADERS} PDF downloaders: p50 "
          f"{load['login_under_load']['p50_ms']} ms, p95 {load['login_under_load']['p95_ms']} "
          f"ms (alone: p50 {load['login_alone']['p50_ms']}, p95 "
          f"{load['login_alone']['p95_ms']} ms): {'meets' if ok_load else 'MISSES'} the "
          f"target; a cached download: median {hit['median_ms']} ms: "
          f"{'meets' if ok_hit else 'MISSES'} the target")
    return 0 if ok_load and ok_hit else 1


if __name__ == "__main__":
    sys.exit(main())
