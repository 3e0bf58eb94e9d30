"""Coinbase Exchange (`matches`), Kraken v2 (`trade`) and Binance spot (combined `@trade` streams)
frames, as the feeds document them."""

from __future__ import annotations

import json
from decimal import Decimal
from types import ModuleType

import pytest

from crypto_platform.prices.producer.feeds import FEEDS, binance, coinbase, finnhub, kraken
from crypto_platform.prices.trade import BadFrame

RECEIVED = 1_735_689_600_500

COINBASE_MATCH = {
    "type": "match",
    "trade_id": 10,
    "sequence": 50,
    "maker_order_id": "ac928c66-ca53-498f-9c13-a110027a60e8",
    "taker_order_id": "132fb6ae-456b-4654-b4e0-d681ac05cea1",
    "time": "2014-11-07T08:19:27.028459Z",
    "product_id": "BTC-USD",
    "size": "5.23512",
    "price": "400.23",
    "side": "sell",
}
KRAKEN_SNAPSHOT = (
    '{"channel":"trade","type":"snapshot","data":['
    '{"symbol":"BTC/USD","side":"buy","price":26277.2,"qty":0.00380811,"ord_type":"market",'
    '"trade_id":66473283,"timestamp":"2023-09-25T07:49:37.708706Z"},'
    '{"symbol":"XBT/EUR","side":"sell","price":24010.123456789,"qty":12,"ord_type":"limit",'
    '"trade_id":"66473284","timestamp":"2023-09-25T07:49:38Z"}]}'
)
# https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams#trade-streams, in a
# combined stream's envelope
BINANCE_TRADE = {
    "stream": "bnbbtc@trade",
    "data": {
        "e": "trade", "E": 1672515782136, "s": "BNBBTC", "t": 12345, "p": "0.001", "q": "100",
        "T": 1672515782136, "m": True, "M": True,
    },
}  # fmt: skip


def test_binance_trade_names_the_taker_side_and_keeps_the_id() -> None:
    (trade,) = binance.parse(json.dumps(BINANCE_TRADE), RECEIVED).trades
    assert (trade.source, trade.symbol, trade.feed_symbol, trade.trade_id) == (
        "binance",
        "BNB-BTC",
        "BNBBTC",
        "12345",
    )
    assert (trade.price, trade.size, trade.trade_ts_ms) == (Decimal("0.001"), Decimal("100"), 1672515782136)
    assert trade.side == "sell" and not trade.simulated  # the buyer made the market: the taker sold
    taker_bought = BINANCE_TRADE | {"data": BINANCE_TRADE["data"] | {"m": False, "s": "BTCUSDT"}}
    (bought,) = binance.parse(json.dumps(taker_bought), RECEIVED, simulated=True).trades
    assert (bought.side, bought.symbol, bought.simulated) == ("buy", "BTC-USD", True)


def test_every_feed_marks_simulated_trades() -> None:
    frames = {
        coinbase: json.dumps(COINBASE_MATCH),
        kraken: KRAKEN_SNAPSHOT,
        binance: json.dumps(BINANCE_TRADE),
        finnhub: '{"type":"trade","data":[{"p":1.5,"s":"BINANCE:BTCUSDT","t":1735689600000,"v":2}]}',
    }
    for feed, raw in frames.items():
        assert all(t.simulated for t in feed.parse(raw, RECEIVED, simulated=True).trades), feed
        assert not any(t.simulated for t in feed.parse(raw, RECEIVED).trades), feed


def test_coinbase_match_flips_the_maker_side_to_the_taker_side() -> None:
    (trade,) = coinbase.parse(json.dumps(COINBASE_MATCH), RECEIVED).trades
    assert (trade.source, trade.symbol, trade.feed_symbol, trade.trade_id) == (
        "coinbase",
        "BTC-USD",
        "BTC-USD",
        "10",
    )
    assert (trade.price, trade.size) == (Decimal("400.23"), Decimal("5.23512"))
    assert (trade.trade_ts_ms, trade.received_ts_ms, trade.side) == (1_415_348_367_028, RECEIVED, "buy")
    last = coinbase.parse(json.dumps(COINBASE_MATCH | {"type": "last_match", "side": "buy"}), RECEIVED)
    assert last.trades[0].side == "sell"


def test_kraken_snapshot_keeps_numeric_prices_exact() -> None:
    result = kraken.parse(KRAKEN_SNAPSHOT, RECEIVED)
    first, second = result.trades
    assert (first.source, first.symbol, first.price, first.size) == (
        "kraken", "BTC-USD", Decimal("26277.2"), Decimal("0.00380811"),
    )  # fmt: skip
    assert (first.trade_id, first.side, first.trade_ts_ms) == ("66473283", "buy", 1_695_628_177_708)
    assert (second.symbol, second.feed_symbol, second.price) == (
        "BTC-EUR",
        "XBT/EUR",
        Decimal("24010.123456789"),
    )
    assert (second.trade_id, second.side, second.trade_ts_ms) == ("66473284", "sell", 1_695_628_178_000)
    update = kraken.parse(KRAKEN_SNAPSHOT.replace("snapshot", "update"), RECEIVED)
    assert update.trades == result.trades


