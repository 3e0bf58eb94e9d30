"""The local Finnhub: its trade websocket and its news REST endpoint on one port.

One port serves both, through websockets' `process_request` hook: a plain HTTP GET to `/api/v1/news`
(or `/health`) is answered there, anything else goes on to the websocket handshake. So the producer
reaches `ws://HOST:PORT/?token=...` and the news job `http://HOST:PORT/api/v1/news?...`, exactly like
`wss://ws.finnhub.io` and `https://finnhub.io/api/v1`.

Every frame sent is counted after it is written (`counters`), so tests can check that what the
simulator sent equals what arrived in Kafka plus the dead letters.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.market import SimTrade
from crypto_platform.simulator.news_archive import news_for_date
from crypto_platform.simulator.session import FeedSession, Frame, error_frame

log = logging.getLogger(__name__)


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
            if record:
                self.sent.extend(frame.trades)

    def add(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy; `trades_total` and `malformed_total` sum their counters."""
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
            }

    def sent_trades(self) -> list[SimTrade]:
        with self._lock:
            return list(self.sent)


def _json_response(status: HTTPStatus, payload: Any) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = Headers(
        [
            ("Content-Type", "application/json; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ]
    )
    return Response(status.value, status.phrase, headers, body)


class FinnhubSimulator:
    """`await start()`, then `port`, `ws_url()`, `http_url`; `await stop()`. Sync code: `run_in_thread`."""

    def __init__(self, config: SimulatorConfig | None = None) -> None:
        self.config = config or SimulatorConfig()
        self.counters = Counters()
        self._server: Server | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._paused = False
        self._sending = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the simulator is not started")
        return self._server.sockets[0].getsockname()[1]

    def ws_url(self, token: str = "simulator") -> str:
        return f"ws://{self.config.host}:{self.port}/?token={token}"

    @property
    def http_url(self) -> str:
        """Finnhub's REST base: append `/news?category=crypto&token=...`."""
        return f"http://{self.config.host}:{self.port}/api/v1"

    async def start(self) -> None:
        # A short close timeout: stop() must not hang on a client that never answers the close.
        self._loop = asyncio.get_running_loop()
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

    # ---- REST ---------------------------------------------------------------------------------

    def _http(self, _connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        if url.path == "/health":
            return _json_response(HTTPStatus.OK, {"status": "ok", **self.counters.snapshot()})
        if url.path != "/api/v1/news":
            return None  # the websocket handshake
        params = {name: values[0] for name, values in parse_qs(url.query).items()}
        if not params.get("token"):
            return _json_response(HTTPStatus.UNAUTHORIZED, {"error": "Please use an API key."})
        try:
            min_id = int(params.get("minId", "0"))
            # `date` is our extension for backfills; Finnhub itself serves only the latest news.
            day = date.fromisoformat(params["date"]) if "date" in params else datetime.now(UTC).date()
        except ValueError as exc:
            return _json_response(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
        if params.get("category") != "crypto":
            return _json_response(HTTPStatus.OK, [])
        now = time.time()
        items = [
            item
            for item in news_for_date(day, self.config.seed)
            if item["id"] > min_id and item["datetime"] <= now  # today's later news is not out yet
        ]
        return _json_response(HTTPStatus.OK, items)

    # ---- websocket ----------------------------------------------------------------------------

    async def _handle(self, websocket: ServerConnection) -> None:
        connection = self.counters.connections
        self.counters.add("connections")
        sent = [0]  # frames on this connection, for drop_after_frames
        token = parse_qs(urlsplit(websocket.request.path).query).get("token", [""])[0]
        if not token:
            with contextlib.suppress(ConnectionClosed):
                await self._send(websocket, error_frame("Invalid API key"), sent)
                await websocket.close(1008, "invalid API key")
            return
        start_ms = self.config.start_ms or int(time.time() * 1000)
        session = FeedSession(self.config, connection, start_ms)
        sender = asyncio.create_task(self._send_ticks(websocket, session, sent))
        try:
            async for message in websocket:
                reply = _apply(session, message)
                if reply is not None:
                    await self._send(websocket, reply, sent)
        except ConnectionClosed:
            pass
        finally:
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionClosed):
                await sender

    async def _send_ticks(self, websocket: ServerConnection, session: FeedSession, sent: list[int]) -> None:
        """One tick's frames every `tick` seconds; when behind (a slow client), catch up without sleeping."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        tick = 0
        while True:
            tick += 1
            await asyncio.sleep(max(0.0, began + tick * self.config.tick - loop.time()))
            for frame in session.next_frames():
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


def _apply(session: FeedSession, message: str | bytes) -> Frame | None:
    """A client message: subscribe/unsubscribe, or an error frame back as Finnhub does."""
    try:
        request = json.loads(message)
        kind, symbol = request["type"], request["symbol"]
    except (ValueError, TypeError, KeyError):
        return error_frame("Invalid message")
    if not isinstance(symbol, str) or not symbol:
        return error_frame("Invalid symbol")
    if kind == "subscribe":
        session.subscribe(symbol)
    elif kind == "unsubscribe":
        session.unsubscribe(symbol)
    else:
        return error_frame(f"Unknown message type {kind!r}")
    return None


@contextlib.contextmanager
def run_in_thread(config: SimulatorConfig | None = None) -> Iterator[FinnhubSimulator]:
    """The simulator on its own event loop in a daemon thread, for synchronous code and tests."""
    simulator = FinnhubSimulator(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="finnhub-simulator", daemon=True)
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
