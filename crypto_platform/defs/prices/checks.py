"""Asset checks of the prices domain.

Severity and blocking, per check:
- `raw_trades_unique_offsets` (ERROR, blocking): a doubled Kafka message breaks the exactly-once
  rule; nothing downstream should be built on it until it is understood.
- `raw_trades_valid_prices` (ERROR, blocking): a missing or non-positive price poisons every
  candle and P/L figure.
- `raw_trades_fresh` (WARN): no new trade for `TRADES_FRESHNESS_SECONDS` means the producer or the
  loader has stopped; worth an alert, not worth failing a run.
- `ohlcv_consistent` (ERROR, not blocking): candles of the last `OHLCV_CHECK_HOURS` hours that
  differ from a recomputation from CORE.TRADES point at a broken refresh (or a hand edit); the
  trades themselves are fine, and materializing `ohlcv` rebuilds the candles from them.
- `<feed>_trades_complete` (WARN), one per feed: no gap in its live trades of the last
  `COMPLETENESS_HOURS` hours is open or unrepairable (OPS.TRADE_GAPS); it names them. A gap being
  repaired fails it for the minute that takes; one the venue's history cannot fill (Finnhub has
  none) fails it until it is older than the window. A warning: the trades that did arrive are
  right, and the candles of those minutes say what they hold.
- `producer_progress` on the topic, `<feed>_feed_progress` per feed of PRODUCER_FEEDS, and
  `loader_progress` (ERROR): healthy means progressing. The producer (for each feed: several
  producers may run, one per feed) and the loader record their own state here as it changes
  (waiting, failing, stalled, with the reason); `kafka_lag_sensor` also judges them from the data
  every 30 s (no trade reaching the topic; no recent trade of a feed in RAW.TRADES; messages waiting
  while no offset advances), which catches a worker that died or hangs. `producer_progress` is
  judged from the topic only.
  Neither is on `checks_sensor`: `kafka_lag_sensor` evaluates them without a run.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.checks import none_found_check
from crypto_platform.defs.prices.resources import KafkaResource, LoaderResource, ProducerResource
from crypto_platform.defs.structure import SETTINGS
from crypto_platform.prices.health import (
    DataHealth,
    feed_check_name,
    feed_health_from_data,
    loader_health_from_data,
    producer_health_from_data,
)
from crypto_platform.prices.loader.lag import Lag, measure_lag
from crypto_platform.warehouse.gap_tables import Gap, gaps
from crypto_platform.warehouse.price_tables import (
    feeds_newest_age_seconds,
    offsets_age_seconds,
    stored_offsets,
)
from crypto_platform.warehouse.sql import query, run_query, scalar_row

raw_trades_unique_offsets = none_found_check(
    "raw_trades", "raw_trades_unique_offsets", "check_raw_trades_duplicate_offsets", "duplicated_offsets",
    "No Kafka message is loaded twice.", blocking=True,
)  # fmt: skip
raw_trades_valid_prices = none_found_check(
    "raw_trades", "raw_trades_valid_prices", "check_raw_trades_bad_prices", "bad_prices",
    "Every price is present and positive.", blocking=True,
)  # fmt: skip


@dg.asset_check(asset="raw_trades", description="The newest trade is recent while the producer runs.")
def raw_trades_fresh(snowflake: SnowflakeResource, loader: LoaderResource) -> dg.AssetCheckResult:
    limit = loader.freshness_seconds
    with snowflake.get_connection() as conn:
        count, age = scalar_row(conn, query("check_raw_trades_newest_age"))
    return dg.AssetCheckResult(
        passed=count > 0 and age is not None and age <= limit,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={
            "trades": count,
            "newest_trade_age_seconds": age if age is not None else -1,
            "limit": limit,
        },
    )


OHLCV_CHECK_HOURS = 2
"""How many whole hours of candles, up to the newest trade, `ohlcv_consistent` recomputes."""


@dg.asset_check(
    asset="ohlcv",
    description=f"The 1m, 5m and 1h candles of the last {OHLCV_CHECK_HOURS} hours equal a recomputation "
    "from CORE.TRADES.",
)
def ohlcv_consistent(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
    with snowflake.get_connection() as conn:
        (newest,) = scalar_row(conn, query("check_ohlcv_newest"))
        if newest is None:
            return dg.AssetCheckResult(passed=True, metadata={"candles_compared": 0})
        since = newest.replace(minute=0, second=0, microsecond=0) - timedelta(hours=OHLCV_CHECK_HOURS - 1)
        compared, mismatched = run_query(conn, query("check_ohlcv_recent"), {"since": since}).rows[0]
    return dg.AssetCheckResult(
        passed=mismatched == 0,
        metadata={
            "since": dg.MetadataValue.text(f"{since:%Y-%m-%d %H:%M} UTC"),
            "candles_compared": int(compared),
            "candles_mismatched": int(mismatched),
        },
    )


COMPLETENESS_HOURS = 6
"""How many hours back `<feed>_trades_complete` looks for gaps not repaired."""


def gap_text(gap: Gap) -> str:
    """`BTCUSDT 2026-01-01 12:00:01-12:00:31 UTC, ids 100-250 (open)`; a whole feed's silence reads
    `every symbol` in place of the feed symbol."""
    ids = f", ids {gap.first_missing_id}-{gap.last_missing_id}" if gap.first_missing_id is not None else ""
    span = f"{gap.start_ts:%Y-%m-%d %H:%M:%S}-{gap.end_ts:%H:%M:%S} UTC"
    return f"{gap.feed_symbol or 'every symbol'} {span}{ids} ({gap.state})"


def completeness(feed: str) -> dg.AssetChecksDefinition:
    """The check `<feed>_trades_complete`."""

    @dg.asset_check(
        asset="raw_trades",
        name=f"{feed}_trades_complete",
        description=f"No gap in the {feed} feed's trades of the last {COMPLETENESS_HOURS} h is unrepaired.",
    )
    def _check(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
        with snowflake.get_connection() as conn:
            found = gaps(conn, datetime.now(UTC) - timedelta(hours=COMPLETENESS_HOURS), source=feed)
        unrepaired = [g for g in found if g.state != "repaired"]
        shown = "; ".join(gap_text(g) for g in unrepaired[:5]) + ("; ..." if len(unrepaired) > 5 else "")
        return dg.AssetCheckResult(
            passed=not unrepaired,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{len(unrepaired)} gap(s) not repaired: {shown}" if unrepaired else None,
            metadata={
                "gaps": len(found),
                "open": sum(g.state == "open" for g in found),
                "unrepairable": sum(g.state == "unrepairable" for g in found),
                "trades_recovered": sum(g.recovered or 0 for g in found),
            },
        )

    return _check


completeness_checks = {feed: completeness(feed) for feed in SETTINGS.producer_feeds}
checks = [
    raw_trades_unique_offsets, raw_trades_valid_prices, raw_trades_fresh, ohlcv_consistent,
    *completeness_checks.values(),
]  # fmt: skip


def loader_state(
    snowflake: SnowflakeResource, kafka: KafkaResource
) -> tuple[dict[int, int], Lag, float | None]:
    """The stored offsets, the lag behind the topic, and the seconds since an offset last advanced."""
    with snowflake.get_connection() as conn:
        stored = stored_offsets(conn, kafka.topic_trades)
        age = offsets_age_seconds(conn, kafka.topic_trades)
    return stored, asyncio.run(measure_lag(kafka, kafka.topic_trades, stored)), age


def seconds_since_newest(lag: Lag) -> float | None:
    """Seconds since the newest message reached the trades topic (None: it holds none)."""
    return None if lag.newest_ts_ms is None else max(0.0, time.time() - lag.newest_ts_ms / 1000)


@dg.asset_check(
    asset="raw_trades", description="The loader is progressing: no message waits on a stalled loader."
)
def loader_progress(
    snowflake: SnowflakeResource, kafka: KafkaResource, loader: LoaderResource
) -> dg.AssetCheckResult:
    _, lag, age = loader_state(snowflake, kafka)
    return check_result(loader_health_from_data(lag.total, age, loader.stall_seconds))


@dg.asset_check(
    asset="crypto_trades_topic", description="The producer is progressing: trades reach the topic."
)
def producer_progress(kafka: KafkaResource, producer: ProducerResource) -> dg.AssetCheckResult:
    lag = asyncio.run(measure_lag(kafka, kafka.topic_trades, {}))
    return check_result(producer_health_from_data(seconds_since_newest(lag), producer.stall_seconds))


FEED_WINDOW = timedelta(hours=1)
"""How far back `feeds_health` looks for each feed's newest trade."""


