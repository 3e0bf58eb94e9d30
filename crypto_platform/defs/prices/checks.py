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
- `producer_progress` on the topic and `loader_progress` (ERROR): healthy means progressing. The
  producer and the loader record their own state here as it changes (waiting, failing, stalled,
  with the reason); `kafka_lag_sensor` also judges them from the data every 30 s (no trade reaching
  the topic; messages waiting while no offset advances), which catches a worker that died or hangs.
  Neither is on `checks_sensor`: `kafka_lag_sensor` evaluates them without a run.
"""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.checks import none_found_check
from crypto_platform.defs.prices.resources import KafkaResource, LoaderResource, ProducerResource
from crypto_platform.prices.health import DataHealth, loader_health_from_data, producer_health_from_data
from crypto_platform.prices.loader.lag import Lag, measure_lag
from crypto_platform.warehouse.price_tables import offsets_age_seconds, stored_offsets
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


checks = [raw_trades_unique_offsets, raw_trades_valid_prices, raw_trades_fresh, ohlcv_consistent]


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


def check_result(health: DataHealth) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=health.passed, description=health.description, metadata=health.metadata)


progress_checks = [producer_progress, loader_progress]
