"""Gaps repaired end to end: the simulator's Coinbase, Kraken and Binance streamed by the producer,
one venue dropped, one silenced across a UTC midnight, one omitting trades inside a live
connection; the loader records each gap, `trade_gap_repairs` fetches exactly the missing trades
from the venue's history, and afterwards every feed symbol's trades are the simulator's, without a
hole, each once, with candles that add up."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import trade_gap_repairs
from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.local.process import wait_until
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.repair import history_base, repair
from crypto_platform.settings import Settings
from crypto_platform.simulator import market
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import run_in_thread
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.gap_tables import Gap, gaps
from crypto_platform.warehouse.sql import query
from crypto_platform_tests.prices.helpers import resources, running_producer
from crypto_platform_tests.prices.producer.test_feeds_at_once import _settings

pytestmark = [pytest.mark.stack, pytest.mark.slow]
VENUES = ["coinbase", "kraken", "binance"]
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def load(settings: Settings) -> list[Gap]:
    bound = loader_resource(settings).time_bound
    loader = TradesLoader(
        settings.kafka, settings.kafka_topic_trades, lambda: connect(settings), 2_000, bound
    )
    asyncio.run(loader.load_until_caught_up())
    with connect(settings) as conn:
        return gaps(conn, BEGINNING)


def core_trades(settings: Settings) -> dict[tuple[str, str], list[tuple]]:
    """CORE.TRADES by (source, feed symbol): (id, price, size, trade time ms), by id."""
    with connect(settings) as conn:
        columns = "SOURCE, FEED_SYMBOL, TRADE_ID, PRICE, SIZE, DATE_PART(EPOCH_MILLISECOND, TRADE_TS)"
        rows = run_query(conn, f"SELECT {columns} FROM CORE.TRADES").rows
    found: dict[tuple[str, str], list[tuple]] = {}
    for source, feed_symbol, trade_id, price, size, ts in rows:
        found.setdefault((source, feed_symbol), []).append((int(trade_id), price, size, int(ts)))
    return {key: sorted(values) for key, values in found.items()}


def every_symbol_loaded_since(settings: Settings, since_ms: int) -> bool:
    """Load what is on the topic; whether every feed symbol of VENUES has a live trade from
    `since_ms` on (simulator time) in the warehouse."""
    load(settings)
    symbols = sum(len(FEEDS[venue].DEFAULT_SYMBOLS) for venue in VENUES)
    with connect(settings) as conn:
        ((oldest, count),) = run_query(conn, query("bench_feed_sequences_oldest")).rows
    return count == symbols and oldest >= since_ms


def raw_count(settings: Settings) -> int:
    with connect(settings) as conn:
        return run_query(conn, "SELECT COUNT(*) FROM RAW.TRADES").rows[0][0]


def test_disconnects_silences_and_id_jumps_are_recorded_then_repaired_exactly(
    fresh: Settings, tmp_path: Path
) -> None:
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    midnight_ms = int(midnight.timestamp() * 1000)
    config = SimulatorConfig(rate=20, seed=21, error_ratio=0, start_ms=midnight_ms - 20_000)
    with run_in_thread(config) as simulator:
        settings = _settings(fresh, simulator, tmp_path, VENUES, producer_silence_timeout=6.0)
        with running_producer(settings) as service:
            assert wait_until(lambda: all(f.counters.produced >= 10 for f in service.feeds), 60)
            assert simulator.now_ms() < midnight_ms - 3_000, "the producer took too long to start"
            assert wait_until(lambda: simulator.now_ms() >= midnight_ms - 2_000, 30)
            silence_end_ms = simulator.now_ms() + 4_000
            simulator.silence("kraken", 4)  # across the market's midnight, shorter than the silence timeout
            simulator.omit("binance", 2)  # trades missing inside a live connection
            for _ in range(5):  # a reconnect is quick: drop until it cost trades
                simulator.drop("coinbase")
                if wait_until(lambda: "coinbase" in {g.source for g in load(settings)}, 10):
                    break
            # A symbol's gap is found when its next trade loads: repair once every symbol has one
            # from after the silence, the omission and the drops.
            after_ms = max(silence_end_ms, simulator.now_ms()) + 1_000
            assert wait_until(lambda: every_symbol_loaded_since(settings, after_ms), 90)
            assert {g.source for g in load(settings)} == set(VENUES), load(settings)
            for venue in VENUES:
                result = dg.materialize(
                    [trade_gap_repairs], resources=resources(settings), partition_key=venue
                )
                assert result.success
            again = dg.materialize([trade_gap_repairs], resources=resources(settings), partition_key="kraken")
            simulator.pause_from_thread()
            sent = simulator.counters.snapshot()["trades_total"]
            assert wait_until(lambda: service.counters.produced >= sent, 60)
        recorded = load(settings)
        found = core_trades(settings)
        # A repair of gaps already repaired (two runs of one gap; a repair over trades that also
        # came live) sends them again: RAW.TRADES holds the copies, CORE.TRADES each trade once.
        before, feed = raw_count(settings), FEEDS["coinbase"]
        coinbase = [g for g in recorded if g.source == "coinbase"]
        base = history_base(feed, f"http://127.0.0.1:{settings.simulator_port}")
        repair(feed, base, coinbase, settings.kafka, settings.kafka_topic_trades, simulated=True)
        load(settings)
    assert raw_count(settings) == before + sum(g.missing or 0 for g in coinbase)
    assert core_trades(settings) == found
    assert service.feed("binance").counters.reconnects == 0  # the omission had no disconnect
    assert again.asset_materializations_for_node("trade_gap_repairs")[0].metadata["gaps"].value == 0
    assert {g.state for g in recorded} == {"repaired"}
    assert all(g.recovered == g.missing for g in recorded)
    (silence,) = [g for g in recorded if g.source == "kraken" and g.feed_symbol == "BTC/USD"]
    assert silence.start_ts.date() < silence.end_ts.date()  # across the UTC midnight
    # Every feed symbol's trades are exactly the simulator's from the first to the last loaded id.
    assert {source for source, _ in found} == set(VENUES)
    for (source, feed_symbol), rows in found.items():
        first, last = rows[0][0], rows[-1][0]
        expected = market.trades_by_id(config.seed, source, feed_symbol, first, last, config.rate)
        assert rows == [(t.trade_id, t.price, t.size, t.ts_ms) for t in expected], (source, feed_symbol)
    # The candles kept as trades loaded, late ones included, equal a recomputation from the trades.
    with connect(settings) as conn:
        since = (midnight - timedelta(hours=1)).replace(tzinfo=None)
        compared, mismatched = run_query(conn, query("check_ohlcv_recent"), {"since": since}).rows[0]
    assert compared > 0 and mismatched == 0
