"""Each feed's trade history against the simulator's REST answers, which follow the venues' own
documented formats and paging: exactly the missing trades, as the websocket sent them."""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx
import pytest

from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.producer.feeds.base import Missing
from crypto_platform.prices.repair import MAX_REPAIR_TRADES, repair
from crypto_platform.prices.trade import Trade
from crypto_platform.simulator import market
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import run_in_thread
from crypto_platform.simulator.venues import PROTOCOLS
from crypto_platform.warehouse.gap_tables import Gap

CONFIG = SimulatorConfig(rate=50, seed=9)


def _as_sent(trade: Trade) -> tuple:
    return (trade.source, trade.feed_symbol, trade.symbol, trade.trade_id, trade.price, trade.size,
            trade.trade_ts_ms, trade.side, trade.simulated)  # fmt: skip


@pytest.mark.parametrize("name", ["coinbase", "kraken", "binance"])
def test_history_is_exactly_the_missing_trades_as_the_websocket_sent_them_and_429_is_waited_out(
    name: str,
) -> None:
    feed, symbol = FEEDS[name], FEEDS[name].DEFAULT_SYMBOLS[0]
    with run_in_thread(CONFIG) as simulator:
        newest = market.last_trade(CONFIG.seed, name, symbol, simulator.now_ms() - 60_000, CONFIG.rate)
        assert newest.trade_id is not None
        first, last = newest.trade_id - 2_400, newest.trade_id - 100  # several pages of every venue
        (before,) = market.trades_by_id(CONFIG.seed, name, symbol, first - 1, first - 1, CONFIG.rate)
        simulator.rate_limit(name, 2)  # the first two requests are answered 429 Too Many Requests
        with httpx.Client(timeout=30) as client:
            found = feed.history(
                client, simulator.rest_url(name), Missing(symbol, first, last, before.ts_ms), True
            )
    sent = market.trades_by_id(CONFIG.seed, name, symbol, first, last, CONFIG.rate)
    live = [
        t for frame in PROTOCOLS[name].trade_frames(sent, 50) for t in feed.parse(frame.text, 1, True).trades
    ]
    assert len(found) == last - first + 1 == len(live)
    assert [_as_sent(t) for t in found] == [_as_sent(t) for t in live]
    assert all(t.from_history for t in found) and not any(t.from_history for t in live)


def test_a_gap_too_long_to_repair_is_left_unrepairable_saying_why() -> None:
    """A laptop asleep for a day leaves gaps of millions of trades: a backfill's work, not a repair's."""
    start = datetime(2026, 1, 1)
    last = MAX_REPAIR_TRADES + 1
    huge = Gap(
        "g", "binance", "BTC-USD", "BTCUSDT", start, start + timedelta(days=1), 1, last, "open", None, None
    )
    (result,) = repair(
        FEEDS["binance"],
        "http://127.0.0.1:9",
        [huge],
        KafkaConnection(bootstrap_servers="127.0.0.1:9"),
        "unused",
        True,
    )
    assert (result.state, result.recovered) == ("unrepairable", None)
    assert (
        result.detail
        == f"{MAX_REPAIR_TRADES + 1:,} missing trades, more than {MAX_REPAIR_TRADES:,} a repair fetches"
    )


# The example answers of each venue's documentation (cited in its feed module), as they print them.
DOCUMENTED = {
    "binance": [{"id": 28457, "price": "4.00000100", "qty": "12.00000000", "quoteQty": "48.000012",
                 "time": 1499865549590, "isBuyerMaker": True, "isBestMatch": True}],
    "coinbase": [{"time": "2014-11-07T22:19:28.578544Z", "trade_id": 74, "price": "10.00000000",
                  "size": "0.01000000", "side": "buy"},
                 {"time": "2014-11-07T01:08:43.642366Z", "trade_id": 73, "price": "100.00000000",
                  "size": "0.01000000", "side": "sell"}],
    "kraken": '{"error":[],"result":{"XXBTZUSD":[["30243.40000","0.34507674",1688669597.8277369,"b","m","",'
              '61044952],["30243.30000","0.00376960",1688669598.2804112,"s","l","",61044953]],'
              '"last":"1688671969993150842"}}',
}  # fmt: skip


@pytest.mark.parametrize(
    ("name", "missing", "expected"),
    [
        ("binance", Missing("BNBBTC", 28457, 28457, 1499865549000),
         [("28457", "BNB-BTC", "4.000001", "12", 1499865549590, "sell")]),
        ("coinbase", Missing("BTC-USD", 73, 74, 1415322523000),
         [("73", "BTC-USD", "100", "0.01", 1415322523642, "buy"),
          ("74", "BTC-USD", "10", "0.01", 1415398768578, "sell")]),
        ("kraken", Missing("BTC/USD", 61044952, 61044953, 1688669597000),
         [("61044952", "BTC-USD", "30243.4", "0.34507674", 1688669597827, "buy"),
          ("61044953", "BTC-USD", "30243.3", "0.0037696", 1688669598280, "sell")]),
    ],
)  # fmt: skip
def test_history_reads_the_answers_the_venues_document(
    name: str, missing: Missing, expected: list[tuple]
) -> None:
    """Coinbase's `side` is the maker's, Binance's `isBuyerMaker` means the taker sold, Kraken's
    `b`/`s` is the taker's; times are ms, exactly."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        body = DOCUMENTED[name]
        return httpx.Response(200, text=body) if isinstance(body, str) else httpx.Response(200, json=body)

    with httpx.Client(transport=httpx.MockTransport(answer)) as client:
        found = FEEDS[name].history(client, "https://venue.example", missing)
    got = [
        (t.trade_id, t.symbol, f"{t.price.normalize():f}", f"{t.size.normalize():f}", t.trade_ts_ms, t.side)
        for t in found
    ]
    assert got == expected and len(requests) == 1
    assert all(t.from_history and not t.simulated and t.source == name for t in found)


@pytest.mark.parametrize("name", ["coinbase", "kraken", "binance"])
def test_the_first_trade_at_a_time_is_found_through_each_venues_own_paging(name: str) -> None:
    """Binance by `aggTrades` time windows, Kraken by its `since` cursor, Coinbase by bisecting ids."""
    feed, symbol = FEEDS[name], FEEDS[name].DEFAULT_SYMBOLS[0]
    with run_in_thread(CONFIG) as simulator, httpx.Client(timeout=30) as client:
        base, now_ms = simulator.rest_url(name), simulator.now_ms()
        for ts_ms in (now_ms - 3 * 86_400_000 + 123, now_ms - 3_600_000):
            (first, *_) = market.trades(CONFIG.seed, name, symbol, ts_ms, ts_ms + 60_000, CONFIG.rate)
            assert feed.first_id_at(client, base, symbol, ts_ms) == first.trade_id
        assert feed.first_id_at(client, base, symbol, now_ms + 3_600_000) is None  # nothing traded yet
