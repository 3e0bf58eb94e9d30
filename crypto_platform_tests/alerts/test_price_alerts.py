"""Price alerts as their checks judge them, against the local warehouse: a symbol without any price
fails once its grace period is over, and prices are written with the dashboard's precision."""

from __future__ import annotations

import time

import dagster as dg
import pytest

from crypto_platform.alerts.config import parse
from crypto_platform.defs.alerts.checks import price_alert_check
from crypto_platform.defs.prices.assets import processed_assets, raw_trades
from crypto_platform.settings import Settings
from crypto_platform_tests.prices.helpers import produce, resources, trade

pytestmark = pytest.mark.stack


def alert(symbol: str, condition: str) -> str:
    return f"""
channels: {{table: {{type: table}}}}
price_alerts:
  - {{name: a, symbol: {symbol}, {condition}, channels: [table], no_price_minutes: 15}}
"""


def test_a_symbol_that_never_has_a_price_fails_after_its_grace_period(fresh: Settings) -> None:
    """It used to pass forever with "No price for X yet." (a well-formed symbol no feed brings)."""
    clock = [1_767_225_600.0]  # 2026-01-01 00:00:00 UTC
    check = price_alert_check(parse(alert("PEPE-USD", "above: 1")).price_alerts[0], now=lambda: clock[0])
    snowflake = resources(fresh)["snowflake"]
    first = check(snowflake=snowflake)
    assert first.passed and first.description == "No price for PEPE-USD since 2026-01-01 00:00:00 UTC."
    clock[0] += 14 * 60
    assert check(snowflake=snowflake).passed
    clock[0] += 2 * 60
    late = check(snowflake=snowflake)
    assert not late.passed and late.severity == dg.AssetCheckSeverity.WARN
    assert late.description == "No price for PEPE-USD since 2026-01-01 00:00:00 UTC."


def test_a_small_price_is_written_with_the_digits_that_show_it(fresh: Settings) -> None:
    """A SHIB-USD alert used to read "SHIB-USD is 0.00: below 0.000024."."""
    produce(fresh, [trade("SHIB-USD", "0.00002345", "1000000", time.time_ns() // 1_000_000)])
    assert dg.materialize([raw_trades, *processed_assets], resources=resources(fresh)).success
    check = price_alert_check(parse(alert("SHIB-USD", "below: 0.000024")).price_alerts[0])
    result = check(snowflake=resources(fresh)["snowflake"])
    assert not result.passed
    assert result.description == "SHIB-USD is 0.00002345: below 0.000024."
