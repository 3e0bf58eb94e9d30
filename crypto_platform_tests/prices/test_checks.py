"""Each prices check passes on good data and fails on data made to break it."""

from __future__ import annotations

import time

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import ohlcv, processed_assets, raw_trades
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


def test_a_candle_altered_by_hand_fails_until_the_candles_are_rebuilt(loaded: Settings) -> None:
    execute(
        loaded,
        "update CORE.CANDLES set CLOSE = CLOSE + 1 "
        "where TIMEFRAME = '1m' and BUCKET_START = (select max(BUCKET_START) from CORE.CANDLES)",
    )
    evaluation = evaluate(loaded)["ohlcv_consistent"]
    assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    assert evaluation.metadata["candles_mismatched"].value == 1
    assert evaluation.metadata["candles_compared"].value >= 3  # the minute, its 5m and its 1h candles

    assert dg.materialize([ohlcv], resources=resources(loaded)).success  # the repair path
    assert evaluate(loaded)["ohlcv_consistent"].passed


def test_a_candle_missing_or_not_adding_up_fails(loaded: Settings) -> None:
    execute(loaded, "delete from CORE.CANDLES where TIMEFRAME = '5m'")
    execute(loaded, "update CORE.CANDLES set VOLUME = VOLUME * 1.000001 where TIMEFRAME = '1h'")
    evaluation = evaluate(loaded)["ohlcv_consistent"]
    assert not evaluation.passed
    assert evaluation.metadata["candles_mismatched"].value >= 2
