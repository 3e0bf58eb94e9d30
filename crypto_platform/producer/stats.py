"""The producer's counters, reported in its log and in a status file that `crypto-platform status` reads."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class ProducerStats:
    frames: int = 0  # frames received from the feed
    trades: int = 0  # valid trades parsed from them
    produced: int = 0  # trades acknowledged by Kafka
    dead_lettered: int = 0  # bad frames or items acknowledged on the dead-letter topic
    pings: int = 0
    feed_errors: int = 0  # the feed's own error frames
    reconnects: int = 0
    gaps: int = 0
    gap_seconds: float = 0.0
    dropped_frames: int = 0  # frames lost because the buffer stayed full (Kafka down too long)
    send_retries: int = 0  # Kafka sends that failed and were queued again

    def summary(self) -> str:
        return " ".join(
            f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in asdict(self).items()
        )

    def write(self, path: Path, **extra: object) -> None:
        """Replace the status file atomically, so readers never see half of it."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({**asdict(self), **extra, "updated_at": time.time(), "pid": os.getpid()}))
        tmp.replace(path)


def read_status(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None