def test_kraken_partly_bad_batch() -> None:
    frame = json.loads(KRAKEN_SNAPSHOT, parse_float=str)
    frame["data"][1]["timestamp"] = "yesterday"
    result = kraken.parse(json.dumps(frame), RECEIVED)
    assert len(result.trades) == 1
    assert result.rejected == [(frame["data"][1], "field 'timestamp' is not an ISO 8601 time: 'yesterday'")]


SUBSCRIBED = {"type": "subscriptions", "channels": [{"name": "matches", "product_ids": ["BTC-USD"]}]}
HEARTBEAT = {"type": "heartbeat", "sequence": 90, "last_trade_id": 20, "product_id": "BTC-USD"}
REFUSED = {"type": "error", "message": "Failed to subscribe", "reason": "ETH-XYZ is not a valid product"}
STATUS = {"channel": "status", "type": "update", "data": [{"system": "online", "version": "2.0.0"}]}
ACK = {"method": "subscribe", "result": {"channel": "trade", "symbol": "BTC/USD"}, "success": True}
NACK = {"method": "subscribe", "error": "Currency pair not supported ABC/USD", "success": False}


@pytest.mark.parametrize(
    ("feed", "raw", "kind", "error"),
    [
        (coinbase, SUBSCRIBED, "control", None),
        (coinbase, HEARTBEAT, "control", None),
        (coinbase, REFUSED, "error", "Failed to subscribe: ETH-XYZ is not a valid product"),
        (kraken, {"channel": "heartbeat"}, "control", None),
        (kraken, STATUS, "control", None),
        (kraken, ACK, "control", None),
        (kraken, {"method": "pong", "req_id": 7}, "control", None),
        (kraken, NACK, "error", "Currency pair not supported ABC/USD"),
        (kraken, {"method": "subscribe", "success": False}, "error", "subscribe failed"),
        (binance, {"result": None, "id": 1}, "control", None),
        (binance, {"code": 2, "msg": "Invalid request", "id": 1}, "error", "Invalid request (code 2)"),
    ],
)
def test_control_and_error_frames(
    feed: ModuleType, raw: dict[str, object], kind: str, error: str | None
) -> None:
    result = feed.parse(json.dumps(raw), RECEIVED)
    assert (result.kind, result.error, result.trades) == (kind, error, [])


@pytest.mark.parametrize(
    ("feed", "raw", "reason"),
    [
        (coinbase, COINBASE_MATCH | {"price": None}, "missing field 'price'"),
        (coinbase, COINBASE_MATCH | {"size": "-1"}, "size must be a finite decimal > 0"),
        (coinbase, COINBASE_MATCH | {"time": "not a time"}, "not an ISO 8601 time"),
        (
            coinbase,
            COINBASE_MATCH | {"trade_id": 1.5},
            "field 'trade_id' must be an integer or a non-empty string",
        ),
        (coinbase, {"type": "ticker"}, "unknown frame type 'ticker'"),
        (kraken, {"channel": "trade", "type": "update"}, "missing field 'data'"),
        (kraken, {"channel": "book"}, "unknown channel 'book'"),
        (
            binance,
            BINANCE_TRADE | {"data": BINANCE_TRADE["data"] | {"p": "0"}},
            "price must be a finite decimal > 0",
        ),
        (
            binance,
            BINANCE_TRADE | {"data": BINANCE_TRADE["data"] | {"T": "soon"}},
            "field 'T' must be an integer",
        ),
        (binance, BINANCE_TRADE | {"data": {"e": "aggTrade"}}, "unknown event 'aggTrade'"),
        (binance, {"stream": "btcusdt@trade"}, "missing field 'data'"),
        (binance, {"ping": 1}, "unknown frame ['ping']"),
    ],
)
def test_bad_frames(feed: ModuleType, raw: dict[str, object], reason: str) -> None:
    with pytest.raises(BadFrame) as caught:
        feed.parse(json.dumps(raw), RECEIVED)
    assert reason in caught.value.reason


def test_subscribe_messages_and_registry() -> None:
    assert [json.loads(m) for m in coinbase.subscribe_messages(["BTC-USD", "ETH-USD"])] == [
        {"type": "subscribe", "product_ids": ["BTC-USD", "ETH-USD"], "channels": ["matches"]}
    ]
    assert [json.loads(m) for m in kraken.subscribe_messages(["BTC/USD"])] == [
        {"method": "subscribe", "params": {"channel": "trade", "symbol": ["BTC/USD"]}}
    ]
    assert (FEEDS["coinbase"], FEEDS["kraken"], FEEDS["finnhub"].URL) == (
        coinbase,
        kraken,
        "wss://ws.finnhub.io",
    )
    assert (coinbase.URL, kraken.URL) == ("wss://ws-feed.exchange.coinbase.com", "wss://ws.kraken.com/v2")
    assert [json.loads(m) for m in binance.subscribe_messages(["BTCUSDT", "ETHUSDT"])] == [
        {"method": "SUBSCRIBE", "params": ["btcusdt@trade", "ethusdt@trade"], "id": 1}
    ]
    assert (FEEDS["binance"], binance.URL) == (binance, "wss://stream.binance.com:9443/stream")
    assert binance.MAX_SESSION_SECONDS < 24 * 3600  # renewed before Binance closes it
