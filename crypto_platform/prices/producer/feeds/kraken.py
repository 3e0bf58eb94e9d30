"""Kraken's v2 websocket, `trade` channel (no key needed).

Trade frames are `snapshot` (recent trades, sent on subscribe) or `update`; both become trades, so a
resubscribe repeats some trade ids. Kraken's `side` is already the taker's.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from crypto_platform.prices.producer.feeds.base import (
    FieldNames,
    ParseResult,
    exchange_trade,
    load_object,
    require,
    trade_batch,
    unknown,
)
from crypto_platform.prices.symbols import STANDARD, SymbolMap

URL = "wss://ws.kraken.com/v2"

_FIELDS = FieldNames(symbol="symbol", price="price", size="qty", time="timestamp", trade_id="trade_id")


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """One message for all pairs, e.g. `["BTC/USD", "ETH/USD"]`."""
    return [json.dumps({"method": "subscribe", "params": {"channel": "trade", "symbol": list(symbols)}})]


def parse(raw: str | bytes, received_ts_ms: int, symbols: SymbolMap = STANDARD) -> ParseResult:
    frame = load_object(raw)
    if "method" in frame:  # a reply to one of our requests: subscribe ack, pong
        if frame.get("success") is False:
            return ParseResult("error", error=str(frame.get("error") or f"{frame['method']} failed"))
        return ParseResult("control")
    channel = frame.get("channel")
    if channel == "trade":
        return trade_batch(
            require(frame, "data"),
            lambda _index, item: exchange_trade(
                item, _FIELDS, "kraken", received_ts_ms, item.get("side"), symbols
            ),
        )
    if channel in ("heartbeat", "status"):
        return ParseResult("control")
    raise unknown("channel", channel)
