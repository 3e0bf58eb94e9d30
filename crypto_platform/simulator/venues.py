"""One small adapter per venue: its websocket frames and client messages, and its REST trade history.

Each adapter speaks the real venue's documented format (cited in its docstring) over the trades of
`market`, and answers errors as the venue does. REST serves only trades whose time has passed: at or
before `now_ms - delay` (the venue's arrival delay), so the history of any past range is exactly
what the websocket streamed, or would have streamed during a gap.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from crypto_platform.prices.symbols import STANDARD
from crypto_platform.prices.trade import BadFrame
from crypto_platform.simulator import market
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.market import VENUES, SimTrade, Venue
from crypto_platform.simulator.news_archive import news_for_date

if TYPE_CHECKING:
    from crypto_platform.simulator.session import FeedSession


@dataclass(frozen=True, slots=True)
class Frame:
    text: str
    kind: str  # "trade", "ping", "error", "control" or "malformed" (a frame that is not even JSON)
    trades: tuple[SimTrade, ...] = ()  # the valid trades it carries
    malformed: str | None = None  # the malformed kind it carries: worth exactly one dead letter


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status, JSON body, extra headers."""

    status: int
    body: Any
    headers: tuple[tuple[str, str], ...] = ()


def compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def iso(ts_ms: int) -> str:
    """ISO 8601 UTC with microseconds, as Coinbase and Kraken write times: 2025-01-01T00:00:00.123000Z."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts_ms // 1000)) + f".{ts_ms % 1000:03d}000Z"


def _plain(value: Decimal) -> str:
    return f"{value:f}"


def _int(params: Mapping[str, str], name: str, default: int | None = None) -> int | None:
    """An integer parameter; ValueError when present but not one."""
    return int(params[name]) if params.get(name, "") != "" else default


class Protocol:
    """The websocket and REST of one venue; the defaults are those of a venue without extras."""

    venue: Venue
    defaults: tuple[str, ...]
    """The venue's default feed symbols (what `config.rate` is shared over)."""

    def open(self, session: FeedSession, query: Mapping[str, str]) -> tuple[list[Frame], bool]:
        """Frames to send on connect (from the URL's `query`), and whether to close after them."""
        return [], False

    def handle(self, session: FeedSession, message: str | bytes) -> list[Frame]:
        """Replies to one client message (subscribe, unsubscribe, ...)."""
        raise NotImplementedError

    def trade_frames(self, trades: list[SimTrade], max_batch: int) -> list[Frame]:
        raise NotImplementedError

    def finish(self, session: FeedSession, frames: list[Frame]) -> list[Frame]:
        """A tick's frames in sending order, from its trade frames: with any faults and a due
        keep-alive added."""
        return frames

    def rest(
        self, path: str, params: Mapping[str, str], config: SimulatorConfig, now_ms: int
    ) -> Reply | None:
        """The answer to GET `path` (after the venue prefix); None when it is no REST path here."""
        return None

    def too_many_requests(self) -> Reply:
        return Reply(429, {"message": "Too Many Requests"}, (("Retry-After", "1"),))

    def is_websocket(self, path: str) -> bool:
        raise NotImplementedError

    def horizon(self, now_ms: int) -> int:
        """The last trade time that exists yet."""
        return now_ms - self.venue.delay_ms


# ---- Finnhub ------------------------------------------------------------------------------------


