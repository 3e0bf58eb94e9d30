"""Finnhub's trade websocket (also spoken by the local simulator).

Frames: `{"type":"trade","data":[{"p","s","t","v","c"}]}` batches, `{"type":"ping"}` and
`{"type":"error","msg":...}`. Finnhub trades carry no id, so each gets a deterministic synthetic one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from crypto_platform.producer.feeds.base import (
    ParseResult,
    decimal,
    integer,
    load_object,
    text,
    trade_batch,
    unknown,
)
from crypto_platform.producer.trade import Trade, normalise_symbol, synthetic_trade_id

URL = "wss://ws.finnhub.io"


def url(token: str, base: str = URL) -> str:
    """The websocket address with the API key; `base` points elsewhere, e.g. at the simulator."""
    return f"{base}?{urlencode({'token': token})}"


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """Finnhub takes one subscribe message per symbol."""
    return [json.dumps({"type": "subscribe", "symbol": symbol}) for symbol in symbols]


def parse(raw: str | bytes, received_ts_ms: int, source: str = "finnhub") -> ParseResult:
    """`source` is "simulator" when the same protocol comes from the local simulator."""
    frame = load_object(raw)
    kind = frame.get("type")
    if kind == "trade":
        return trade_batch(frame.get("data"), lambda index, item: _trade(item, index, source, received_ts_ms))
    if kind == "ping":
        return ParseResult("ping")
    if kind == "error":
        return ParseResult("error", error=str(frame.get("msg") or "error frame without a message"))
    raise unknown("frame type", kind)


def _trade(item: dict[str, Any], index: int, source: str, received_ts_ms: int) -> Trade:
    feed_symbol = text(item, "s")
    price, size, trade_ts_ms = decimal(item, "p"), decimal(item, "v"), integer(item, "t")
    return Trade(
        source=source,
        symbol=normalise_symbol(feed_symbol),
        feed_symbol=feed_symbol,
        price=price,
        size=size,
        trade_ts_ms=trade_ts_ms,
        received_ts_ms=received_ts_ms,
        trade_id=synthetic_trade_id(source, feed_symbol, price, size, trade_ts_ms, index),
    )
