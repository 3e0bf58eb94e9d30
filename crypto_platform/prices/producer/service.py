"""The long-running producer: feed frames in, canonical trades to `crypto.trades`, bad input to the DLQ.

Threads and buffers: the feed connection reads in its own thread and hands each frame to the
asyncio loop through a bounded buffer (`producer_buffer_frames` slots). The pump parses frames and
hands records to the Kafka sink. If Kafka stalls, the pump stalls, the buffer fills, and the reader
waits `producer_buffer_wait` seconds for room before dropping the frame, loudly and counted.
SIGTERM stops the reader, drains the buffer and flushes the sink, so nothing buffered is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import client_config
from crypto_platform.clients.redaction import redact
from crypto_platform.prices.gc_tuning import freeze_startup_objects
from crypto_platform.prices.producer.connection import FeedConnection
from crypto_platform.prices.producer.feeds import FEEDS, finnhub
from crypto_platform.prices.producer.feeds.base import ParseResult
from crypto_platform.prices.producer.sink import KafkaSink, Message
from crypto_platform.prices.producer.stats import ProducerStats
from crypto_platform.prices.trade import BadFrame
from crypto_platform.prices.worker_status import status_path
from crypto_platform.settings import LOCAL_HOST, Settings

log = logging.getLogger(__name__)

DEFAULT_SYMBOLS = {
    "finnhub": [
        "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:BNBUSDT",
        "BINANCE:XRPUSDT", "BINANCE:ADAUSDT", "BINANCE:DOGEUSDT",
    ],
    "coinbase": ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "ADA-USD", "DOGE-USD"],
    "kraken": ["BTC/USD", "ETH/USD", "SOL/USD", "XRP/USD", "ADA/USD", "DOGE/USD"],
}  # fmt: skip


PUMP_BATCH_FRAMES = 64


@dataclass(frozen=True)
class FeedTarget:
    url: str
    source: str
    symbols: list[str]
    subscribe_messages: Callable[[Sequence[str]], list[str]]
    parse: Callable[[str | bytes, int], ParseResult]


def feed_target(settings: Settings) -> FeedTarget:
    """Which feed to read and where: a configured URL, the feed's own, or the local simulator."""
    feed = settings.producer_feed
    module = FEEDS[feed]
    symbols = settings.producer_symbols or DEFAULT_SYMBOLS[feed]
    if feed != "finnhub":
        url = settings.producer_feed_url or module.URL
        return FeedTarget(url, feed, symbols, module.subscribe_messages, module.parse)
    key = settings.finnhub_api_key.get_secret_value() if settings.finnhub_api_key else "local"
    if settings.use_simulator:
        base, source = f"ws://{LOCAL_HOST}:{settings.simulator_port}", "simulator"
    else:
        base, source = settings.producer_feed_url or finnhub.URL, "finnhub"
    parse = functools.partial(finnhub.parse, source=source)
    return FeedTarget(finnhub.url(key, base), source, symbols, finnhub.subscribe_messages, parse)