class Finnhub(Protocol):
    """Finnhub's trade websocket (https://finnhub.io/docs/api/websocket-trades): batches
    `{"type":"trade","data":[{"p","s","t","v","c"}]}`, `{"type":"ping"}` every `ping_interval`, and
    `{"type":"error","msg"}`; the simulator's faults (error and malformed frames) live here. REST:
    the crypto news (https://finnhub.io/docs/api/market-news), no trade history."""

    venue = VENUES["finnhub"]
    defaults = tuple(f"BINANCE:{base}USDT" for base in ("BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE"))
    PING = '{"type":"ping"}'

    def open(self, session: FeedSession, query: Mapping[str, str]) -> tuple[list[Frame], bool]:
        if not query.get("token"):
            return [error_frame("Invalid API key")], True
        return [], False

    def handle(self, session: FeedSession, message: str | bytes) -> list[Frame]:
        try:
            request = json.loads(message)
            kind, symbol = request["type"], request["symbol"]
        except (ValueError, TypeError, KeyError):
            return [error_frame("Invalid message")]
        if not isinstance(symbol, str) or not symbol:
            return [error_frame("Invalid symbol")]
        if kind == "subscribe":
            session.subscribe(symbol)
        elif kind == "unsubscribe":
            session.unsubscribe(symbol)
        else:
            return [error_frame(f"Unknown message type {kind!r}")]
        return []

    def trade_frames(self, trades: list[SimTrade], max_batch: int) -> list[Frame]:
        return [
            _finnhub_frame(trades[start : start + max_batch]) for start in range(0, len(trades), max_batch)
        ]

    def finish(self, session: FeedSession, frames: list[Frame]) -> list[Frame]:
        config, faults = session.config, session.faults
        if faults.random() < config.malformed_ratio:
            frames = _spoil(session, frames, faults.choice(config.malformed_kinds))
        if faults.random() < config.error_ratio:
            frames.append(error_frame("Simulated upstream error"))
        if session.ticks % max(1, round(config.ping_interval / config.tick)) == 0:
            frames.append(Frame(self.PING, "ping"))
        return frames

    def rest(
        self, path: str, params: Mapping[str, str], config: SimulatorConfig, now_ms: int
    ) -> Reply | None:
        if path != "/api/v1/news":
            return None
        if not params.get("token"):
            return Reply(401, {"error": "Please use an API key."})
        try:
            min_id = _int(params, "minId", 0) or 0
            # `date` is our extension for backfills; Finnhub itself serves only the latest news.
            day = date.fromisoformat(params["date"]) if "date" in params else datetime.now(UTC).date()
        except ValueError as exc:
            return Reply(400, {"error": str(exc)})
        if params.get("category") != "crypto":
            return Reply(200, [])
        now = time.time()  # news is published on the wall clock
        items = [
            item
            for item in news_for_date(day, config.seed)
            if item["id"] > min_id and item["datetime"] <= now  # today's later news is not out yet
        ]
        return Reply(200, items)

    def too_many_requests(self) -> Reply:
        return Reply(429, {"error": "API limit reached. Please try again later."}, (("Retry-After", "1"),))

    def is_websocket(self, path: str) -> bool:
        return path in ("", "/")


def error_frame(message: str) -> Frame:
    return Frame(compact({"type": "error", "msg": message}), "error")


def _finnhub_item(trade: SimTrade) -> dict[str, Any]:
    # Finnhub sends price and volume as JSON numbers; the grid keeps them short and exact as floats.
    return {"c": None, "p": float(trade.price), "s": trade.symbol, "t": trade.ts_ms, "v": float(trade.size)}


def _finnhub_frame(trades: list[SimTrade], bad: tuple[str, dict[str, Any]] | None = None) -> Frame:
    items = [_finnhub_item(trade) for trade in trades]
    if bad is not None:
        items.append(bad[1])
    return Frame(compact({"data": items, "type": "trade"}), "trade", tuple(trades), bad[0] if bad else None)


def _spoil(session: FeedSession, frames: list[Frame], kind: str) -> list[Frame]:
    """`frames` with one malformed thing: a truncated frame, or a bad item appended to the last trade
    batch."""
    if kind == "bad_json":
        return [*frames, Frame('{"data":[{"p":1.5,"s":', "malformed", malformed=kind)]
    if frames:
        trades = list(frames[-1].trades)
        template = _finnhub_item(trades[-1])
    elif session.symbols:
        trades = []
        template = _finnhub_item(session.history(session.symbols[0], 1)[0]._replace(ts_ms=session.clock_ms))
    else:
        return frames  # nothing subscribed: no symbol to spoil
    if kind == "missing_p":
        del template["p"]
    else:
        template["p"] = -template["p"]
    return [*frames[:-1], _finnhub_frame(trades, (kind, template))]


# ---- Coinbase -----------------------------------------------------------------------------------


