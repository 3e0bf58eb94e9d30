"""Coinbase Exchange's public websocket, `matches` channel (no key needed).

`match` and `last_match` frames carry one trade each. Coinbase's `side` is the maker's side; the
canonical `side` is the taker's (the aggressor, as Kraken reports it), so it is flipped here.

History (https://docs.cdp.coinbase.com/exchange/reference/exchangerestapi_getproducttrades):
`GET /products/{product_id}/trades?after&limit`: the trades with ids below `after`, newest first, at
most 1000 a page, items `{"time","trade_id","price","size","side"}` (the maker's side again). It
pages by id only, so the first trade at a time is found by bisecting the ids (about 35 requests).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import httpx

from crypto_platform.prices.producer.feeds.base import (
    FieldNames,
    Missing,
    ParseResult,
    exchange_trade,
    get_json,
    integer,
    iso_ms,
    load_object,
    received_now_ms,
    trade_batch,
    unknown,
)
from crypto_platform.prices.symbols import STANDARD, SymbolMap
from crypto_platform.prices.trade import Trade

URL = "wss://ws-feed.exchange.coinbase.com"
SIMULATOR_PATH = "/coinbase"
REST_URL = "https://api.exchange.coinbase.com"
SIMULATOR_REST_PATH = "/coinbase"
CONSECUTIVE_IDS = True  # trade ids count up by one per symbol: a jump is a gap
DEFAULT_SYMBOLS = ("BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "ADA-USD", "DOGE-USD")

_FIELDS = FieldNames(symbol="product_id", price="price", size="size", time="time", trade_id="trade_id")
_TAKER_SIDE = {"buy": "sell", "sell": "buy"}


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """One message for all products, e.g. `["BTC-USD", "ETH-USD"]`."""
    return [json.dumps({"type": "subscribe", "product_ids": list(symbols), "channels": ["matches"]})]


def parse(
    raw: str | bytes, received_ts_ms: int, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> ParseResult:
    frame = load_object(raw)
    kind = frame.get("type")
    if kind in ("match", "last_match"):
        side = _TAKER_SIDE.get(frame.get("side"))
        return trade_batch(
            [frame],
            lambda _index, item: exchange_trade(
                item, _FIELDS, "coinbase", received_ts_ms, side, symbols, simulated
            ),
        )
    if kind in ("subscriptions", "heartbeat"):
        return ParseResult("control")
    if kind == "error":
        parts = (frame.get("message"), frame.get("reason"))
        return ParseResult("error", error=": ".join(str(part) for part in parts if part) or "error frame")
    raise unknown("frame type", kind)


def history(
    client: httpx.Client, base: str, missing: Missing, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> list[Trade]:
    """The trades of `missing`, page by page back from its last id, oldest first."""
    trades: list[Trade] = []
    after = missing.last_id + 1
    while after > missing.first_id:
        params = {"after": after, "limit": min(1000, after - missing.first_id)}
        page = get_json(client, f"{base}/products/{missing.feed_symbol}/trades", params)
        if not page:
            break
        received = received_now_ms()
        for item in page:
            if missing.first_id <= integer(item, "trade_id") <= missing.last_id:
                fields = {**item, "product_id": missing.feed_symbol}
                side = _TAKER_SIDE.get(item.get("side"))
                trades.append(
                    exchange_trade(fields, _FIELDS, "coinbase", received, side, symbols, simulated, True)
                )
        after = min(integer(item, "trade_id") for item in page)
    return sorted(trades, key=lambda t: int(t.trade_id))


def first_id_at(client: httpx.Client, base: str, feed_symbol: str, ts_ms: int) -> int | None:
    """The id of `feed_symbol`'s first trade at or after `ts_ms` (epoch ms UTC); None when none has
    traded since. Bisects the ids from 1 to the newest, one trade a request."""

    def trade_at(params: dict[str, int]) -> tuple[int, int] | None:
        page = get_json(client, f"{base}/products/{feed_symbol}/trades", {**params, "limit": 1})
        return (integer(page[0], "trade_id"), iso_ms(page[0], "time")) if page else None

    newest = trade_at({})
    if newest is None or newest[1] < ts_ms:
        return None
    low, high = 1, newest[0]  # the answer lies in [low, high]
    while low < high:
        middle = (low + high) // 2
        found = trade_at({"after": middle + 1})  # ids below middle + 1, newest first: middle itself
        if found is None or found[1] < ts_ms:  # times rise with ids: none up to middle is at ts_ms
            low = middle + 1
        else:
            high = middle
    return low
