"""The long-running producer: feed frames in, canonical trades to `crypto.trades`, bad input to the DLQ.

Threads and buffers: the feed connection reads in its own thread and hands each frame to the
asyncio loop through a bounded buffer (`producer_buffer_frames` slots). The pump parses frames and
hands records to the Kafka sink. If Kafka stalls, the pump stalls, the buffer fills, and the reader
waits `producer_buffer_wait` seconds for room before dropping the frame, loudly and counted.
SIGTERM stops the reader, drains the buffer and flushes the sink, so nothing buffered is lost; when
Kafka does not acknowledge everything within `producer_stop_timeout` seconds, the rest is spooled
to disk and sent first on the next start.

Health (the status file, `crypto-platform status`, and the check `producer_progress` in Dagster):
producing; waiting (Kafka or the feed does not answer: retried with backoff); stalled (trades
received and none acknowledged for `producer_stall_seconds`).
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
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import missing_topics
from crypto_platform.clients.redaction import redact
from crypto_platform.prices.gc_tuning import freeze_startup_objects
from crypto_platform.prices.health import Health, HealthReport, health_file, write_health
from crypto_platform.prices.producer import spool
from crypto_platform.prices.producer.connection import FeedConnection
from crypto_platform.prices.producer.counters import ProducerCounters
from crypto_platform.prices.producer.feeds import FEEDS, finnhub
from crypto_platform.prices.producer.feeds.base import ParseResult
from crypto_platform.prices.producer.sink import KafkaSink, Record
from crypto_platform.prices.producer.spool import spool_dir
from crypto_platform.prices.symbols import SymbolMap, parse_overrides
from crypto_platform.prices.trade import BadFrame, LiveTimeBound
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
CLOSE_SECONDS = 1.0
"""Of the stop timeout, what is kept for spooling and closing the Kafka client."""


@dataclass(frozen=True)
class FeedTarget:
    url: str
    source: str
    symbols: list[str]
    subscribe_messages: Callable[[Sequence[str]], list[str]]
    parse: Callable[[str | bytes, int], ParseResult]
    simulated: bool = False
    """The local simulator stands in for the feed."""


def feed_target(settings: Settings) -> FeedTarget:
    """Which feed to read and where: a configured URL, the feed's own, or the local simulator.
    Raises SymbolError when a symbol to subscribe cannot be mapped to BASE-QUOTE, or an override
    in PRODUCER_SYMBOL_MAP is not FEED_SYMBOL=BASE-QUOTE."""
    feed = settings.producer_feed
    module = FEEDS[feed]
    symbols = settings.producer_symbols or DEFAULT_SYMBOLS[feed]
    symbol_map = SymbolMap(parse_overrides(settings.producer_symbol_map))
    symbol_map.check(symbols)
    if feed != "finnhub":
        url = settings.producer_feed_url or module.URL
        parse = functools.partial(module.parse, symbols=symbol_map)
        return FeedTarget(url, feed, symbols, module.subscribe_messages, parse)
    key = settings.finnhub_api_key.get_secret_value() if settings.finnhub_api_key else "local"
    simulated = settings.use_simulator
    base = f"ws://{LOCAL_HOST}:{settings.simulator_port}" if simulated else settings.producer_feed_url
    parse = functools.partial(finnhub.parse, simulated=simulated, symbols=symbol_map)
    url = finnhub.url(key, base or finnhub.URL)
    return FeedTarget(url, "finnhub", symbols, finnhub.subscribe_messages, parse, simulated)


def dead_letter(reason: str, raw: Any, source: str, received_ts_ms: int) -> Record:
    """A DLQ message: why, what arrived (as text) and from where. Keyed by source."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    body = {"reason": reason, "source": source, "received_ts_ms": received_ts_ms, "raw": raw}
    return source.encode(), json.dumps(body, default=str).encode()


class TopicMissing(RuntimeError):
    """A topic the producer writes does not exist on the (reachable) broker."""


