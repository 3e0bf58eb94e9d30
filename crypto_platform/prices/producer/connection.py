"""A feed's websocket connection that outlives disconnects, silent feeds and failed handshakes.

It runs in a thread of its own (`websocket-client` is blocking): connect, send the subscribe
messages, hand every frame to `on_frame`, and on any failure reconnect with exponential backoff
and full jitter, then resubscribe. No frame for `silence_timeout` seconds counts as a failure too:
a feed that stops talking without closing is the common way live feeds fail. A feed that limits a
connection's life (Binance: 24 hours) is reconnected at once after `max_session_seconds`. Each gap in the data
(last frame before a failure to first frame after it) is logged with its length and counted.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Sequence

import websocket

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.redaction import redact
from crypto_platform.prices.producer.counters import ProducerCounters

log = logging.getLogger(__name__)

FrameHandler = Callable[[bytes, int], None]


class _Renew(Exception):
    """The session reached `max_session_seconds`."""


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class FeedConnection:
    def __init__(
        self,
        url: str,
        subscribe_messages: Sequence[str],
        on_frame: FrameHandler,
        counters: ProducerCounters,
        silence_timeout: float,
        backoff: Backoff,
        max_session_seconds: float | None = None,
    ) -> None:
        self.url = url
        self.subscribe_messages = list(subscribe_messages)
        self.on_frame = on_frame
        self.counters = counters
        self.silence_timeout = silence_timeout
        self.backoff = backoff
        self.max_session_seconds = max_session_seconds
        self._stop = threading.Event()
        self._ws: websocket.WebSocket | None = None
        self._last_frame = time.monotonic()  # of the last frame, or of the start
        self._gap_since: float | None = None  # monotonic time of the last frame before a failure
        self._gap_reason = ""
        self.connected = False
        """Whether a session is subscribed and reading; else `problem` says why, since `problem_since`."""
        self.problem = "not connected yet"
        self.problem_since = time.time()

    def stop(self) -> None:
        """Ask `run` to return; wakes a blocked `recv` by aborting the socket."""
        self._stop.set()
        ws = self._ws
        if ws is not None:
            ws.abort()

    def run(self) -> None:
        """Connect and read until `stop()`; never raises for a feed failure."""
        while not self._stop.is_set():
            renew = False
            try:
                self._session()
                reason = "closed by the server"
            except _Renew:
                renew = True
                reason = f"renewed after {self.max_session_seconds:g}s, the feed's limit"
            except websocket.WebSocketTimeoutException:
                reason = f"no frame for {self.silence_timeout:g}s"
            except (websocket.WebSocketException, OSError) as exc:
                reason = f"{type(exc).__name__}: {exc}"
            if self._stop.is_set():
                return
            if self.connected:
                self.connected, self.problem_since = False, time.time()
            self.problem = reason
            if self._gap_since is None:
                self._gap_since, self._gap_reason = self._last_frame, reason
            self.counters.reconnects += 1
            delay = 0.0 if renew else self.backoff.next_delay()
            log.warning("feed %s lost (%s); reconnecting in %.2fs", redact(self.url), reason, delay)
            self._stop.wait(delay)

    def _session(self) -> None:
        """One connection, until the server closes it (returns) or it fails (raises)."""
        # UTF-8 is checked where the frame is parsed (a bad frame is dead-lettered there); websocket-client's
        # own pure-Python check costs ~0.8 ms per 10 kB frame and would drop the connection instead.
        ws = websocket.create_connection(
            self.url, timeout=self.silence_timeout, enable_multithread=True, skip_utf8_validation=True
        )
        self._ws = ws
        try:
            for message in self.subscribe_messages:
                ws.send(message)
            log.info(
                "connected to %s, subscribed with %d message(s)",
                redact(self.url),
                len(self.subscribe_messages),
            )
            self.connected = True
            ends = time.monotonic() + (self.max_session_seconds or float("inf"))
            while not self._stop.is_set():
                opcode, raw = ws.recv_data()
                if opcode == websocket.ABNF.OPCODE_CLOSE:
                    return
                self._last_frame = time.monotonic()
                self._end_gap(self._last_frame)
                self.on_frame(raw, now_ms())
                if self._last_frame >= ends:
                    raise _Renew
        finally:
            self._ws = None
            with contextlib.suppress(websocket.WebSocketException, OSError):
                ws.close(timeout=1)
            ws.shutdown()  # close() leaves the socket open after a server-initiated close

    def _end_gap(self, now: float) -> None:
        if self._gap_since is None:
            return
        gap = now - self._gap_since
        self.counters.gaps += 1
        self.counters.gap_seconds += gap
        log.warning("feed gap of %.2fs ended (%s)", gap, self._gap_reason)
        self._gap_since = None
        self.backoff.reset()
