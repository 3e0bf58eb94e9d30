"""Kraken's v2 websocket, `trade` channel (no key needed).

Trade frames are `snapshot` (recent trades, sent on subscribe) or `update`; both become trades, so a
resubscribe repeats some trade ids. Kraken's `side` is already the taker's.

History (https://docs.kraken.com/api/docs/rest-api/get-recent-trades): `GET /0/public/Trades?pair&
since&count`: trades after `since` (ns), oldest first, at most 1000 a page, as
`{"error":[],"result":{<pair>:[[price,volume,time_s,side,ordertype,misc,trade_id],...],"last":ns}}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import httpx

from crypto_platform.prices.producer.feeds.base import (
    FieldNames,
    Missing,
    ParseResult,
    decimal,
    exchange_trade,
    get_json,
    integer,
    load_object,
    received_now_ms,
    require,
    trade_batch,
    unknown,
)
from crypto_platform.prices.symbols import STANDARD, SymbolMap
from crypto_platform.prices.trade import BadFrame, Trade

URL = "wss://ws.kraken.com/v2"
SIMULATOR_PATH = "/kraken/v2"
REST_URL = "https://api.kraken.com"
SIMULATOR_REST_PATH = "/kraken"
CONSECUTIVE_IDS = True  # trade ids count up by one per symbol: a jump is a gap
DEFAULT_SYMBOLS = ("BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD", "DOGE/USD")

_FIELDS = FieldNames(symbol="symbol", price="price", size="qty", time="timestamp", trade_id="trade_id")


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """One message for all pairs, e.g. `["BTC/USD", "ETH/USD"]`."""
    return [json.dumps({"method": "subscribe", "params": {"channel": "trade", "symbol": list(symbols)}})]


def parse(
    raw: str | bytes, received_ts_ms: int, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> ParseResult:
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
                item, _FIELDS, "kraken", received_ts_ms, item.get("side"), symbols, simulated
            ),
        )
    if channel in ("heartbeat", "status"):
        return ParseResult("control")
    raise unknown("channel", channel)


def history(
    client: httpx.Client, base: str, missing: Missing, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> list[Trade]:
    """The trades of `missing`, page by page from the time of the trade before them (Kraken pages
    by time: the ids pick exactly the missing ones)."""
    trades: list[Trade] = []
    since, newest = str(missing.start_ms * 1_000_000), missing.first_id - 1
    pair = missing.feed_symbol.replace("/", "")
    while newest < missing.last_id:
        answer = get_json(client, f"{base}/0/public/Trades", {"pair": pair, "since": since})
        if answer.get("error"):
            raise BadFrame(f"Kraken answered {answer['error']}")
        result: dict[str, Any] = answer["result"]
        rows = next((rows for key, rows in result.items() if key != "last"), [])
        received = received_now_ms()
        for row in rows:
            trade_id = integer({"id": row[6]}, "id")
            newest = max(newest, trade_id)
            if missing.first_id <= trade_id <= missing.last_id:
                trades.append(_history_trade(row, missing.feed_symbol, received, simulated, symbols))
        if not rows or str(result["last"]) == since:
            break
        since = str(result["last"])
    return trades


def _history_trade(
    row: list[Any], feed_symbol: str, received_ts_ms: int, simulated: bool, symbols: SymbolMap
) -> Trade:
    """`[price, volume, time_s, side, ordertype, misc, trade_id]` as the websocket would have sent it."""
    price, volume, time_s, side = row[:4]
    return Trade(
        source="kraken",
        symbol=symbols.symbol(feed_symbol),
        feed_symbol=feed_symbol,
        price=decimal({"price": price}, "price"),
        size=decimal({"qty": volume}, "qty"),
        trade_ts_ms=int(Decimal(str(time_s)) * 1000),
        received_ts_ms=received_ts_ms,
        trade_id=str(row[6]),
        side={"b": "buy", "s": "sell"}.get(side),
        simulated=simulated,
        from_history=True,
    )


def first_id_at(client: httpx.Client, base: str, feed_symbol: str, ts_ms: int) -> int | None:
    """The id of `feed_symbol`'s first trade at or after `ts_ms` (epoch ms UTC); None when none has
    traded since. One request: Kraken pages by time."""
    pair = feed_symbol.replace("/", "")
    answer = get_json(
        client, f"{base}/0/public/Trades", {"pair": pair, "since": str(ts_ms * 1_000_000), "count": 1}
    )
    if answer.get("error"):
        raise BadFrame(f"Kraken answered {answer['error']}")
    rows = next((rows for key, rows in answer["result"].items() if key != "last"), [])
    return integer({"id": rows[0][6]}, "id") if rows else None
