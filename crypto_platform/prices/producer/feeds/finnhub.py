"""Finnhub's trade websocket (also spoken by the local simulator).

Frames: `{"type":"trade","data":[{"p","s","t","v","c"}]}` batches, `{"type":"ping"}` and
`{"type":"error","msg":...}`. Finnhub trades carry no id, so each gets a deterministic synthetic one.

Frames are first decoded against their typed shape in msgspec's C decoder, which checks every field's
type at once (the producer's hot path). A frame that does not fit, or holds a trade that fails
validation, is parsed again item by item, which names each problem and keeps the good trades.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import msgspec

from crypto_platform.prices.producer.feeds.base import (
    ParseResult,
    decimal,
    integer,
    load_object,
    text,
    trade_batch,
    unknown,
)
from crypto_platform.prices.symbols import STANDARD, SymbolMap
from crypto_platform.prices.trade import BadFrame, Trade, synthetic_trade_id

URL = "wss://ws.finnhub.io"
SIMULATOR_PATH = "/"
CONSECUTIVE_IDS = False  # no trade ids: a gap shows only as a silence
DEFAULT_SYMBOLS = (
    "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:BNBUSDT",
    "BINANCE:XRPUSDT", "BINANCE:ADAUSDT", "BINANCE:DOGEUSDT",
)  # fmt: skip


def url(token: str, base: str = URL) -> str:
    """The websocket address with the API key; `base` points elsewhere, e.g. at the simulator."""
    return f"{base}?{urlencode({'token': token})}"


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """Finnhub takes one subscribe message per symbol."""
    return [json.dumps({"type": "subscribe", "symbol": symbol}) for symbol in symbols]


class _Item(msgspec.Struct, gc=False):
    p: Decimal  # price
    s: str  # symbol
    t: int  # trade time, epoch ms
    v: Decimal  # volume


class _Trades(msgspec.Struct, tag_field="type", tag="trade"):
    data: list[_Item]


class _Ping(msgspec.Struct, tag_field="type", tag="ping"):
    pass


class _Error(msgspec.Struct, tag_field="type", tag="error"):
    msg: Any = None


_FRAME = msgspec.json.Decoder(_Trades | _Ping | _Error)


def parse(
    raw: str | bytes, received_ts_ms: int, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> ParseResult:
    """`simulated` marks the trades when the same protocol comes from the local simulator (their
    source stays "finnhub"); `symbols` maps feed symbols (with the user's overrides)."""
    try:
        frame = _FRAME.decode(raw)
        if isinstance(frame, _Trades):
            trades = [
                _trade(simulated, symbols, received_ts_ms, index, item.s, item.p, item.v, item.t)
                for index, item in enumerate(frame.data)
            ]
            return ParseResult("trades", trades)
    except (msgspec.DecodeError, BadFrame):
        return _parse_item_by_item(raw, received_ts_ms, simulated, symbols)
    if isinstance(frame, _Ping):
        return ParseResult("ping")
    return _error(frame.msg)


def _parse_item_by_item(
    raw: str | bytes, received_ts_ms: int, simulated: bool, symbols: SymbolMap
) -> ParseResult:
    frame = load_object(raw)
    kind = frame.get("type")
    if kind == "trade":
        return trade_batch(
            frame.get("data"),
            lambda index, item: _trade(
                simulated,
                symbols,
                received_ts_ms,
                index,
                text(item, "s"),
                decimal(item, "p"),
                decimal(item, "v"),
                integer(item, "t"),
            ),
        )
    if kind == "ping":
        return ParseResult("ping")
    if kind == "error":
        return _error(frame.get("msg"))
    raise unknown("frame type", kind)


def _error(msg: Any) -> ParseResult:
    return ParseResult("error", error=str(msg or "error frame without a message"))


def _trade(
    simulated: bool,
    symbols: SymbolMap,
    received_ts_ms: int,
    index: int,
    feed_symbol: str,
    price: Decimal,
    size: Decimal,
    trade_ts_ms: int,
) -> Trade:
    return Trade(
        source="finnhub",
        symbol=symbols.symbol(feed_symbol),
        feed_symbol=feed_symbol,
        price=price,
        size=size,
        trade_ts_ms=trade_ts_ms,
        received_ts_ms=received_ts_ms,
        trade_id=synthetic_trade_id("finnhub", feed_symbol, price, size, trade_ts_ms, index),
        simulated=simulated,
    )
