"""The producer's and the loader's health and counters: a small JSON file under `.local/run/` that
each rewrites every report interval, read by `crypto-platform status`, the local stack and the
dashboard's Pipeline page.

Healthy means alive and progressing (docs/prices.md, "Health"). A worker is in one state at a time,
with the reason and the time it entered it (epoch seconds):
- progressing: `producing` or `loading`, or `idle` (nothing to do);
- not: `starting`, `waiting` (a service it needs does not answer: it retries with backoff),
  `failing` (its work fails again and again), `stalled` (work is waiting and none gets done).
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crypto_platform.clients.dagster_api import DagsterUnavailable, report_check

log = logging.getLogger(__name__)
PROGRESSING = frozenset({"producing", "loading", "idle"})

# The counters each worker's status file holds that `crypto-platform status` and the dashboard show.
COUNTERS = {
    "producer": ("frames", "trades", "produced", "dead_lettered", "reconnects", "dropped_frames"),
    "loader": ("rows", "rejected", "batches", "lag"),
}
FEED_COUNTERS = ("trades", "produced", "dead_lettered", "reconnects", "gaps", "gap_seconds", "dropped_frames")
"""The counters of each feed of the producer (its status file's `feeds`) that they show too."""


@dataclass
class Health:
    """A worker's current state, its reason, and since when (epoch seconds)."""

    state: str = "starting"
    reason: str = ""
    since: float = field(default_factory=time.time)

    def set(self, state: str, reason: str = "", since: float | None = None) -> bool:
        """Enter `state` with `reason`; returns whether the state changed (`since` restarts then, at
        `since` when the problem is known to be older, else now)."""
        changed = state != self.state
        if changed:
            self.since = since or time.time()
        self.state, self.reason = state, reason
        return changed

    @property
    def progressing(self) -> bool:
        return self.state in PROGRESSING

    def describe(self) -> str:
        """`failing since 2026-11-29 19:06:10 UTC (2 min): <reason>`, or just the state."""
        if self.progressing:
            return self.state
        when = datetime.fromtimestamp(self.since, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        text = f"{self.state} since {when} ({_duration(time.time() - self.since)})"
        return f"{text}: {self.reason}" if self.reason else text


def feed_check_name(feed: str) -> str:
    """The Dagster check a producer's feed records its health in: `binance_feed_progress`."""
    return f"{feed}_feed_progress"


def health_file(home: Path, worker: str) -> Path:
    """Where the worker `worker` (producer, loader) keeps its status under the platform's home."""
    return home / "run" / f"{worker}.health.json"


def write_health(path: Path, health: Health, counters: dict[str, Any]) -> None:
    """Replace the file atomically (readers never see half of it), stamped with time and PID."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    body = {**counters, **asdict(health), "updated_at": time.time(), "pid": os.getpid()}
    tmp.write_text(json.dumps(body))
    tmp.replace(path)


def read_health(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def health_of(status: dict[str, Any]) -> Health:
    """The Health a status file records."""
    return Health(status.get("state", "starting"), status.get("reason", ""), status.get("since", 0.0))


def is_current(status: dict[str, Any] | None, pid: int | None, max_age: float) -> bool:
    """Whether the process `pid` wrote `status` within the last `max_age` seconds."""
    return status is not None and status.get("pid") == pid and time.time() - status["updated_at"] < max_age


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


class HealthReport:
    """A worker's health in the Dagster UI: each change of state is recorded as an evaluation of the
    check `check` on `asset` (passed while progressing), through the webserver's REST API. A report
    the webserver does not take is tried again at the next call."""

    def __init__(self, dagster_api: str | None, asset: str, check: str) -> None:
        self.dagster_api, self.asset, self.check = dagster_api, asset, check
        self._sent: str | None = None  # the state last recorded ("progressing" for any of those)

    def send(self, health: Health) -> None:
        """Blocking (an HTTP request): call it from a thread of its own in an event loop."""
        state = "progressing" if health.progressing else health.state
        if self.dagster_api is None or state in (self._sent, "starting"):
            return
        # The REST API takes no description: the sentence goes in the metadata, where the alert
        # sensor and the Pipeline page look when an evaluation has none.
        metadata = {"state": health.state, "reason": health.reason, "description": health.describe()}
        try:
            report_check(self.dagster_api, self.asset, self.check, health.progressing, metadata)
        except DagsterUnavailable as exc:
            log.warning("could not record %s in Dagster (%s); will try again", self.check, exc)
            return
        self._sent = state


# ---- health judged from the data alone ------------------------------------------------------
# The workers record their own state in the checks `producer_progress` and `loader_progress`, with
# their reasons; these judge the same from the topic and the warehouse, which catches what a worker
# cannot say itself (it died, or it hangs).


@dataclass(frozen=True)
class DataHealth:
    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def loader_health_from_data(
    lag: int, seconds_since_advance: float | None, stall_seconds: float
) -> DataHealth:
    """Stalled when messages wait (`lag`) and no partition's offset advanced for `stall_seconds`."""
    metadata = {"lag": lag, "seconds_since_offsets_advanced": seconds_since_advance, "source": "data"}
    if lag and (seconds_since_advance is None or seconds_since_advance >= stall_seconds):
        since = "never" if seconds_since_advance is None else f"for {seconds_since_advance:.0f} s"
        return DataHealth(False, f"stalled: {lag} message(s) wait and no offset advanced {since}", metadata)
    return DataHealth(True, f"loading: {lag} message(s) wait", metadata)


def feed_health_from_data(feed: str, seconds_since_newest: float | None, stall_seconds: float) -> DataHealth:
    """Stalled when no trade of `feed` the producer received in the last `stall_seconds` has reached
    RAW.TRADES (a loader that lags fails this too: its own check says so)."""
    metadata = {"seconds_since_newest_trade": seconds_since_newest, "source": "data"}
    if seconds_since_newest is None or seconds_since_newest >= stall_seconds:
        since = "in the last hour" if seconds_since_newest is None else f"for {seconds_since_newest:.0f} s"
        return DataHealth(False, f"stalled: no trade from {feed} reached RAW.TRADES {since}", metadata)
    return DataHealth(True, f"producing: newest {feed} trade {seconds_since_newest:.0f} s old", metadata)


def producer_health_from_data(seconds_since_newest: float | None, stall_seconds: float) -> DataHealth:
    """Stalled when no message reached the topic for `stall_seconds` (a live market trades every
    second; the simulator many times a second)."""
    metadata = {"seconds_since_newest_message": seconds_since_newest, "source": "data"}
    if seconds_since_newest is None or seconds_since_newest >= stall_seconds:
        since = "ever" if seconds_since_newest is None else f"for {seconds_since_newest:.0f} s"
        return DataHealth(False, f"stalled: no trade written to the topic {since}", metadata)
    return DataHealth(True, f"producing: newest trade {seconds_since_newest:.0f} s old", metadata)