def dead_letter(reason: str, raw: Any, source: str, received_ts_ms: int) -> Message:
    """A DLQ message: why, what arrived (as text) and from where. Keyed by source."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    body = {"reason": reason, "source": source, "received_ts_ms": received_ts_ms, "raw": raw}
    return source.encode(), json.dumps(body, default=str).encode()


class ProducerService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.target = feed_target(settings)
        self.stats = ProducerStats()
        self.status_file = status_path(settings.home, "producer")
        self._buffer: asyncio.Queue[tuple[str | bytes, int]] = asyncio.Queue()
        self._slots = threading.BoundedSemaphore(settings.producer_buffer_frames)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()
        self._last_drop_log = 0.0
        self.connection = FeedConnection(
            self.target.url,
            self.target.subscribe_messages(self.target.symbols),
            self._on_frame,
            self.stats,
            settings.producer_silence_timeout,
            Backoff(settings.producer_backoff_initial, settings.producer_backoff_max),
        )
        self.sink = KafkaSink(
            client_config(settings),
            self.stats,
            Backoff(settings.producer_backoff_initial, settings.producer_backoff_max),
            linger_ms=settings.producer_linger_ms,
            compression_type=settings.producer_compression,
            max_batch_size=512 * 1024,
        )
        freeze_startup_objects()

    def stop(self) -> None:
        """Thread-safe: begin a graceful shutdown."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(RuntimeError, ValueError):  # not the main thread (tests)
                self._loop.add_signal_handler(sig, self._stopping.set)
        log.info(
            "producer: %s from %s, %d symbols",
            self.target.source,
            redact(self.target.url),
            len(self.target.symbols),
        )
        await self.sink.start()
        reader = threading.Thread(target=self.connection.run, name="feed-reader", daemon=True)
        reader.start()
        pump = asyncio.create_task(self._pump())
        reporter = asyncio.create_task(self._report_every(self.settings.producer_report_interval))
        await self._stopping.wait()
        log.info("producer: stopping; draining %d buffered frame(s)", self._buffer.qsize())
        self.connection.stop()
        await asyncio.to_thread(reader.join, 10)
        await self._buffer.join()
        pump.cancel()
        await self.sink.stop()
        reporter.cancel()
        self._report()

    # ---- feed reader thread -> loop ----------------------------------------------------------

    def _on_frame(self, raw: str | bytes, received_ts_ms: int) -> None:
        """Called in the reader thread for every frame."""
        if not self._slots.acquire(timeout=self.settings.producer_buffer_wait):
            self.stats.dropped_frames += 1
            now = time.monotonic()
            if now - self._last_drop_log > 5:
                self._last_drop_log = now
                log.error(
                    "BUFFER FULL: Kafka is not taking records; %d frame(s) dropped so far",
                    self.stats.dropped_frames,
                )
            return
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._buffer.put_nowait, (raw, received_ts_ms))

    # ---- loop: parse and send ----------------------------------------------------------------

    async def _pump(self) -> None:
        """Parse whatever frames are waiting (up to `PUMP_BATCH_FRAMES`) and send them as one batch."""
        while True:
            frames = [await self._buffer.get()]
            while len(frames) < PUMP_BATCH_FRAMES and not self._buffer.empty():
                frames.append(self._buffer.get_nowait())
            trades: list[Message] = []
            dead: list[Message] = []
            try:
                for raw, received_ts_ms in frames:
                    self._parse(raw, received_ts_ms, trades, dead)
                await self.sink.send(self.settings.kafka_topic_trades, trades)
                if dead:
                    await self.sink.send(self.settings.kafka_topic_dlq, dead, dead_letters=True)
            finally:
                for _ in frames:
                    self._slots.release()
                    self._buffer.task_done()

    def _parse(
        self, raw: str | bytes, received_ts_ms: int, trades: list[Message], dead: list[Message]
    ) -> None:
        """Append the frame's trades and its dead letters to the lists for the topics."""
        self.stats.frames += 1
        source = self.target.source
        try:
            result = self.target.parse(raw, received_ts_ms)
        except BadFrame as exc:
            dead.append(dead_letter(exc.reason, raw, source, received_ts_ms))
            return
        if result.kind == "ping":
            self.stats.pings += 1
        elif result.kind == "error":
            self.stats.feed_errors += 1
            log.warning("feed error frame from %s: %s", source, result.error)
        self.stats.trades += len(result.trades)
        trades += [(t.key(), t.to_json()) for t in result.trades]
        dead += [dead_letter(reason, item, source, received_ts_ms) for item, reason in result.rejected]

    # ---- reporting ---------------------------------------------------------------------------

    async def _report_every(self, interval: float) -> None:
        """From the moment Kafka answers: the status file then says the producer is up."""
        while True:
            self._report()
            await asyncio.sleep(interval)

    def _report(self) -> None:
        log.info("producer: %s", self.stats.summary())
        self.stats.write(self.status_file, source=self.target.source, buffered=self._buffer.qsize())
