"""Binance spot's public trade streams, combined (no key needed), and its trade history.

Source: https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams. Frames are
`{"stream":"btcusdt@trade","data":{"e":"trade","E","s","t","p","q","T","m","M"}}`: `t` the trade id
(consecutive per symbol), `T` the trade time in ms, `m` true when the buyer is the maker, so the
taker (the canonical `side`) sold. Replies to our requests are `{"result":null,"id":1}`; errors
`{"code":2,"msg":"Invalid request"}`. A connection lasts at most 24 hours, so the producer renews it
ahead of that (`MAX_SESSION_SECONDS`). Binance's pings are websocket control frames, which
websocket-client answers by itself.

History (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints,
"Old trade lookup"): `GET /api/v3/historicalTrades?symbol&fromId&limit`, ascending by id, at most
1000 a page, items `{"id","price","qty","quoteQty","time","isBuyerMaker"}`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import httpx

from crypto_platform.prices.producer.feeds.base import (
    Missing,
    ParseResult,
    decimal,
    feed_id,
    get_json,
    integer,
    load_object,
    received_now_ms,
    require,
    text,
    trade_batch,
    unknown,
)
from crypto_platform.prices.symbols import STANDARD, SymbolMap
from crypto_platform.prices.trade import Trade

URL = "wss://stream.binance.com:9443/stream"
SIMULATOR_PATH = "/binance/stream"
REST_URL = "https://api.binance.com"
SIMULATOR_REST_PATH = "/binance"
CONSECUTIVE_IDS = True  # trade ids count up by one per symbol: a jump is a gap
DEFAULT_SYMBOLS = ("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT")
MAX_SESSION_SECONDS = 23 * 3600.0
"""Renew the connection after 23 hours: Binance closes it at 24."""


def subscribe_messages(symbols: Sequence[str]) -> list[str]:
    """One SUBSCRIBE for all symbols, e.g. `["BTCUSDT"]` -> the stream `btcusdt@trade`."""
    streams = [f"{symbol.lower()}@trade" for symbol in symbols]
    return [json.dumps({"method": "SUBSCRIBE", "params": streams, "id": 1})]


def parse(
    raw: str | bytes, received_ts_ms: int, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> ParseResult:
    frame = load_object(raw)
    if "stream" in frame:
        data = require(frame, "data")
        if not isinstance(data, dict) or data.get("e") != "trade":
            raise unknown("event", data.get("e") if isinstance(data, dict) else data)
        return trade_batch([data], lambda _i, item: _trade(item, received_ts_ms, simulated, symbols))
    if "code" in frame:
        return ParseResult("error", error=f"{frame.get('msg') or 'error'} (code {frame['code']})")
    if "result" in frame:  # the reply to a SUBSCRIBE or LIST_SUBSCRIPTIONS
        return ParseResult("control")
    raise unknown("frame", sorted(frame))


def history(
    client: httpx.Client, base: str, missing: Missing, simulated: bool = False, symbols: SymbolMap = STANDARD
) -> list[Trade]:
    """The trades of `missing`, page by page from its first id (`base`: `REST_URL` or the simulator's)."""
    trades: list[Trade] = []
    next_id = missing.first_id
    while next_id <= missing.last_id:
        params = {
            "symbol": missing.feed_symbol,
            "fromId": next_id,
            "limit": min(1000, missing.last_id - next_id + 1),
        }
        page = get_json(client, f"{base}/api/v3/historicalTrades", params)
        if not page:
            break
        received = received_now_ms()
        for item in page:
            if integer(item, "id") <= missing.last_id:
                names = {"p": "price", "q": "qty", "T": "time", "t": "id", "m": "isBuyerMaker"}
                fields = {"s": missing.feed_symbol} | {short: item.get(long) for short, long in names.items()}
                trades.append(_trade(fields, received, simulated, symbols, from_history=True))
        next_id = integer(page[-1], "id") + 1
    return trades


def _trade(
    item: dict[str, Any], received_ts_ms: int, simulated: bool, symbols: SymbolMap, from_history: bool = False
) -> Trade:
    feed_symbol = text(item, "s")
    buyer_is_maker = require(item, "m")
    return Trade(
        source="binance",
        symbol=symbols.symbol(feed_symbol),
        feed_symbol=feed_symbol,
        price=decimal(item, "p"),
        size=decimal(item, "q"),
        trade_ts_ms=integer(item, "T"),
        received_ts_ms=received_ts_ms,
        trade_id=feed_id(item, "t"),
        side="sell" if buyer_is_maker is True else "buy" if buyer_is_maker is False else None,
        simulated=simulated,
        from_history=from_history,
    )


HOUR_MS = 3_600_000
"""aggTrades answers a startTime-endTime window of at most an hour."""


def first_id_at(client: httpx.Client, base: str, feed_symbol: str, ts_ms: int) -> int | None:
    """The id of `feed_symbol`'s first trade at or after `ts_ms` (epoch ms UTC); None when none has
    traded in the day after. `aggTrades` by time gives the first aggregate's first trade id (`f`),
    an hour's window a request."""
    for hour in range(24):
        start = ts_ms + hour * HOUR_MS
        params = {"symbol": feed_symbol, "startTime": start, "endTime": start + HOUR_MS - 1, "limit": 1}
        page = get_json(client, f"{base}/api/v3/aggTrades", params)
        if page:
            return integer(page[0], "f")
    return None
