"""The canonical trade: validation, the wire form and symbol normalisation."""

from __future__ import annotations

import json
import random
from decimal import Decimal

import pytest
from msgspec.structs import replace

from crypto_platform.prices.trade import BadFrame, Trade, decimal_text, synthetic_trade_id

TRADE = Trade(
    source="finnhub",
    symbol="BTC-USD",
    feed_symbol="BINANCE:BTCUSDT",
    price=Decimal("95000.10"),
    size=Decimal("1E-8"),
    trade_ts_ms=1_735_689_600_123,
    received_ts_ms=1_735_689_600_150,
    trade_id="abc",
)


def test_json_is_compact_ordered_and_keeps_decimals_exact() -> None:
    wire = TRADE.to_json()
    assert wire == (
        b'{"source":"finnhub","symbol":"BTC-USD","feed_symbol":"BINANCE:BTCUSDT","price":"95000.10",'
        b'"size":"0.00000001","trade_ts_ms":1735689600123,"received_ts_ms":1735689600150,'
        b'"trade_id":"abc","side":null,"simulated":false,"from_history":false}'
    )
    back = Trade.from_json(wire)
    assert back == TRADE
    assert str(back.price) == "95000.10"  # the trailing zero survives too
    assert TRADE.key() == b"BTC-USD"


def test_round_trip_with_side_and_all_twelve_decimals() -> None:
    trade = replace(TRADE, price=Decimal("12345678901234567890123456.123456789012"), side="sell")
    assert Trade.from_json(trade.to_json().decode()) == trade


@pytest.mark.parametrize(
    ("size", "stored"),
    [
        ("0.30000000000000004", Decimal("0.3")),  # a float-based feed's artefact: rounded
        ("0.12345678901234567", Decimal("0.123456789012")),  # moves it by 3e-15 relative
        ("1.500000000000000000", Decimal("1.5")),
    ],
)
def test_digits_past_the_twelfth_decimal_are_rounded_when_they_are_noise(size: str, stored: Decimal) -> None:
    wire = TRADE.to_json().replace(b'"0.00000001"', f'"{size}"'.encode())
    assert Trade.from_json(wire).size == stored


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ("0.0000000000001", "12th decimal"),  # would be stored as 0
        ("0.000000001234567", "12th decimal"),  # would lose real digits
        ("1e26", "less than 10\\^26"),
    ],
)
def test_values_number_38_12_cannot_hold_are_refused_never_stored_as_zero(size: str, reason: str) -> None:
    wire = TRADE.to_json().replace(b'"0.00000001"', f'"{size}"'.encode())
    with pytest.raises(BadFrame, match=reason):
        Trade.from_json(wire)
    with pytest.raises(BadFrame, match="NUMBER"):
        replace(TRADE, size=Decimal(size))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"price": Decimal(0)}, "price"),
        ({"price": Decimal("-1.5")}, "price"),
        ({"price": Decimal("NaN")}, "price"),
        ({"price": Decimal("Infinity")}, "price"),
        ({"price": 1.5}, "price"),
        ({"size": Decimal(0)}, "size"),
        ({"symbol": ""}, "symbol"),
        ({"trade_id": ""}, "trade_id"),
        ({"trade_ts_ms": 0}, "trade_ts_ms"),
        ({"trade_ts_ms": 253_402_300_800_000}, "trade_ts_ms"),
        ({"trade_id": "x" * 257}, "trade_id"),
        ({"trade_ts_ms": True}, "trade_ts_ms"),
        ({"received_ts_ms": 1.5}, "received_ts_ms"),
        ({"side": "long"}, "side"),
        ({"source": "nyse"}, "source"),
    ],
)
def test_validation_names_the_bad_field(change: dict[str, object], field: str) -> None:
    with pytest.raises(BadFrame, match=field):
        replace(TRADE, **change)


@pytest.mark.parametrize(
    ("wire", "reason"),
    [
        (b"{not json", "invalid JSON"),
        (b"[1, 2]", "not a JSON object"),
        (b'{"source": "finnhub"}', "missing field"),
        (json.dumps({**json.loads(TRADE.to_json()), "price": 95000.1}), "not float"),
        (json.dumps({**json.loads(TRADE.to_json()), "size": "lots"}), "size is not a number"),
    ],
)
def test_from_json_rejects_bad_messages(wire: bytes | str, reason: str) -> None:
    with pytest.raises(BadFrame, match=reason):
        Trade.from_json(wire)


def test_synthetic_trade_id_is_deterministic_and_separates_fills() -> None:
    args = ("finnhub", "BINANCE:BTCUSDT", Decimal("95000.1"), Decimal("0.5"), 1_735_689_600_123)
    first = synthetic_trade_id(*args, 0)
    assert first == synthetic_trade_id(*args, 0)
    assert len(first) == 32 and int(first, 16) >= 0
    assert first != synthetic_trade_id(*args, 1)
    assert first != synthetic_trade_id("simulator", *args[1:], 0)


@pytest.mark.parametrize(("side", "simulated", "from_history"), [(None, False, False), ("buy", True, True)])
@pytest.mark.parametrize(
    "feed_symbol", ["BINANCE:BTCUSDT", 'ODD:"QUOTE"\\USD', "KRAKEN:ÉTH/USD", "CTRL:\n\x7f", "ETHE-USD"]
)
@pytest.mark.parametrize(("size", "plain"), [("0.25", "0.25"), ("1E-8", "0.00000001"), ("1.5E+3", "1500")])
def test_to_json_is_exactly_what_json_dumps_writes(
    feed_symbol: str, side: str | None, simulated: bool, from_history: bool, size: str, plain: str
) -> None:
    trade = Trade(
        source="finnhub", symbol="BTC-USD", feed_symbol=feed_symbol, price=Decimal("95000.10"),
        size=Decimal(size), trade_ts_ms=1_767_225_600_123, received_ts_ms=1_767_225_600_456,
        trade_id='id-"7"', side=side, simulated=simulated, from_history=from_history,
    )  # fmt: skip
    expected = {
        "source": trade.source, "symbol": trade.symbol, "feed_symbol": feed_symbol, "price": "95000.10",
        "size": plain, "trade_ts_ms": trade.trade_ts_ms, "received_ts_ms": trade.received_ts_ms,
        "trade_id": 'id-"7"', "side": side, "simulated": simulated, "from_history": from_history,
    }  # fmt: skip
    assert trade.to_json() == json.dumps(expected, separators=(",", ":")).encode()


def test_decimal_text_is_always_plain_notation() -> None:
    rng = random.Random(7)
    values = [
        Decimal(v) for v in ("1E+2", "1e-7", "0.00000010", "0E-12", "1.50", "5E+3", "123456789.123456789")
    ]
    values += [
        Decimal(rng.randint(1, 10 ** rng.randint(1, 12))).scaleb(rng.randint(-14, 6)) for _ in range(20_000)
    ]
    for value in values:
        assert decimal_text(value) == format(value, "f"), value
