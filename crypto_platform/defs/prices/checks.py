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
"""

from __future__ import annotations

from datetime import timedelta

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.checks import none_found_check
from crypto_platform.settings import get_settings
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
def raw_trades_fresh(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
    limit = get_settings().trades_freshness_seconds
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