class Coinbase(Protocol):
    """Coinbase Exchange. Websocket `matches` channel
    (https://docs.cdp.coinbase.com/exchange/websocket-feed/channels#match): `subscriptions`, one
    `last_match` per product, then `match` frames; `side` is the MAKER's side. REST
    `GET /products/{product_id}/trades` (https://docs.cdp.coinbase.com/exchange/reference/
    exchangerestapi_getproducttrades) with cursor pagination
    (https://docs.cdp.coinbase.com/exchange/rest-api/pagination): newest first, `limit` (default 100,
    at most 1000), `after=X` for ids < X, `before=X` for ids > X; headers CB-BEFORE (the page's
    highest id) and CB-AFTER (its lowest)."""

    venue = VENUES["coinbase"]
    defaults = ("BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "ADA-USD", "DOGE-USD")

    def handle(self, session: FeedSession, message: str | bytes) -> list[Frame]:
        try:
            request = json.loads(message)
            kind = request["type"]
            products = list(request.get("product_ids", []))
            for channel in request.get("channels", []):
                if isinstance(channel, dict):
                    products += channel.get("product_ids", [])
        except (ValueError, TypeError, KeyError, AttributeError):
            return [self._error("Failed to subscribe", "malformed message")]
        if kind not in ("subscribe", "unsubscribe"):
            return [self._error("Failed to subscribe", f"{kind} is not a valid message type")]
        if unknown := [p for p in products if not _mappable(p)]:
            return [self._error("Failed to subscribe", f"{unknown[0]} is not a valid product")]
        new = [p for p in products if session.subscribe(p)] if kind == "subscribe" else []
        if kind == "unsubscribe":
            for product in products:
                session.unsubscribe(product)
        reply = {"type": "subscriptions", "channels": [{"name": "matches", "product_ids": session.symbols}]}
        frames = [Frame(compact(reply), "control")]
        for product in new:
            last = session.history(product, 1)[0]
            frames.append(Frame(compact(self._match(last, "last_match")), "trade", (last,)))
        return frames

    def trade_frames(self, trades: list[SimTrade], max_batch: int) -> list[Frame]:
        return [Frame(compact(self._match(trade, "match")), "trade", (trade,)) for trade in trades]

    @staticmethod
    def _error(message: str, reason: str) -> Frame:
        return Frame(compact({"type": "error", "message": message, "reason": reason}), "error")

    @staticmethod
    def _match(trade: SimTrade, kind: str) -> dict[str, Any]:
        assert trade.trade_id is not None
        return {
            "type": kind,
            "trade_id": trade.trade_id,
            "maker_order_id": _order_id(trade, "maker"),
            "taker_order_id": _order_id(trade, "taker"),
            "side": _MAKER_SIDE[trade.side],
            "size": _plain(trade.size),
            "price": _plain(trade.price),
            "product_id": trade.symbol,
            "sequence": trade.trade_id * 4,  # Coinbase's per-product sequence also counts order events
            "time": iso(trade.ts_ms),
        }

    def rest(
        self, path: str, params: Mapping[str, str], config: SimulatorConfig, now_ms: int
    ) -> Reply | None:
        parts = path.split("/")
        if len(parts) != 4 or parts[1] != "products" or parts[3] != "trades":
            return None
        product = parts[2]
        if not _mappable(product) or "-" not in product:
            return Reply(404, {"message": "NotFound"})
        try:
            limit = min(1000, max(1, _int(params, "limit", 100) or 100))
            after, before = _int(params, "after"), _int(params, "before")
        except ValueError:
            return Reply(400, {"message": "Invalid parameters"})
        seed, name, rate = config.seed, self.venue.name, config.rate
        newest = market.last_trade(seed, name, product, self.horizon(now_ms), rate).trade_id
        assert newest is not None
        if after is not None:
            first, last = after - limit, min(after - 1, newest)
        elif before is not None:
            first, last = before + 1, min(before + limit, newest)
        else:
            first, last = newest - limit + 1, newest
        page = market.trades_by_id(seed, name, product, first, last, rate)[::-1]
        items = [
            {
                "time": iso(t.ts_ms),
                "trade_id": t.trade_id,
                "price": _plain(t.price),
                "size": _plain(t.size),
                "side": _MAKER_SIDE[t.side],
            }
            for t in page
        ]
        headers = (("CB-BEFORE", str(page[0].trade_id)), ("CB-AFTER", str(page[-1].trade_id))) if page else ()
        return Reply(200, items, headers)

    def is_websocket(self, path: str) -> bool:
        return path in ("", "/")


_MAKER_SIDE = {"buy": "sell", "sell": "buy"}


def _order_id(trade: SimTrade, role: str) -> str:
    """A stable UUID for the trade's maker or taker order."""
    digest = hashlib.blake2b(f"{trade.symbol}:{trade.trade_id}:{role}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=digest, version=4))


def _mappable(feed_symbol: Any) -> bool:
    if not isinstance(feed_symbol, str) or not feed_symbol:
        return False
    try:
        STANDARD.symbol(feed_symbol)
    except BadFrame:
        return False
    return True


KRAKEN_KEYS = {"BTC-USD": "XXBTZUSD", "ETH-USD": "XETHZUSD", "XRP-USD": "XXRPZUSD", "DOGE-USD": "XDGUSD"}
"""Kraken's REST result keys for its oldest pairs; the rest answer under their altname (SOLUSD)."""


# ---- Kraken -------------------------------------------------------------------------------------


class Kraken(Protocol):
    """Kraken. Websocket v2 `trade` channel (https://docs.kraken.com/api/docs/websocket-v2/trade):
    one ack per symbol, a `snapshot` of the last 50 trades, then `update` frames (numbers as JSON
    numbers, `side` the taker's), `{"channel":"heartbeat"}` each second without trades. REST
    `GET /0/public/Trades` (https://docs.kraken.com/api/docs/rest-api/get-recent-trades): `since` a
    timestamp in seconds (trades from its ms on) or the nanosecond cursor `last` gave (trades after
    the last one given); up to `count` (default and at most 1000) trades, ascending, as
    `[price, volume, time, "b"|"s", "m"|"l", "", trade_id]`; without `since`, the latest `count`."""

    venue = VENUES["kraken"]
    defaults = ("BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD", "DOGE/USD")
    SNAPSHOT = 50

    def handle(self, session: FeedSession, message: str | bytes) -> list[Frame]:
        try:
            request = json.loads(message)
            method = request["method"]
        except (ValueError, TypeError, KeyError):
            return [Frame(compact({"error": "Malformed request", "success": False}), "error")]
        stamp = {"time_in": iso(round(session.clock_ms)), "time_out": iso(round(session.clock_ms))}
        extra = {"req_id": request["req_id"]} if "req_id" in request else {}
        if method == "ping":
            return [Frame(compact({"method": "pong", **extra, **stamp}), "control")]
        params = request.get("params") or {}
        symbols = params.get("symbol") if isinstance(params, dict) else None
        if method not in ("subscribe", "unsubscribe") or params.get("channel") != "trade" or not symbols:
            reply = {"error": "Invalid request", "method": method, "success": False, **extra, **stamp}
            return [Frame(compact(reply), "error")]
        frames = []
        for symbol in symbols:
            if not _mappable(symbol) or "/" not in symbol:
                reply = {"error": f"Currency pair not supported {symbol}", "method": method, "success": False}
                frames.append(Frame(compact({**reply, "symbol": symbol, **extra, **stamp}), "error"))
                continue
            fresh = session.subscribe(symbol) if method == "subscribe" else session.unsubscribe(symbol)
            result = {"channel": "trade", "symbol": symbol} | (
                {"snapshot": True} if method == "subscribe" else {}
            )
            ack = {"method": method, "result": result, "success": True, **extra, **stamp}
            frames.append(Frame(compact(ack), "control"))
            if method == "subscribe" and fresh and params.get("snapshot", True):
                snapshot = session.history(symbol, self.SNAPSHOT)
                frames.append(self._frame("snapshot", snapshot))
        return frames

    def trade_frames(self, trades: list[SimTrade], max_batch: int) -> list[Frame]:
        by_symbol: dict[str, list[SimTrade]] = {}
        for trade in trades:
            by_symbol.setdefault(trade.symbol, []).append(trade)
        return [
            self._frame("update", group[start : start + max_batch])
            for group in by_symbol.values()
            for start in range(0, len(group), max_batch)
        ]

    def finish(self, session: FeedSession, frames: list[Frame]) -> list[Frame]:
        if session.clock_ms - session.last_trade_frame_ms >= 1000:
            session.last_trade_frame_ms = session.clock_ms
            return [*frames, Frame('{"channel":"heartbeat"}', "ping")]
        return frames

    def _frame(self, kind: str, trades: list[SimTrade]) -> Frame:
        data = [
            {
                "symbol": t.symbol,
                "side": t.side,
                "price": float(t.price),
                "qty": float(t.size),
                "ord_type": _order_type(t),
                "trade_id": t.trade_id,
                "timestamp": iso(t.ts_ms),
            }
            for t in trades
        ]
        return Frame(compact({"channel": "trade", "type": kind, "data": data}), "trade", tuple(trades))

    def rest(
        self, path: str, params: Mapping[str, str], config: SimulatorConfig, now_ms: int
    ) -> Reply | None:
        if path != "/0/public/Trades":
            return None
        pair = params.get("pair", "").upper()
        keys = {key: symbol for symbol, key in KRAKEN_KEYS.items()}
        try:
            symbol = keys.get(pair) or STANDARD.symbol(pair)
        except BadFrame:
            return Reply(200, {"error": ["EQuery:Unknown asset pair"]})
        feed_symbol = symbol.replace("-", "/")
        try:
            count = min(1000, max(1, _int(params, "count", 1000) or 1000))
            since = params.get("since")
            since_ns = None if not since else _since_ns(Decimal(since))
        except (ValueError, ArithmeticError):
            return Reply(200, {"error": ["EGeneral:Invalid arguments"]})
        seed, name, rate, horizon = config.seed, self.venue.name, config.rate, self.horizon(now_ms)
        if since_ns is None:
            newest = market.last_trade(seed, name, feed_symbol, horizon, rate).trade_id
            assert newest is not None
            found = market.trades_by_id(seed, name, feed_symbol, newest - count + 1, newest, rate)
        else:
            found = []
            start, seen = divmod(since_ns, 1_000_000)
            while len(found) < count + seen and start <= horizon:
                end = min(horizon + 1, (start // market.MINUTE_MS + 1) * market.MINUTE_MS)
                found += market.trades(seed, name, feed_symbol, start, end, rate)
                start = end
            found = found[seen : seen + count]
        rows = [
            [_plain(t.price), _plain(t.size), t.ts_ms / 1000, t.side[0], _order_type(t)[0], "", t.trade_id]
            for t in found
        ]
        last = _kraken_ns(seed, rate, found[-1]) if found else (since_ns or horizon * 1_000_000)
        key = KRAKEN_KEYS.get(symbol, pair.replace("/", ""))
        return Reply(200, {"error": [], "result": {key: rows, "last": str(last)}})

    def too_many_requests(self) -> Reply:
        return Reply(429, {"error": ["EGeneral:Too many requests"]}, (("Retry-After", "1"),))

    def is_websocket(self, path: str) -> bool:
        return path == "/v2"


def _since_ns(since: Decimal) -> int:
    """Kraken's `since`: nanoseconds, or seconds with a fraction (read exactly, not as a float)."""
    return int(since if since > 10**12 else since * 10**9)


def _kraken_ns(seed: int, rate: float, trade: SimTrade) -> int:
    """A trade's place as a `since` cursor: its ms in ns plus its rank among the trades of that ms
    (1-based). Kraken's times are unique nanoseconds; ours are milliseconds several trades share, so
    the cursor counts the ones of its ms already given."""
    same_ms = market.trades(seed, trade.venue, trade.symbol, trade.ts_ms, trade.ts_ms + 1, rate)
    return trade.ts_ms * 1_000_000 + same_ms.index(trade) + 1


def _order_type(trade: SimTrade) -> str:
    """The taker's order type: mostly market orders, one in five a marketable limit order."""
    return "limit" if (trade.trade_id or 0) % 5 == 0 else "market"


# ---- Binance ------------------------------------------------------------------------------------


class Binance(Protocol):
    """Binance spot. Websocket combined streams (https://developers.binance.com/docs/binance-spot-api-docs/
    web-socket-streams): `/stream?streams=btcusdt@trade/...` and SUBSCRIBE/UNSUBSCRIBE messages;
    frames `{"stream","data":{"e":"trade","E","s","t","p","q","T","m","M"}}`, `m` = the buyer is the
    maker. REST (https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints):
    `GET /api/v3/historicalTrades?symbol&fromId&limit` and `GET /api/v3/aggTrades?symbol&fromId&
    startTime&endTime&limit` (each simulated trade its own aggregate), `limit` default 500, at most
    1000, ascending."""

    venue = VENUES["binance"]
    defaults = ("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT", "ADAUSDT", "DOGEUSDT")

    def open(self, session: FeedSession, query: Mapping[str, str]) -> tuple[list[Frame], bool]:
        for stream in filter(None, query.get("streams", "").split("/")):
            if symbol := self._symbol(stream):
                session.subscribe(symbol)
        return [], False

    def handle(self, session: FeedSession, message: str | bytes) -> list[Frame]:
        try:
            request = json.loads(message)
        except ValueError:
            return [Frame(compact({"code": 3, "msg": "Invalid JSON"}), "error")]
        if not isinstance(request, dict) or not isinstance(request.get("params", []), list):
            return [Frame(compact({"code": 2, "msg": "Invalid request"}), "error")]
        method, ident = request.get("method"), request.get("id")
        if method == "LIST_SUBSCRIPTIONS":
            streams = [f"{symbol.lower()}@trade" for symbol in session.symbols]
            return [Frame(compact({"result": streams, "id": ident}), "control")]
        if method not in ("SUBSCRIBE", "UNSUBSCRIBE"):
            return [
                Frame(
                    compact({"code": 2, "msg": f"Invalid request: unknown method {method}", "id": ident}),
                    "error",
                )
            ]
        symbols = [self._symbol(stream) for stream in request.get("params", [])]
        if not all(symbols):
            return [
                Frame(compact({"code": 2, "msg": "Invalid request: unknown stream", "id": ident}), "error")
            ]
        for symbol in symbols:
            (session.subscribe if method == "SUBSCRIBE" else session.unsubscribe)(symbol)
        return [Frame(compact({"result": None, "id": ident}), "control")]

    @staticmethod
    def _symbol(stream: Any) -> str | None:
        if not isinstance(stream, str) or not stream.endswith("@trade"):
            return None
        symbol = stream.removesuffix("@trade").upper()
        return symbol if _mappable(symbol) else None

    def trade_frames(self, trades: list[SimTrade], max_batch: int) -> list[Frame]:
        delay = self.venue.delay_ms
        return [
            Frame(
                compact(
                    {
                        "stream": f"{t.symbol.lower()}@trade",
                        "data": {
                            "e": "trade",
                            "E": t.ts_ms + delay,
                            "s": t.symbol,
                            "t": t.trade_id,
                            "p": f"{t.price:.8f}",
                            "q": f"{t.size:.8f}",
                            "T": t.ts_ms,
                            "m": t.side == "sell",
                            "M": True,
                        },
                    }
                ),
                "trade",
                (t,),
            )
            for t in trades
        ]

    def rest(
        self, path: str, params: Mapping[str, str], config: SimulatorConfig, now_ms: int
    ) -> Reply | None:
        if path not in ("/api/v3/historicalTrades", "/api/v3/aggTrades"):
            return None
        symbol = params.get("symbol", "")
        if not symbol or symbol != symbol.upper() or not _mappable(symbol) or ":" in symbol:
            return Reply(400, {"code": -1121, "msg": "Invalid symbol."})
        try:
            limit = _int(params, "limit", 500) or 500
            from_id, start, end = _int(params, "fromId"), _int(params, "startTime"), _int(params, "endTime")
        except ValueError:
            return Reply(400, {"code": -1100, "msg": "Illegal characters found in a parameter."})
        if not 1 <= limit <= 1000:
            return Reply(400, {"code": -1130, "msg": "Invalid data sent for a parameter."})
        seed, name, rate, horizon = config.seed, self.venue.name, config.rate, self.horizon(now_ms)
        newest = market.last_trade(seed, name, symbol, horizon, rate).trade_id
        assert newest is not None
        if from_id is not None:
            found = market.trades_by_id(seed, name, symbol, from_id, min(from_id + limit - 1, newest), rate)
        elif start is not None and path.endswith("aggTrades"):
            stop = min(horizon, end if end is not None else start + 3_600_000)
            found = market.trades(seed, name, symbol, start, stop + 1, rate)[:limit]
        else:
            found = market.trades_by_id(seed, name, symbol, newest - limit + 1, newest, rate)
        render: Callable[[SimTrade], dict[str, Any]] = (
            _historical if path.endswith("historicalTrades") else _aggregate
        )
        return Reply(200, [render(t) for t in found])

    def too_many_requests(self) -> Reply:
        body = {"code": -1003, "msg": "Too many requests; current limit is 6000 request weight per 1 MINUTE."}
        return Reply(429, body, (("Retry-After", "1"),))

    def is_websocket(self, path: str) -> bool:
        return path == "/stream"


def _historical(t: SimTrade) -> dict[str, Any]:
    return {
        "id": t.trade_id,
        "price": f"{t.price:.8f}",
        "qty": f"{t.size:.8f}",
        "quoteQty": f"{t.price * t.size:.8f}",
        "time": t.ts_ms,
        "isBuyerMaker": t.side == "sell",
        "isBestMatch": True,
    }


def _aggregate(t: SimTrade) -> dict[str, Any]:
    return {
        "a": t.trade_id,
        "p": f"{t.price:.8f}",
        "q": f"{t.size:.8f}",
        "f": t.trade_id,
        "l": t.trade_id,
        "T": t.ts_ms,
        "m": t.side == "sell",
        "M": True,
    }


FINNHUB = Finnhub()
PROTOCOLS: dict[str, Protocol] = {p.venue.name: p for p in (FINNHUB, Coinbase(), Kraken(), Binance())}
"""Every venue's adapter, by venue name (the first segment of its paths)."""
