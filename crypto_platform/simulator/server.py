"""One simulated market seen through four exchanges, on one port: routing, the clock and control.

Each venue lives at `/<venue>` + the path of its real URL (the Finnhub websocket also at `/`, its
news at `/api/v1/news`, as before):

    ws://H:P/?token=T  ws://H:P/finnhub/?token=T      Finnhub trades   http://H:P/api/v1/news
    ws://H:P/coinbase                                  Coinbase matches http://H:P/coinbase/products/{id}/trades
    ws://H:P/kraken/v2                                 Kraken v2 trade  http://H:P/kraken/0/public/Trades
    ws://H:P/binance/stream?streams=btcusdt@trade      Binance trades   http://H:P/binance/api/v3/historicalTrades
                                                                        http://H:P/binance/api/v3/aggTrades

Plain HTTP GETs are answered in websockets' `process_request` hook; the websocket paths go on to the
handshake. `/health` gives the counters; `/control/drop|silence|omit|rate_limit?venue=V&...` are the
test hooks (also methods, callable from any thread).

The clock (ms since the epoch, UTC) is the wall clock, or `config.start_ms` plus the time since
start when that is set; every connection and every REST answer reads it. Every frame sent is counted
after it is written (`counters`), so tests can check that what the simulator sent equals what arrived
downstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.market import SimTrade
from crypto_platform.simulator.session import FeedSession
from crypto_platform.simulator.venues import PROTOCOLS, Frame, Protocol, Reply

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Counters:
    """What the simulator has sent, over all connections. Written on the server's loop; read anywhere
    through `snapshot()`."""

    connections: int = 0
    drops: int = 0
    frames_sent: int = 0
    trade_frames_sent: int = 0
    pings_sent: int = 0
    errors_sent: int = 0
    malformed_sent: Counter[str] = field(default_factory=Counter)
    trades_sent: Counter[str] = field(default_factory=Counter)
    """By feed symbol (BINANCE:BTCUSDT, BTC-USD, BTC/USD, BTCUSDT: each venue spells its own)."""
    venue_trades_sent: Counter[str] = field(default_factory=Counter)
    sent: list[SimTrade] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, frame: Frame, record: bool) -> None:
        with self._lock:
            self.frames_sent += 1
            if frame.kind == "trade":
                self.trade_frames_sent += 1
            self.pings_sent += frame.kind == "ping"
            self.errors_sent += frame.kind == "error"
            if frame.malformed:
                self.malformed_sent[frame.malformed] += 1
            for trade in frame.trades:
                self.trades_sent[trade.symbol] += 1
                self.venue_trades_sent[trade.venue] += 1
            if record:
                self.sent.extend(frame.trades)

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy; `trades_total` and `malformed_total` sum their counters, `venue_trades`
        counts trades by venue."""
        with self._lock:
            return {
                "connections": self.connections,
                "drops": self.drops,
                "frames_sent": self.frames_sent,
                "trade_frames_sent": self.trade_frames_sent,
                "pings_sent": self.pings_sent,
                "errors_sent": self.errors_sent,
                "malformed_sent": dict(self.malformed_sent),
                "malformed_total": self.malformed_sent.total(),
                "trades_sent": dict(self.trades_sent),
                "trades_total": self.trades_sent.total(),
                "venue_trades": dict(self.venue_trades_sent),
            }

    def sent_trades(self) -> list[SimTrade]:
        with self._lock:
            return list(self.sent)


@dataclass
class _VenueControl:
    """One venue's test hooks: send-time windows (clock ms, [start, end)) and refused requests."""

    silences: list[tuple[int, int]] = field(default_factory=list)
    omissions: list[tuple[int, int]] = field(default_factory=list)
    refuse_requests: int = 0


def _json_response(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    all_headers = Headers(
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
            *headers,
        ]
    )
    return Response(status, HTTPStatus(status).phrase, all_headers, body)


def _route(path: str) -> tuple[Protocol, str]:
    """The venue of a path and the path after its `/<venue>` prefix (Finnhub without a prefix)."""
    head, _, tail = path.lstrip("/").partition("/")
    if head in PROTOCOLS:
        return PROTOCOLS[head], "/" + tail if tail or path.endswith("/") else ""
    return PROTOCOLS["finnhub"], path


