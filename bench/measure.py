"""What the benchmarks share: an app on a fresh database, a free port, stopping the
server, and percentiles.

The benchmarks run as scripts (`python bench/bench_x.py`), so this folder is on their
import path.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
from typing import Any


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile of values (seconds), in milliseconds."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return round(ordered[rank] * 1000, 1)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """End a server started in its own process group: asked to stop, then made to."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def bench_app(config: dict[str, Any] | None = None, *, demo: bool = False,
              folder: str | None = None) -> Any:
    """An app on a fresh SQLite file in its own instance folder (a new temporary one
    unless `folder` is given), its tables made, with the demo's data when `demo`."""
    os.environ["CRM_INSTANCE_PATH"] = folder or tempfile.mkdtemp(prefix="crm-bench-")
    os.environ.pop("DATABASE_URL", None)
    from assessment.app import create_app
    from assessment.demo import create_demo
    from assessment.extensions import db
    from assessment.web import get_catalog

    app = create_app(config or {"SECRET_KEY": "bench"})
    with app.app_context():
        db.create_all()
        if demo:
            create_demo(get_catalog(app))
            db.session.commit()
    return app
