"""`<feed>_trade_history`: a past UTC day backfilled from each venue's trade history through the
real broker, loader and warehouse, with the simulator as the venues; the day's trades the live feed
already brought are not sent again, and a second run sends nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from crypto_platform.defs.prices.history import trade_history_assets
from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.symbols import STANDARD
from crypto_platform.prices.trade import Trade
from crypto_platform.prices.trade_history import DAY_MS, day_start_ms, holes
from crypto_platform.settings import Settings
from crypto_platform.simulator import market
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import run_in_thread
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.gap_tables import LoadedRun
from crypto_platform_tests.prices.helpers import produce, resources
from crypto_platform_tests.prices.producer.test_feeds_at_once import _settings

CONFIG = SimulatorConfig(rate=0.5, seed=5, error_ratio=0)  # a day of one symbol: a few thousand trades
ASSETS = {asset.key.to_user_string(): asset for asset in trade_history_assets}


def test_the_holes_of_a_day_lie_between_the_runs_already_loaded() -> None:
    runs = [LoadedRun(5, 7, 1_700), LoadedRun(10, 12, 2_200)]
    assert [tuple(h) for h in holes("BTCUSDT", (1, 15), 1_000, runs)] == [
        ("BTCUSDT", 1, 4, 1_000), ("BTCUSDT", 8, 9, 1_700), ("BTCUSDT", 13, 15, 2_200),
    ]  # fmt: skip
    assert holes("BTCUSDT", (5, 12), 1_000, [LoadedRun(5, 12, 2_200)]) == []


def load(settings: Settings) -> None:
    bound = loader_resource(settings).time_bound
    loader = TradesLoader(
        settings.kafka, settings.kafka_topic_trades, lambda: connect(settings), 2_000, bound
    )
    asyncio.run(loader.load_until_caught_up())


def stored(settings: Settings, source: str, feed_symbol: str, day: date) -> tuple[list[tuple], int]:
    """CORE.TRADES of the day (id, price, size, ms) by id, and how many rows RAW.TRADES has."""
    start = datetime(day.year, day.month, day.day)
    params = [source, feed_symbol, start, start + timedelta(days=1)]
    where = "WHERE SOURCE = ? AND FEED_SYMBOL = ? AND TRADE_TS >= ? AND TRADE_TS < ?"
    columns = "TRADE_ID, PRICE, SIZE, DATE_PART(EPOCH_MILLISECOND, TRADE_TS)"
    with connect(settings) as conn:
        core = run_query(conn, f"SELECT {columns} FROM CORE.TRADES {where}", params).rows
        (raw,) = run_query(conn, f"SELECT COUNT(*) FROM RAW.TRADES {where}", params).rows[0]
    return sorted((int(i), p, s, int(ts)) for i, p, s, ts in core), raw


@pytest.mark.stack
@pytest.mark.slow
@pytest.mark.parametrize("name", ["coinbase", "kraken", "binance"])
def test_a_past_day_is_backfilled_whole_without_the_trades_already_loaded(
    name: str, fresh: Settings, tmp_path: Path
) -> None:
    feed_symbol = FEEDS[name].DEFAULT_SYMBOLS[0]
    day = datetime.now(UTC).date() - timedelta(days=2)
    start_ms = day_start_ms(day)
    expected = market.trades(CONFIG.seed, name, feed_symbol, start_ms, start_ms + DAY_MS, CONFIG.rate)
    with run_in_thread(CONFIG) as simulator:
        # The live feed brought the trades of 10:00 to 11:00 (a loader that takes trades days old)
        settings = _settings(fresh, simulator, tmp_path, [name], trade_max_age_seconds=7 * 86_400.0)
        live = [t for t in expected if start_ms + 10 * 3_600_000 <= t.ts_ms < start_ms + 11 * 3_600_000]
        produce(settings, [
            Trade(source=name, symbol=STANDARD.symbol(feed_symbol), feed_symbol=feed_symbol, price=t.price,
                  size=t.size, trade_ts_ms=t.ts_ms, received_ts_ms=t.ts_ms + 5, trade_id=str(t.trade_id),
                  simulated=True)
            for t in live
        ])  # fmt: skip
        load(settings)
        asset, config = ASSETS[f"{name}_trade_history"], {"symbols": [feed_symbol]}
        runs = []
        for _ in range(2):  # the second run finds the day whole
            runs.append(
                dg.materialize(
                    [asset], resources=resources(settings), partition_key=day.isoformat(),
                    run_config={"ops": {asset.op.name: {"config": config}}},
                )
            )  # fmt: skip
            load(settings)
    first, again = (r.asset_materializations_for_node(asset.op.name)[0].metadata for r in runs)
    assert (first["trades_of_the_days"].value, first["already_loaded"].value) == (len(expected), len(live))
    assert first["sent"].value == len(expected) - len(live) and again["sent"].value == 0
    core, raw = stored(settings, name, feed_symbol, day)
    assert core == [(t.trade_id, t.price, t.size, t.ts_ms) for t in expected]
    assert raw == len(expected)  # no trade of the day went to the warehouse twice
    assert 0 < len(live) < len(expected)
