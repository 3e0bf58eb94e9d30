"""Every frame shape Finnhub sends, and the broken ones it might."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pytest

from crypto_platform.prices.producer.feeds import finnhub
from crypto_platform.prices.producer.service import ProducerService
from crypto_platform.prices.trade import BadFrame
from crypto_platform.settings import Settings

RECEIVED = 1_735_689_600_500

# Numbers with more digits than a float holds: parsed as decimals (no float in between), then held as
# NUMBER(38,12) will hold them: the digits past the 12th decimal rounded half-to-even (numeric rule).
BATCH = (
    '{"data":[{"c":null,"p":95123.456789012345678,"s":"BINANCE:BTCUSDT","t":1735689600123,"v":0.00012},'
    '{"c":["1","12"],"p":3501.5,"s":"BINANCE:ETHUSDT","t":1735689600124,"v":2}],"type":"trade"}'
)


def frame(*items: dict[str, object]) -> str:
    return json.dumps({"type": "trade", "data": list(items)})


def item(**change: object) -> dict[str, object]:
    return {"p": 95000.5, "s": "BINANCE:BTCUSDT", "t": 1_735_689_600_123, "v": 0.25, "c": None} | change


def test_trade_batch() -> None:
    result = finnhub.parse(BATCH, RECEIVED)
    assert result.kind == "trades" and result.rejected == [] and result.error is None
    btc, eth = result.trades
    assert (btc.source, btc.symbol, btc.feed_symbol) == ("finnhub", "BTC-USD", "BINANCE:BTCUSDT")
    assert btc.price == Decimal("95123.456789012346")
    assert (btc.size, btc.trade_ts_ms, btc.received_ts_ms, btc.side) == (
        Decimal("0.00012"),
        1735689600123,
        RECEIVED,
        None,
    )
    assert (eth.symbol, eth.price, eth.size) == ("ETH-USD", Decimal("3501.5"), Decimal(2))


def test_trade_ids_are_deterministic_and_distinct_within_a_frame() -> None:
    twins = frame(item(), item())
    first, second = finnhub.parse(twins, RECEIVED).trades
    assert first.trade_id != second.trade_id
    again = finnhub.parse(twins.encode(), RECEIVED + 999).trades  # bytes, and received later
    assert [trade.trade_id for trade in again] == [first.trade_id, second.trade_id]


def test_the_simulators_trades_keep_the_source_and_are_marked_simulated() -> None:
    (trade,) = finnhub.parse(frame(item()), RECEIVED, simulated=True).trades
    assert (trade.source, trade.simulated) == ("finnhub", True)
    (live,) = finnhub.parse(frame(item()), RECEIVED).trades
    assert (live.source, live.simulated) == ("finnhub", False)


def test_empty_batch_is_no_trades() -> None:
    assert finnhub.parse(frame(), RECEIVED).trades == []


def test_ping_and_error_frames() -> None:
    assert finnhub.parse('{"type":"ping"}', RECEIVED).kind == "ping"
    error = finnhub.parse('{"type":"error","msg":"Subscribing to too many symbols"}', RECEIVED)
    assert (error.kind, error.error, error.trades) == ("error", "Subscribing to too many symbols", [])
    assert finnhub.parse('{"type":"error"}', RECEIVED).error == "error frame without a message"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ('{"type":"trade","data":[{"p":1', "invalid JSON"),
        (b"\xff\xfe", "invalid JSON"),
        ("[]", "not a JSON object"),
        ('{"type":"news"}', "unknown frame type 'news'"),
        ('{"data":[]}', "unknown frame type None"),
        ('{"type":"trade"}', "trade data must be a list"),
        ('{"type":"trade","data":{"p":1}}', "trade data must be a list"),
        (frame("oops"), "trade is not a JSON object"),
        (frame(item(p=None)), "missing field 'p'"),
        (frame({"s": "BINANCE:BTCUSDT", "t": 1, "v": 1}), "missing field 'p'"),
        (frame(item(v=None)), "missing field 'v'"),
        (frame(item(s="")), "field 's' must be a non-empty string"),
        (frame(item(p="abc")), "p is not a number"),
        (frame(item(p=True)), "p must be a decimal string or number"),
        (frame(item(p=0)), "price must be a finite decimal > 0"),
        (frame(item(p=-95000.5)), "price must be a finite decimal > 0"),
        (frame(item(v=0.0)), "size must be a finite decimal > 0"),
        (frame(item(t=1735689600.5)), "field 't' must be an integer"),
        (frame(item(t="1735689600123")), "field 't' must be an integer"),
        (frame(item(t=-1)), "trade_ts_ms must be epoch milliseconds"),
        (frame(item(s="BINANCE:BTCXYZ")), "cannot map symbol"),
        (frame(item(v=1e-13)), "12th decimal"),
    ],
)
def test_bad_frames_raise_with_a_reason(raw: str | bytes, reason: str) -> None:
    with pytest.raises(BadFrame) as caught:
        finnhub.parse(raw, RECEIVED)
    assert reason in caught.value.reason


def test_partly_bad_batch_keeps_the_good_trades() -> None:
    missing_price, negative = item(p=None), item(p=-1)
    result = finnhub.parse(frame(item(), missing_price, item(t=1_735_689_600_200), negative), RECEIVED)
    assert [trade.trade_ts_ms for trade in result.trades] == [1_735_689_600_123, 1_735_689_600_200]
    assert [(bad["p"], reason) for bad, reason in result.rejected] == [
        (None, "missing field 'p'"),
        (-1, "price must be a finite decimal > 0, got Decimal('-1')"),
    ]


def test_wholly_bad_batch_lists_its_reasons_once() -> None:
    with pytest.raises(BadFrame, match=r"^all 3 trades invalid: missing field 'p'; p is not a number: 'x'$"):
        finnhub.parse(frame(item(p=None), item(p=None), item(p="x")), RECEIVED)


def test_url_and_subscribe_messages() -> None:
    assert finnhub.url("k3y") == "wss://ws.finnhub.io?token=k3y"
    assert finnhub.url("a b", base="ws://127.0.0.1:8090/") == "ws://127.0.0.1:8090/?token=a+b"
    assert [json.loads(m) for m in finnhub.subscribe_messages(["BINANCE:BTCUSDT", "BINANCE:ETHUSDT"])] == [
        {"type": "subscribe", "symbol": "BINANCE:BTCUSDT"},
        {"type": "subscribe", "symbol": "BINANCE:ETHUSDT"},
    ]


def test_typed_and_item_by_item_parsing_agree() -> None:
    """A frame with one bad item is parsed item by item; its good items must come out exactly as the
    typed path (taken by a frame with no bad item) makes them. Prices as JSON numbers, integers and
    strings, sizes in exponent form, extra fields."""
    rng = random.Random(3)
    for _ in range(300):
        good = [
            item(
                p=rng.choice([round(rng.uniform(0.0001, 99_999), 6), rng.randint(1, 10**6), "95000.125"]),
                v=rng.choice([round(rng.uniform(1e-9, 5), 9), 1e-7, "0.5"]),
                t=1_735_689_600_000 + rng.randint(0, 10**6),
                s=rng.choice(["BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "COINBASE:SOL-USD"]),
                x="extra",
            )
            for _ in range(rng.randint(1, 20))
        ]
        typed = finnhub.parse(frame(*good), RECEIVED)
        item_by_item = finnhub.parse(frame(*good, item(p=None)), RECEIVED)
        assert typed.rejected == [] and len(item_by_item.rejected) == 1
        assert item_by_item.trades == typed.trades


def test_a_trade_time_in_seconds_is_dead_lettered_by_the_producer_with_the_reason(tmp_path: Path) -> None:
    """Finnhub's `t` in seconds (1714651200) used to pass: a trade from 1970-01-20 that became its
    symbol's 24-hour reference. The producer holds live frames to the time bound."""
    service = ProducerService(Settings(_env_file=None, home=tmp_path, producer_feeds=["finnhub"]))
    trades: list = []
    dead: list = []
    raw = frame(item(t=1_714_651_200), item(t=RECEIVED - 100))
    service._parse(service.feed("finnhub"), raw, RECEIVED, trades, dead)
    assert len(trades) == 1 and service.counters.trades == 1
    [(_key, value)] = dead
    letter = json.loads(value)
    assert "before its receive time" in letter["reason"] and "TRADE_MAX_AGE_SECONDS" in letter["reason"]
    assert json.loads(letter["raw"])["trade_ts_ms"] == 1_714_651_200