class ProducerService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.target = feed_target(settings)
        self.counters = ProducerCounters()
        self.time_bound = LiveTimeBound.from_seconds(
            settings.trade_max_age_seconds, settings.trade_max_ahead_seconds
        )
        self.health = Health()
        self.status_file = health_file(settings.home, "producer")
        self.spool = spool_dir(settings.home)
        self._dagster = HealthReport(
            settings.dagster_api if settings.report_to_dagster else None,
            "crypto_trades_topic",
            "producer_progress",
        )
        self._buffer: asyncio.Queue[tuple[str | bytes, int]] = asyncio.Queue()
        self._slots = threading.BoundedSemaphore(settings.producer_buffer_frames)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()
        self._last_drop_log = 0.0
        self._acknowledged = (0, time.time())  # produced + dead-lettered, and when that last moved
        self._reports_to_dagster = False  # only once it is a working producer: see _report_every
        self.connection = FeedConnection(
            self.target.url,
            self.target.subscribe_messages(self.target.symbols),
            self._on_frame,
            self.counters,
            settings.producer_silence_timeout,
            Backoff(settings.producer_backoff_initial, settings.producer_backoff_max),
        )
        self.sink = KafkaSink(
            settings.kafka,
            self.counters,
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
        """Produce until SIGTERM, SIGINT or `stop()`, then stop within `producer_stop_timeout`
        seconds, whatever Kafka does: records it has not acknowledged by then go to the spool, which
        the next start sends first. Raises TopicMissing, at once, when a topic does not exist."""
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
        reporter = asyncio.create_task(self._report_every(self.settings.producer_report_interval))
        reader = threading.Thread(target=self.connection.run, name="feed-reader", daemon=True)
        pump: asyncio.Task | None = None
        try:
            if await self._unless_stopping(self.sink.start()):
                await self._require_topics()
                self._reports_to_dagster = True
                pump = asyncio.create_task(self._pump())
                if await self._unless_stopping(self._replay_spool()):
                    reader.start()
                    await self._stopping.wait()
        finally:
            await self._shut_down(reader, pump)
            reporter.cancel()
            self._report()

    async def _unless_stopping(self, work: Coroutine[Any, Any, None]) -> bool:
        """Run `work` unless a stop comes first (then cancel it); returns whether it finished."""
        task, stopping = asyncio.create_task(work), asyncio.create_task(self._stopping.wait())
        await asyncio.wait([task, stopping], return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            return False
        task.result()
        return True

    async def _require_topics(self) -> None:
        topics = [self.settings.kafka_topic_trades, self.settings.kafka_topic_dlq]
        if missing := await missing_topics(self.settings.kafka, topics):
            raise TopicMissing(
                f"Kafka topic(s) {', '.join(missing)} do not exist on "
                f"{self.settings.kafka.bootstrap_servers}: "
                "create them (`crypto-platform up` does) or set KAFKA_TOPIC_TRADES / KAFKA_TOPIC_DLQ"
            )

    async def _replay_spool(self) -> None:
        """Send what earlier stops spooled, before any new trade; delete each file once acknowledged."""
        for path in spool.files(self.spool):
            records = spool.load(path)
            log.info("producer: sending %d record(s) spooled in %s", len(records), path.name)
            by_topic: dict[str, list[Record]] = {}
            for topic, message in records:
                by_topic.setdefault(topic, []).append(message)
            for topic, messages in by_topic.items():
                await self.sink.send(topic, messages, dead_letters=topic == self.settings.kafka_topic_dlq)
            await self.sink.flush()
            path.unlink()

    async def _shut_down(self, reader: threading.Thread, pump: asyncio.Task | None) -> None:
        """Drain and flush until the stop timeout (less a second to spool and close the Kafka
        client); then spool whatever Kafka has not acknowledged."""
        end = time.monotonic() + self.settings.producer_stop_timeout
        deadline = end - CLOSE_SECONDS
        log.info("producer: stopping; draining %d buffered frame(s)", self._buffer.qsize())
        self.connection.stop()
        if reader.is_alive():
            await asyncio.to_thread(reader.join, max(0.0, deadline - time.monotonic()))
        if pump is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._drained(), max(0.0, deadline - time.monotonic()))
            pump.cancel()
            await asyncio.gather(pump, return_exceptions=True)
        leftovers = self.sink.unacknowledged() + self._parse_buffered()
        if leftovers:
            path = spool.save(self.spool, leftovers)
            log.warning("producer: Kafka did not acknowledge %d record(s) in time; spooled to %s",
                        len(leftovers), path)  # fmt: skip
        await self.sink.close(timeout=max(0.1, end - time.monotonic()))

    async def _drained(self) -> None:
        await self._buffer.join()
        await self.sink.flush()

    def _parse_buffered(self) -> list[spool.SpooledRecord]:
        """The records of frames still waiting in the buffer (parsed, not sent)."""
        trades: list[Record] = []
        dead: list[Record] = []
        while not self._buffer.empty():
            self._parse(*self._buffer.get_nowait(), trades, dead)
        return [(self.settings.kafka_topic_trades, m) for m in trades] + [
            (self.settings.kafka_topic_dlq, m) for m in dead
        ]

    # ---- feed reader thread -> loop ----------------------------------------------------------
    def _on_frame(self, raw: str | bytes, received_ts_ms: int) -> None:
        """Called in the reader thread for every frame."""
        if not self._slots.acquire(timeout=self.settings.producer_buffer_wait):
            self.counters.dropped_frames += 1
            now = time.monotonic()
            if now - self._last_drop_log > 5:
                self._last_drop_log = now
                log.error(
                    "BUFFER FULL: Kafka is not taking records; %d frame(s) dropped so far",
                    self.counters.dropped_frames,
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
            trades: list[Record] = []
            dead: list[Record] = []
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

    def _parse(self, raw: str | bytes, received_ts_ms: int, trades: list[Record], dead: list[Record]) -> None:
        """Append the frame's trades and its dead letters to the lists for the topics."""
        self.counters.frames += 1
        source = self.target.source
        try:
            result = self.target.parse(raw, received_ts_ms)
        except BadFrame as exc:
            dead.append(dead_letter(exc.reason, raw, source, received_ts_ms))
            return
        if result.kind == "ping":
            self.counters.pings += 1
        elif result.kind == "error":
            self.counters.feed_errors += 1
            log.warning("feed error frame from %s: %s", source, result.error)
        for trade in result.trades:
            if reason := self.time_bound.refusal(trade):  # a live frame's time: see LiveTimeBound
                dead.append(dead_letter(reason, trade.to_json(), source, received_ts_ms))
            else:
                trades.append((trade.key(), trade.to_json()))
                self.counters.trades += 1
        dead += [dead_letter(reason, item, source, received_ts_ms) for item, reason in result.rejected]

    # ---- reporting ---------------------------------------------------------------------------

    async def _report_every(self, interval: float) -> None:
        """From the start the status file (this home's) says what the producer is doing; Dagster is
        told each change once Kafka took it and its topics exist, so that a producer that never
        worked (another home, a wrong topic: it exits at once) cannot overwrite the state of the one
        that does."""
        while True:
            self._report()
            if self._reports_to_dagster:
                await asyncio.to_thread(self._dagster.send, self.health)
            await asyncio.sleep(interval)

    def _report(self) -> None:
        self._assess()
        log.info("producer: %s %s", self.health.describe(), self.counters.summary())
        write_health(
            self.status_file,
            self.health,
            {
                **self.counters.as_dict(),
                "source": self.target.source,
                "simulated": self.target.simulated,
                "buffered": self._buffer.qsize(),
            },
        )

    def _assess(self) -> None:
        """Producing, or waiting for Kafka or the feed, or stalled: trades received and none
        acknowledged for `producer_stall_seconds`."""
        now = time.time()
        acknowledged = self.counters.produced + self.counters.dead_lettered
        if acknowledged != self._acknowledged[0] or not self.sink.unacknowledged():
            self._acknowledged = (acknowledged, now)
        if self.sink.waiting_since is not None:
            self.health.set("waiting", self.sink.waiting_reason, self.sink.waiting_since)
        elif now - self._acknowledged[1] >= self.settings.producer_stall_seconds:
            waiting = len(self.sink.unacknowledged()) + self._buffer.qsize()
            reason = f"{waiting} record(s) handed to Kafka or buffered, none acknowledged"
            self.health.set("stalled", reason, self._acknowledged[1])
        elif not self.connection.connected:
            self.health.set("waiting", f"feed: {self.connection.problem}", self.connection.problem_since)
        else:
            self.health.set("producing")