def feeds_health(
    snowflake: SnowflakeResource, feeds: list[str], stall_seconds: float
) -> dict[str, DataHealth]:
    """Each feed's health judged from RAW.TRADES: its newest trade of the last hour."""
    with snowflake.get_connection() as conn:
        ages = feeds_newest_age_seconds(conn, datetime.now(UTC) - FEED_WINDOW)
    return {feed: feed_health_from_data(feed, ages.get(feed), stall_seconds) for feed in feeds}


def feed_progress(feed: str) -> dg.AssetChecksDefinition:
    """The check `<feed>_feed_progress`: the feed's trades reach the warehouse."""

    @dg.asset_check(
        asset="crypto_trades_topic",
        name=feed_check_name(feed),
        description=f"The producer's {feed} feed is progressing: its trades reach RAW.TRADES.",
    )
    def _check(snowflake: SnowflakeResource, producer: ProducerResource) -> dg.AssetCheckResult:
        return check_result(feeds_health(snowflake, [feed], producer.stall_seconds)[feed])

    return _check


def check_result(health: DataHealth) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=health.passed, description=health.description, metadata=health.metadata)


feed_checks = {feed: feed_progress(feed) for feed in SETTINGS.producer_feeds}
"""The check of each feed of PRODUCER_FEEDS (the location's shape: read when it loads)."""
progress_checks = [producer_progress, loader_progress, *feed_checks.values()]
