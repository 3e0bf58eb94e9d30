"""Each prices check passes on good data and fails on data made to break it."""

from __future__ import annotations

import time

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import processed_assets, raw_trades
from crypto_platform.defs.prices.checks import (
    ohlcv_consistent,
    raw_trades_fresh,
    raw_trades_unique_offsets,
    raw_trades_valid_prices,
)
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.prices.helpers import produce, resources, trade

pytestmark = pytest.mark.stack

CHECKS = [raw_trades_unique_offsets, raw_trades_valid_prices, raw_trades_fresh, ohlcv_consistent]


def evaluate(settings: Settings) -> dict[str, dg.AssetCheckEvaluation]:
    result = dg.materialize(
        [raw_trades, *processed_assets, *CHECKS],
        resources=resources(settings),
        selection=dg.AssetSelection.checks(*CHECKS),
        raise_on_error=False,
    )
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def execute(settings: Settings, sql: str) -> None:
    with connect(settings) as conn:
        run_query(conn, sql)


@pytest.fixture
def loaded(fresh: Settings) -> Settings:
    now_ms = time.time_ns() // 1_000_000
    produce(fresh, [trade("BTC-USD", str(95000 + i), "0.1", now_ms - 1000 * i) for i in range(50)])
    assert dg.materialize([raw_trades, *processed_assets], resources=resources(fresh)).success
    return fresh


def test_all_pass_on_good_data(loaded: Settings) -> None:
    assert {name: e.passed for name, e in evaluate(loaded).items()} == dict.fromkeys(
        ["raw_trades_unique_offsets", "raw_trades_valid_prices", "raw_trades_fresh", "ohlcv_consistent"], True
    )


def test_duplicate_offsets_and_bad_prices_fail_with_error(loaded: Settings) -> None:
    execute(loaded, "insert into RAW.TRADES select * from RAW.TRADES limit 1")
    execute(
        loaded,
        "update RAW.TRADES set PRICE = 0 where KAFKA_OFFSET = (select min(KAFKA_OFFSET) from RAW.TRADES)",
    )
    evaluations = evaluate(loaded)
    for name in ("raw_trades_unique_offsets", "raw_trades_valid_prices"):
        assert not evaluations[name].passed and evaluations[name].severity == dg.AssetCheckSeverity.ERROR
    assert evaluations["raw_trades_unique_offsets"].metadata["duplicated_offsets"].value >= 1


def test_stale_trades_warn(loaded: Settings) -> None:
    execute(loaded, "update RAW.TRADES set TRADE_TS = DATEADD(HOUR, -1, TRADE_TS)")
    fresh = evaluate(loaded)["raw_trades_fresh"]
    assert not fresh.passed and fresh.severity == dg.AssetCheckSeverity.WARN


def broken_candles(
    settings: Settings, open_: str = "OPEN", volume: str = "VOLUME"
) -> dg.AssetCheckEvaluation:
    """Evaluate ohlcv_consistent on candles with OPEN or VOLUME replaced by the given expression."""
    execute(settings, "create table CORE.OHLCV_BASE as select * from CORE.OHLCV")
    execute(
        settings,
        f"create or replace view CORE.OHLCV as select SYMBOL, TIMEFRAME, BUCKET_START, {open_} as OPEN, "
        f"HIGH, LOW, CLOSE, {volume} as VOLUME, TRADE_COUNT, VWAP from CORE.OHLCV_BASE",
    )
    return evaluate(settings)["ohlcv_consistent"]


def test_candles_out_of_range_fail(loaded: Settings) -> None:
    evaluation = broken_candles(loaded, open_="HIGH + 1")
    assert not evaluation.passed and evaluation.metadata["candles_out_of_range"].value > 0


def test_candles_that_do_not_add_up_to_the_trades_fail(loaded: Settings) -> None:
    evaluation = broken_candles(loaded, volume="VOLUME * 1.000001")  # off by a millionth
    assert not evaluation.passed and evaluation.metadata["totals_mismatched"].value > 0
