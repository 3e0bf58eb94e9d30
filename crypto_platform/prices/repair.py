"""Repairing the gaps in a feed's live trades from the venue's trade history.

A repair fetches exactly each gap's missing trades (the feed module's `history`: paged, 429s waited
out) and sends them to the trades topic the way live trades go, canonical and marked
`from_history`, through the same idempotent sink; the exactly-once loader then loads them, and the
candles, latest prices and 24-hour statistics take them in as late trades. A trade that arrives
twice (two repairs of one gap, a repair overlapping the live feed) is one row of CORE.TRADES. Then
each gap is settled: `repaired` with the count when every missing id came back, else `unrepairable`
with how many did.
"""

from __future__ import annotations

import asyncio
import calendar
from dataclasses import dataclass
from types import ModuleType

import httpx

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.prices.producer.counters import ProducerCounters
from crypto_platform.prices.producer.feeds.base import Missing
from crypto_platform.prices.producer.sink import KafkaSink
from crypto_platform.prices.symbols import STANDARD
from crypto_platform.prices.trade import Trade
from crypto_platform.warehouse.gap_tables import Gap

NO_HISTORY = "the feed serves no trade history"
HTTP_TIMEOUT_SECONDS = 30.0
MAX_REPAIR_TRADES = 100_000
"""The most trades one gap's repair fetches (one symbol's: hours of BTC-USD on Coinbase)."""


@dataclass(frozen=True)
class Settled:
    """What became of one gap: its new state, the trades recovered, and why when it is not repaired."""

    gap_id: str
    state: str
    recovered: int | None
    detail: str | None

    def row(self) -> tuple[str, str, int | None, str | None]:
        return self.gap_id, self.state, self.recovered, self.detail


def has_history(feed: ModuleType) -> bool:
    return hasattr(feed, "history")


def history_base(feed: ModuleType, simulator_url: str | None) -> str:
    """Where `feed`'s REST trade history answers: the venue's, or the simulator's in its place."""
    return f"{simulator_url}{feed.SIMULATOR_REST_PATH}" if simulator_url else feed.REST_URL


def missing(gap: Gap) -> Missing:
    """The ids and start of a gap, as the feed's `history` takes them."""
    assert gap.first_missing_id is not None and gap.last_missing_id is not None, "a gap without ids"
    start_ms = calendar.timegm(gap.start_ts.timetuple()) * 1000 + gap.start_ts.microsecond // 1000
    return Missing(gap.feed_symbol, gap.first_missing_id, gap.last_missing_id, start_ms)


def repair(
    feed: ModuleType, base: str, gaps: list[Gap], kafka: KafkaConnection, topic: str, simulated: bool
) -> list[Settled]:
    """Fetch and send each gap's trades, one gap at a time (so memory holds one gap's at most), and
    say how each is to be settled. A gap of more than MAX_REPAIR_TRADES trades is left unrepairable
    (a long outage is a backfill of its days, not a repair). Raises httpx.HTTPError,
    RetriesExhausted or BadFrame when the venue will not answer as documented: the run fails, its
    gaps stay open, and the next run sends again what this one sent (CORE.TRADES keeps one copy)."""
    results = []
    with httpx.Client(timeout=HTTP_TIMEOUT_SECONDS) as client:
        for gap in gaps:
            if (gap.missing or 0) > MAX_REPAIR_TRADES:
                detail = f"{gap.missing:,} missing trades, more than {MAX_REPAIR_TRADES:,} a repair fetches"
                results.append(Settled(gap.gap_id, "unrepairable", None, detail))
                continue
            trades = feed.history(client, base, missing(gap), simulated, STANDARD)
            asyncio.run(send(kafka, topic, trades))
            results.append(settled(gap, len(trades)))
    return results


async def send(kafka: KafkaConnection, topic: str, trades: list[Trade]) -> int:
    """Send `trades` to `topic` and wait until Kafka acknowledged every one; returns the count."""
    counters = ProducerCounters()
    sink = KafkaSink(kafka, Backoff(0.5, 10.0))
    await sink.start()
    try:
        await sink.send(topic, [(t.key(), t.to_json()) for t in trades], counters)
        await sink.flush()
    finally:
        await sink.close(timeout=5)
    return counters.produced


def settled(gap: Gap, recovered: int) -> Settled:
    if recovered == gap.missing:
        return Settled(gap.gap_id, "repaired", recovered, None)
    detail = f"the history held {recovered} of {gap.missing} missing trades"
    return Settled(gap.gap_id, "unrepairable", recovered, detail)
