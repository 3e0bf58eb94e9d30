"""Gaps in each feed's live trades found as they load (OPS.TRADE_GAPS), through the real broker,
loader and warehouse: a jump in trade ids where the venue numbers trades consecutively, a silence
where it does not; measured across batches and loads from what the warehouse holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.trade import Trade
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform.warehouse.gap_tables import Gap, gaps
from crypto_platform_tests.prices.helpers import T0, produce

pytestmark = pytest.mark.stack
BEGINNING = datetime(1970, 1, 1, tzinfo=UTC)


def trades(
    source: str, feed_symbol: str, ids: list[int], from_history: bool = False, symbol: str = "BTC-USD"
) -> list[Trade]:
    """Trades 100 ms apart by id, id 1 at T0 - 1 s (2025-12-31T23:59:59Z); Finnhub's ids are not
    numbers (hashes)."""
    return [
        Trade(
            source=source, symbol=symbol, feed_symbol=feed_symbol, price=Decimal("95000"),
            size=Decimal("0.1"), trade_ts_ms=T0 - 1_000 + (i - 1) * 100,
            received_ts_ms=T0 - 1_000 + (i - 1) * 100 + 5,
            trade_id=f"h{i}" if source == "finnhub" else str(i), from_history=from_history,
        )
        for i in ids
    ]  # fmt: skip


def load(settings: Settings) -> list[Gap]:
    """Load the topic in batches of 4 messages; the gaps recorded so far."""
    bound = loader_resource(settings).time_bound
    loader = TradesLoader(settings.kafka, settings.kafka_topic_trades, lambda: connect(settings), 4, bound)
    asyncio.run(loader.load_until_caught_up())
    with connect(settings) as conn:
        return gaps(conn, BEGINNING)


def ms(ts: datetime) -> int:
    return int(ts.replace(tzinfo=UTC).timestamp() * 1000)


def test_an_id_jump_is_a_gap_within_a_batch_across_batches_and_across_loads(fresh: Settings) -> None:
    produce(fresh, trades("coinbase", "BTC-USD", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 16, 17]))
    (first,) = load(fresh)
    assert (first.source, first.feed_symbol, first.first_missing_id, first.last_missing_id) == (
        "coinbase",
        "BTC-USD",
        11,
        14,
    )
    assert (ms(first.start_ts), ms(first.end_ts)) == (T0 - 1_000 + 900, T0 - 1_000 + 1_400)  # ids 10 and 15
    assert first.start_ts.date() != first.end_ts.date()  # the gap spans a UTC midnight
    assert (first.state, first.missing) == ("open", 4)
    # A later load: measured from the newest id stored, not from the process's memory. An older
    # trade repeated (a resubscribe's snapshot) and trades from the history are no gap.
    produce(
        fresh,
        trades("coinbase", "BTC-USD", [3, 18, 21]) + trades("coinbase", "BTC-USD", [12], from_history=True),
    )
    found = load(fresh)
    assert [(g.first_missing_id, g.last_missing_id) for g in found] == [(11, 14), (19, 20)]


def test_each_feed_symbol_has_its_own_sequence_and_a_feed_without_ids_gaps_by_its_whole_silence(
    fresh: Settings,
) -> None:
    produce(fresh, trades("binance", "BTCUSDT", [100, 101, 102]) + trades("kraken", "BTC/USD", [100, 105]))
    # Finnhub's BTC alone, loaded first (its partition ahead of ETH's, as while the loader catches
    # up): silent 69.7 s from id 3 to 700, so far a gap of the feed; 8.9 s from 701 to 790 is under
    # the 10 s that count as one.
    produce(fresh, trades("finnhub", "BINANCE:BTCUSDT", [1, 2, 3, 700, 701, 790]))
    assert [(g.source, g.feed_symbol, g.first_missing_id, g.last_missing_id) for g in load(fresh)] == [
        ("finnhub", None, None, None),
        ("kraken", "BTC/USD", 101, 104),
    ]
    # ETH's trades of that span load late: the feed was silent only 55 s, from ETH's id 150 to BTC's
    # 700 (ETH's own 5 s steps are no gap).
    produce(fresh, trades("finnhub", "BINANCE:ETHUSDT", [50, 100, 150], symbol="ETH-USD"))
    (silence,) = [g for g in load(fresh) if g.source == "finnhub"]
    assert (ms(silence.start_ts), ms(silence.end_ts)) == (T0 - 1_000 + 14_900, T0 - 1_000 + 69_900)
    assert silence.symbol is None and silence.missing is None
    # Measured from the feed's newest trade of any symbol: ETH 12 s after BTC's 790, once.
    produce(fresh, trades("finnhub", "BINANCE:ETHUSDT", [910], symbol="ETH-USD"))
    assert [(ms(g.start_ts), ms(g.end_ts)) for g in load(fresh) if g.source == "finnhub"] == [
        (T0 - 1_000 + 14_900, T0 - 1_000 + 69_900),
        (T0 - 1_000 + 78_900, T0 - 1_000 + 90_900),
    ]
