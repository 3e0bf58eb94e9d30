"""Small JSON status files under `.local/run/` that long-running services rewrite and `status` reads."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

# The counters each worker's status file holds that `crypto-platform status` and the dashboard show.
COUNTERS = {
    "producer": ("frames", "trades", "produced", "dead_lettered", "reconnects", "dropped_frames"),
    "loader": ("rows", "rejected", "batches", "lag"),
}


def status_path(home: Path, worker: str) -> Path:
    """Where the worker `worker` (producer, loader) keeps its status under the platform's home."""
    return home / "run" / f"{worker}.status.json"


def write_status(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically (readers never see half of it), stamped with time and PID."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({**data, "updated_at": time.time(), "pid": os.getpid()}))
    tmp.replace(path)


def read_status(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def is_current(path: Path, pid: int | None, max_age: float) -> bool:
    """Whether the process `pid` wrote the file within the last `max_age` seconds."""
    status = read_status(path)
    return status is not None and status.get("pid") == pid and time.time() - status["updated_at"] < max_age
