"""`load --follow`: the loader in continuous mode (the role Snowpipe Streaming had).

Batches are loaded every `loader_follow_interval` seconds. If Kafka or the warehouse fails, the
loader starts over from the offsets the warehouse holds, after a backoff, so nothing is skipped.
Every `loader_report_interval` seconds the batches since the last report are published as one
materialization of `raw_trades` and of each table their transactions keep (one event per batch
would flood the event log at two a second), through the Dagster webserver's REST API, so this
process needs no Dagster of its own; and the status file is rewritten.

Health (the status file, `crypto-platform status`, and the check `loader_progress` in Dagster):
loading or idle; waiting (Kafka or the warehouse does not answer); failing (batches fail, with the
error); stalled (messages wait and no batch has committed for `loader_stall_seconds`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka.errors import KafkaConnectionError
from snowflake.connector.errors import OperationalError

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.dagster_api import DagsterUnavailable, report_materialization
from crypto_platform.clients.kafka import KafkaSignInError
from crypto_platform.prices.health import Health, HealthReport, write_health
from crypto_platform.prices.loader.trades_loader import LoadReport, TradesLoader

log = logging.getLogger(__name__)

UNREACHABLE = (KafkaConnectionError, OperationalError, OSError)
"""Errors that mean a service does not answer (waiting), not that the work fails (failing)."""


KEPT_TABLES = ("ohlcv", "market_state")
"""The assets whose tables each batch's transaction keeps (`warehouse.market_tables.refresh`)."""


def materializations(report: LoadReport) -> dict[str, dict[str, Any]]:
    """Asset key -> metadata of what `load --follow` reports for the batches in `report`."""
    kept = {
        "batches": report.batches,
        "trades_loaded": report.rows,
        "kept_by": "the loader's batch transactions (load --follow)",
    }
    return {"raw_trades": report.metadata(), **dict.fromkeys(KEPT_TABLES, kept)}


def merge(total: LoadReport, batch: LoadReport) -> LoadReport:
    return LoadReport(
        rows=total.rows + batch.rows,
        rejected=total.rejected + batch.rejected,
        batches=total.batches + batch.batches,
        conflicts=total.conflicts + batch.conflicts,
        next_offsets=total.next_offsets | batch.next_offsets,
        end_offsets=total.end_offsets | batch.end_offsets,
        seconds=total.seconds + batch.seconds,
    )


@dataclass
class Tracker:
    """What the follower has done: the batches to publish next, the totals, and its health."""

    stall_seconds: float
    pending: LoadReport = field(default_factory=LoadReport)
    totals: LoadReport = field(default_factory=LoadReport)
    health: Health = field(default_factory=Health)
    last_poll: float = field(default_factory=time.time)  # the loop last fetched (and committed)
    failure: str | None = None  # the last error, while the loop fails
    failure_since: float = 0.0
    unreachable: bool = False

    def batch(self, report: LoadReport) -> None:
        self.pending = merge(self.pending, report)

    def polled(self) -> None:
        self.last_poll, self.failure = time.time(), None

    def failed(self, exc: BaseException) -> None:
        if self.failure is None:
            self.failure_since = time.time()
        self.failure = f"{type(exc).__name__}: {exc}"
        self.unreachable = isinstance(exc, UNREACHABLE)

    def assess(self) -> None:
        if self.failure is not None:
            state = "waiting" if self.unreachable else "failing"
            self.health.set(state, self.failure, self.failure_since)
        elif time.time() - self.last_poll >= self.stall_seconds:
            reason = "no fetch or commit has finished: Kafka or the warehouse hangs"
            self.health.set("stalled", reason, self.last_poll)
        else:
            self.health.set("loading" if self.pending.batches else "idle")


async def follow(
    loader: TradesLoader,
    status_file: Path,
    interval: float,
    report_interval: float,
    stall_seconds: float,
    dagster_api: str | None,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`), publishing what was loaded every `report_interval` to
    the Dagster webserver at `dagster_api` (None: to none). Raises KafkaSignInError when Kafka
    refuses the sign-in (other failures are retried)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(RuntimeError, ValueError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    tracker = Tracker(stall_seconds)
    health_report = HealthReport(dagster_api, "raw_trades", "loader_progress")

    def report() -> LoadReport:
        """Fold the batches since the last report into the totals, rewrite the status file, and
        return those batches."""
        pending = tracker.pending
        if pending.batches or pending.conflicts:
            lag = sum(pending.lag.values())
            log.info("loaded %d rows in %d batches; lag %d", pending.rows, pending.batches, lag)
        tracker.totals = merge(tracker.totals, pending)
        tracker.pending = LoadReport()
        tracker.assess()
        totals = tracker.totals
        counters = {"rows": totals.rows, "rejected": totals.rejected, "batches": totals.batches,
                    "lag": sum(totals.lag.values())}  # fmt: skip
        write_health(status_file, tracker.health, counters)
        return pending

    def publish(pending: LoadReport) -> None:
        """Blocking (HTTP): the batches as materializations, and the health if it changed."""
        if dagster_api is not None and (pending.batches or pending.conflicts):
            try:
                for asset, metadata in materializations(pending).items():
                    report_materialization(dagster_api, asset, metadata)
            except DagsterUnavailable as exc:  # informational: the next report covers later batches
                log.warning("could not report the load to Dagster (%s)", exc)
        health_report.send(tracker.health)

    async def report_every() -> None:
        while True:
            await asyncio.to_thread(publish, report())
            await asyncio.sleep(report_interval)

    reporter = asyncio.create_task(report_every())
    backoff = Backoff(1.0, 30.0)
    try:
        while not stop.is_set():
            try:
                await loader.load_continuously(stop, tracker.batch, interval, on_poll=tracker.polled)
            except KafkaSignInError:  # refused credentials do not heal by retrying
                raise
            except Exception as exc:  # Kafka or the warehouse away: start over from the stored offsets
                tracker.failed(exc)
                delay = backoff.next_delay()
                log.error("loader stopped (%s); restarting in %.1fs", tracker.failure, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
            else:
                backoff.reset()
    finally:
        reporter.cancel()
        publish(report())
