"""The trades of past days from a venue's REST trade history: the backfill of `<feed>_trade_history`.

A UTC day of a feed symbol is the ids from its first trade at or after 00:00 to the one before the
first trade at or after the next 00:00 (the feed module's `first_id_at`). The ids of that day
already in RAW.TRADES (the live feed's, a repair's, an earlier backfill's) are not fetched again;
the holes between them are, with the feed's `history`, at most MAX_REPAIR_TRADES ids at a time, and
sent the way repairs send (`repair.send`: canonical trades marked `from_history`, through Kafka and
the exactly-once loader, which keeps one row per trade id in CORE.TRADES whatever arrives twice).
"""

from __future__ import annotations

import asyncio
import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import ModuleType

import httpx
from snowflake.connector import SnowflakeConnection

from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.prices.producer.feeds.base import Missing
from crypto_platform.prices.repair import MAX_REPAIR_TRADES, send
from crypto_platform.prices.symbols import STANDARD
from crypto_platform.warehouse.gap_tables import LoadedRun, loaded_runs

DAY_MS = 86_400_000


class DayNotOver(ValueError):
    """A day whose last trade id cannot be known yet: no trade of the symbol has followed it."""


@dataclass(frozen=True)
class DayFill:
    """One feed symbol's UTC day: the trades the venue had (by id), those already loaded, and those
    fetched and sent now."""

    feed_symbol: str
    day: date
    traded: int
    loaded: int
    sent: int


def day_start_ms(day: date) -> int:
    return calendar.timegm(day.timetuple()) * 1000


def day_ids(
    feed: ModuleType, client: httpx.Client, base: str, feed_symbol: str, day: date
) -> tuple[int, int] | None:
    """The first and last trade id of `feed_symbol` on UTC `day`; None when it had no trade. Raises
    DayNotOver when nothing has traded after the day yet."""
    start_ms = day_start_ms(day)
    first = feed.first_id_at(client, base, feed_symbol, start_ms)
    if first is None:
        return None
    after = feed.first_id_at(client, base, feed_symbol, start_ms + DAY_MS)
    if after is None:
        raise DayNotOver(f"{feed_symbol}: no trade after {day} yet, so the day's last trade id is not known")
    return (first, after - 1) if after > first else None


def holes(feed_symbol: str, ids: tuple[int, int], start_ms: int, runs: list[LoadedRun]) -> list[Missing]:
    """The ids in `ids` (first, last) outside `runs` (lowest first), each hole from the time of the
    trade before it (`start_ms`, the day's start, for a hole at the beginning)."""
    found, next_id, since = [], ids[0], start_ms
    for run in runs:
        if run.first_id > next_id:
            found.append(Missing(feed_symbol, next_id, run.first_id - 1, since))
        next_id, since = max(next_id, run.last_id + 1), run.last_ts_ms
    if next_id <= ids[1]:
        found.append(Missing(feed_symbol, next_id, ids[1], since))
    return found


def fetch_and_send(
    feed: ModuleType, client: httpx.Client, base: str, hole: Missing, kafka: KafkaConnection, topic: str,
    simulated: bool,
) -> int:  # fmt: skip
    """Fetch `hole` at most MAX_REPAIR_TRADES ids at a time (so memory holds one part), send each
    part, and return how many trades Kafka acknowledged."""
    sent, since = 0, hole.start_ms
    for low in range(hole.first_id, hole.last_id + 1, MAX_REPAIR_TRADES):
        part = Missing(hole.feed_symbol, low, min(low + MAX_REPAIR_TRADES - 1, hole.last_id), since)
        trades = feed.history(client, base, part, simulated, STANDARD)
        sent += asyncio.run(send(kafka, topic, trades))
        since = trades[-1].trade_ts_ms if trades else since
    return sent


def backfill_day(
    feed: ModuleType, client: httpx.Client, base: str, conn: SnowflakeConnection, feed_symbol: str,
    day: date, kafka: KafkaConnection, topic: str, simulated: bool,
) -> DayFill:  # fmt: skip
    """Send the trades of `feed_symbol`'s UTC `day` that the warehouse lacks (the feed module's name,
    as in FEEDS, is their source). Raises DayNotOver, httpx.HTTPError, RetriesExhausted or BadFrame
    (the venue did not answer as documented); a run that fails part way sends again what it sent,
    which the loader absorbs."""
    ids = day_ids(feed, client, base, feed_symbol, day)
    if ids is None:
        return DayFill(feed_symbol, day, 0, 0, 0)
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    source = feed.__name__.rpartition(".")[2]
    runs = loaded_runs(conn, source, feed_symbol, ids, start, start + timedelta(days=1))
    loaded = sum(run.last_id - run.first_id + 1 for run in runs)
    sent = sum(
        fetch_and_send(feed, client, base, hole, kafka, topic, simulated)
        for hole in holes(feed_symbol, ids, day_start_ms(day), runs)
    )
    return DayFill(feed_symbol, day, ids[1] - ids[0] + 1, loaded, sent)