class MarketSimulator:
    """`await start()`, then `port`, `ws_url()`, `venue_ws_url()`, `rest_url()`, `http_url`;
    `await stop()`. Sync code: `run_in_thread`."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.counters = Counters()
        self._server: Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = time.monotonic()
        self._paused = False
        self._sending = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._controls = {venue: _VenueControl() for venue in PROTOCOLS}
        self._controls_lock = threading.Lock()
        self._live: dict[str, set[ServerConnection]] = {venue: set() for venue in PROTOCOLS}

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return self._server.sockets[0].getsockname()[1]

    def ws_url(self, token: str = "simulator") -> str:
        """Finnhub's websocket."""
        return f"ws://{self.config.host}:{self.port}/?token={token}"

    def venue_ws_url(self, venue: str) -> str:
        """The websocket of `venue`: `/finnhub/` (add `?token=`), `/coinbase`, `/kraken/v2`,
        `/binance/stream` (add `?streams=` or send SUBSCRIBE)."""
        paths = {
            "finnhub": "/finnhub/",
            "coinbase": "/coinbase",
            "kraken": "/kraken/v2",
            "binance": "/binance/stream",
        }
        return f"ws://{self.config.host}:{self.port}{paths[venue]}"

    def rest_url(self, venue: str) -> str:
        """The stand-in for the venue's REST base (https://api.exchange.coinbase.com,
        https://api.kraken.com, https://api.binance.com): append the venue's own paths."""
        return f"http://{self.config.host}:{self.port}/{venue}"

    @property
    def http_url(self) -> str:
        """Finnhub's REST base: append `/news?category=crypto&token=...`."""
        return f"http://{self.config.host}:{self.port}/api/v1"

    def now_ms(self) -> int:
        """The market's clock: ms since the epoch, UTC."""
        if self.config.start_ms is None:
            return int(time.time() * 1000)
        return self.config.start_ms + int((time.monotonic() - self._started) * 1000)

    async def start(self) -> None:
        # A short close timeout: stop() must not hang on a client that never answers the close.
        self._loop = asyncio.get_running_loop()
        self._started = time.monotonic()
        self._server = await serve(
            self._handle, self.config.host, self.config.port, process_request=self._http, close_timeout=1
        )

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def pause(self) -> None:
        """Stop sending feed frames; returns once no frame is still being sent, so that the counters
        hold still and a client that keeps reading gets everything they count."""
        self._paused = True
        await self._idle.wait()

    def pause_from_thread(self, timeout: float = 10) -> None:
        """`pause()` for code outside the simulator's loop (see `run_in_thread`)."""
        assert self._loop is not None, "start() first"
        asyncio.run_coroutine_threadsafe(self.pause(), self._loop).result(timeout)

    # ---- control ------------------------------------------------------------------------------

    def drop(self, venue: str) -> dict[str, Any]:
        """End every current websocket connection of `venue` abruptly: the TCP stream closes after what
        was written, with no websocket close (a network drop). Callable from any thread."""
        return self._on_loop(lambda: {"venue": venue, "dropped": self._drop_all(venue)})

    def silence(self, venue: str, seconds: float) -> dict[str, Any]:
        """Keep `venue`'s connections open but send nothing for `seconds`; the trades of that span are
        never streamed and stay in the REST history."""
        return self._window(venue, seconds, "silences")

    def omit(self, venue: str, seconds: float) -> dict[str, Any]:
        """`venue`'s websockets skip the trades of the next `seconds` but keep sending the rest (keep-
        alives, later trades): a trade-id jump inside a live connection."""
        return self._window(venue, seconds, "omissions")

    def rate_limit(self, venue: str, requests: int) -> dict[str, Any]:
        """Answer the next `requests` REST requests of `venue` with HTTP 429 and `Retry-After: 1`."""
        with self._controls_lock:
            self._controls[venue].refuse_requests += requests
        return {"venue": venue, "rate_limited_requests": requests}

    def _window(self, venue: str, seconds: float, kind: str) -> dict[str, Any]:
        start = self.now_ms()
        window = (start, start + round(seconds * 1000))
        with self._controls_lock:
            getattr(self._controls[venue], kind).append(window)
        return {"venue": venue, kind: {"start_ms": window[0], "end_ms": window[1]}}

    def _drop_all(self, venue: str) -> int:
        connections = list(self._live[venue])
        for websocket in connections:
            self.counters.add("drops")
            websocket.transport.close()
        return len(connections)

    def _on_loop(self, action: Callable[[], T]) -> T:
        assert self._loop is not None, "start() first"
        with contextlib.suppress(RuntimeError):
            if asyncio.get_running_loop() is self._loop:
                return action()

        async def run() -> T:
            return action()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def _control(self, action: str, params: dict[str, str]) -> Response:
        venue = params.get("venue", "")
        if venue not in PROTOCOLS:
            return _json_response(400, {"error": f"venue must be one of {sorted(PROTOCOLS)}"})
        try:
            if action == "drop":
                return _json_response(200, self.drop(venue))
            if action in ("silence", "omit"):
                seconds = float(params["seconds"])
                return _json_response(
                    200, (self.silence if action == "silence" else self.omit)(venue, seconds)
                )
            if action == "rate_limit":
                return _json_response(200, self.rate_limit(venue, int(params.get("requests", "1"))))
        except (KeyError, ValueError) as exc:
            return _json_response(400, {"error": f"bad parameters: {exc}"})
        return _json_response(404, {"error": f"unknown control {action!r}"})

    # ---- REST ---------------------------------------------------------------------------------

    def _http(self, _connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        params = {name: values[0] for name, values in parse_qs(url.query, keep_blank_values=True).items()}
        if url.path == "/health":
            return _json_response(200, {"status": "ok", **self.counters.snapshot()})
        if url.path.startswith("/control/"):
            return self._control(url.path.removeprefix("/control/"), params)
        protocol, path = _route(url.path)
        if protocol.is_websocket(path):
            return None  # the websocket handshake
        with self._controls_lock:
            control = self._controls[protocol.venue.name]
            refused = control.refuse_requests > 0
            control.refuse_requests -= refused
        reply = (
            protocol.too_many_requests()
            if refused
            else protocol.rest(path, params, self.config, self.now_ms())
        )
        if reply is None:
            reply = Reply(404, {"error": f"no such path {url.path}"})
        return _json_response(reply.status, reply.body, reply.headers)

    # ---- websocket ----------------------------------------------------------------------------

    async def _handle(self, websocket: ServerConnection) -> None:
        connection = self.counters.connections
        self.counters.add("connections")
        url = urlsplit(websocket.request.path)
        protocol, _ = _route(url.path)
        venue = protocol.venue.name
        session = FeedSession(self.config, connection, self.now_ms(), protocol)
        sent = [0]  # frames on this connection, for drop_after_frames
        self._live[venue].add(websocket)
        try:
            opening, close = protocol.open(session, {k: v[0] for k, v in parse_qs(url.query).items()})
            for frame in opening:
                await self._send(websocket, frame, sent)
            if close:
                await websocket.close(1008, "refused")
                return
            sender = asyncio.create_task(self._send_ticks(websocket, session, sent))
            try:
                async for message in websocket:
                    for reply in protocol.handle(session, message):
                        await self._send(websocket, reply, sent)
            finally:
                sender.cancel()
                with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                    await sender
        except ConnectionClosed:
            pass
        finally:
            self._live[venue].discard(websocket)

    async def _send_ticks(self, websocket: ServerConnection, session: FeedSession, sent: list[int]) -> None:
        """One tick's frames every `tick` seconds; when behind (a slow client), catch up without sleeping.
        During a silence only trades from before it may still go out; keep-alives do not."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        control = self._controls[session.venue.name]
        tick = 0
        while True:
            tick += 1
            await asyncio.sleep(max(0.0, began + tick * self.config.tick - loop.time()))
            now = self.now_ms()
            with self._controls_lock:
                silent = any(a <= now < b for a, b in control.silences)
                windows = control.silences + control.omissions
            frames = session.next_frames(now, windows)
            if silent:
                frames = [frame for frame in frames if frame.kind == "trade"]
            for frame in frames:
                if self._paused:
                    return
                await self._send(websocket, frame, sent)

    async def _send(self, websocket: ServerConnection, frame: Frame, sent: list[int]) -> None:
        self._sending += 1
        self._idle.clear()
        try:
            await websocket.send(frame.text)
            self.counters.count(frame, self.config.record)
        finally:
            self._sending -= 1
            if not self._sending:
                self._idle.set()
        sent[0] += 1
        if sent[0] == self.config.drop_after_frames:
            # Like a network drop: end the TCP stream after what was written, with no websocket close.
            # transport.close() flushes first, so every counted frame still reaches the client.
            self.counters.add("drops")
            log.info("dropping connection %s after %d frames", websocket.id, sent[0])
            websocket.transport.close()
            raise ConnectionClosed(None, None)


FinnhubSimulator = MarketSimulator
"""The former name, from when it spoke only Finnhub."""


@contextlib.contextmanager
def run_in_thread(config: SimulatorConfig | None = None) -> Iterator[MarketSimulator]:
    """The simulator on its own event loop in a daemon thread, for synchronous code and tests."""
    simulator = MarketSimulator(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="market-simulator", daemon=True)
    thread.start()
    try:
        asyncio.run_coroutine_threadsafe(simulator.start(), loop).result(timeout=10)
        try:
            yield simulator
        finally:
            asyncio.run_coroutine_threadsafe(simulator.stop(), loop).result(timeout=10)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()
