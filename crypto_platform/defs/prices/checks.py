"""Asset checks of the prices domain.

Severity and blocking, per check:
- `raw_trades_unique_offsets` (ERROR, blocking): a doubled Kafka message breaks the exactly-once
  rule; nothing downstream should be built on it until it is understood.
- `raw_trades_valid_prices` (ERROR, blocking): a missing or non-positive price poisons every
  candle and P/L figure.
- `raw_trades_fresh` (WARN): no new trade for `TRADES_FRESHNESS_SECONDS` means the producer or the
  loader has stopped; worth an alert, not worth failing a run.
- `ohlcv_consistent` (ERROR, not blocking): candles out of their range, or not adding up to the
  trades, point at a broken view; the trades themselves are fine.
"""

from __future__ import annotations

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.checks import none_found_check
from crypto_platform.settings import get_settings
from crypto_platform.warehouse.sql import query, scalar_row

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


@dg.asset_check(asset="ohlcv", description="low <= open, close <= high, and candles add up to the trades.")
def ohlcv_consistent(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
    with snowflake.get_connection() as conn:
        out_of_range, mismatched = scalar_row(conn, query("check_ohlcv_inconsistent"))
    return dg.AssetCheckResult(
        passed=out_of_range == 0 and mismatched == 0,
        metadata={"candles_out_of_range": out_of_range, "totals_mismatched": mismatched},
    )


checks = [raw_trades_unique_offsets, raw_trades_valid_prices, raw_trades_fresh, ohlcv_consistent]
