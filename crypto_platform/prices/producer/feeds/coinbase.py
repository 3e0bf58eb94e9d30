"""Coinbase Exchange's public websocket, `matches` channel (no key needed).

`match` and `last_match` frames carry one trade each. Coinbase's `side` is the maker's side; the
canonical `side` is the taker's (the aggressor, as Kraken reports it), so it is flipped here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from crypto_platform.prices.producer.feeds.base import (
    FieldNames,
    ParseResult,
    exchange_trade,
    load_object,
    trade_batch,
    unknown,
)
from crypto_platform.prices.symbols import STANDARD, SymbolMap

URL = "wss://ws-feed.exchange.coinbase.com"

_FIELDS = FieldNames(symbol="product_id", price="price", size="size", time="time", trade_id="trade_id")
_TAKER_SIDE = {"buy": "sell", "sell": "buy"}


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """One message for all products, e.g. `["BTC-USD", "ETH-USD"]`."""
    return [json.dumps({"type": "subscribe", "product_ids": list(symbols), "channels": ["matches"]})]


def parse(raw: str | bytes, received_ts_ms: int, symbols: SymbolMap = STANDARD) -> ParseResult:
    frame = load_object(raw)
    kind = frame.get("type")
    if kind in ("match", "last_match"):
        side = _TAKER_SIDE.get(frame.get("side"))
        return trade_batch(
            [frame],
            lambda _index, item: exchange_trade(item, _FIELDS, "coinbase", received_ts_ms, side, symbols),
        )
    if kind in ("subscriptions", "heartbeat"):
        return ParseResult("control")
    if kind == "error":
        parts = (frame.get("message"), frame.get("reason"))
        return ParseResult("error", error=": ".join(str(part) for part in parts if part) or "error frame")
    raise unknown("frame type", kind)
