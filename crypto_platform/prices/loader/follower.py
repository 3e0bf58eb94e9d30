"""`load --follow`: the loader in continuous mode (the role Snowpipe Streaming had).

Batches are loaded every `loader_follow_interval` seconds. If Kafka or the warehouse fails, the
loader starts over from the offsets the warehouse holds, after a backoff, so nothing is skipped.
Every `loader_report_interval` seconds the batches since the last report are published as one
materialization of `raw_trades` (one event per batch would flood the event log at two a second)
and the status file is rewritten.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from pathlib import Path

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import KafkaSignInError
from crypto_platform.prices.loader.trades_loader import LoadReport, TradesLoader
from crypto_platform.prices.worker_status import write_status

log = logging.getLogger(__name__)


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


async def follow(
    loader: TradesLoader,
    publish: Callable[[LoadReport], None],
    status_file: Path,
    interval: float,
    report_interval: float,
    stop: asyncio.Event | None = None,
) -> None:
    """Run until SIGTERM/SIGINT (or `stop`), publishing what was loaded every `report_interval`.
    Raises KafkaSignInError when Kafka refuses the sign-in (other failures are retried)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(RuntimeError, ValueError):  # not the main thread (tests)
            loop.add_signal_handler(sig, stop.set)
    pending, totals = LoadReport(), LoadReport()

    def on_batch(report: LoadReport) -> None:
        nonlocal pending
        pending = merge(pending, report)

    def report() -> None:
        nonlocal pending, totals
        if pending.batches or pending.conflicts:
            publish(pending)
            log.info(
                "loaded %d rows in %d batches; lag %d",
                pending.rows,
                pending.batches,
                sum(pending.lag.values()),
            )
        totals = merge(totals, pending)
        pending = LoadReport()
        write_status(
            status_file,
            {
                "rows": totals.rows,
                "rejected": totals.rejected,
                "batches": totals.batches,
                "lag": sum(totals.lag.values()),
            },
        )

    async def report_every() -> None:
        while True:
            report()
            await asyncio.sleep(report_interval)

    reporter = asyncio.create_task(report_every())
    backoff = Backoff(1.0, 30.0)
    try:
        while not stop.is_set():
            try:
                await loader.follow(stop, on_batch, interval=interval)
            except KafkaSignInError:  # refused credentials do not heal by retrying
                raise
            except Exception as exc:  # Kafka or the warehouse away: start over from the stored offsets
                delay = backoff.next_delay()
                log.error("loader stopped (%s: %s); restarting in %.1fs", type(exc).__name__, exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), delay)
            else:
                backoff.reset()
    finally:
        reporter.cancel()
        report()
