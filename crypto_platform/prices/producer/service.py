"""The long-running producer: feed frames in, canonical trades to `crypto.trades`, bad input to the DLQ.

One process reads every feed of PRODUCER_FEEDS (one per process is as easy: PRODUCER_FEEDS=binance).
Threads and buffers: each feed's connection reads in its own thread and hands each frame to the
asyncio loop through one bounded buffer (`producer_buffer_frames` slots). The pump parses frames and
hands records to the Kafka sink. If Kafka stalls, the pump stalls, the buffer fills, and the readers
wait `producer_buffer_wait` seconds for room before dropping the frame, loudly and counted.
SIGTERM stops the readers, drains the buffer and flushes the sink, so nothing buffered is lost; when
Kafka does not acknowledge everything within `producer_stop_timeout` seconds, the rest is spooled
to disk and sent first on the next start.

Health, the producer's and each feed's (the status file, `crypto-platform status`, and each feed's
check `<feed>_feed_progress` in Dagster): producing; waiting (Kafka or the feed
does not answer: retried with backoff); stalled (trades received and none acknowledged for
`producer_stall_seconds`). The producer is producing while one of its feeds is.
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
from dataclasses import asdict, dataclass
from typing import Any

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import missing_topics
from crypto_platform.clients.redaction import redact
from crypto_platform.prices.gc_tuning import freeze_startup_objects
from crypto_platform.prices.health import Health, HealthReport, feed_check_name, health_file, write_health
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

PUMP_BATCH_FRAMES = 64
CLOSE_SECONDS = 1.0
"""Of the stop timeout, what is kept for spooling and closing the Kafka client."""


class FeedSettingsError(ValueError):
    """PRODUCER_FEEDS names an unknown feed, or a one-feed setting is given for several feeds."""


@dataclass(frozen=True)
class FeedTarget:
    """One feed to read: its name (the trades' `source`), where, which symbols, how to speak it."""

    name: str
    url: str
    symbols: list[str]
    subscribe_messages: Callable[[Sequence[str]], list[str]]
    parse: Callable[[str | bytes, int], ParseResult]
    simulated: bool = False
    """The local simulator stands in for the feed."""
    max_session_seconds: float | None = None


def feed_targets(settings: Settings) -> list[FeedTarget]:
    """The feeds of PRODUCER_FEEDS, each at its own address, its configured one (PRODUCER_FEED_URL)
    or the local simulator's. Raises FeedSettingsError for an unknown feed or for PRODUCER_FEED_URL
    or PRODUCER_SYMBOLS with several feeds (they are in one feed's protocol and spelling); SymbolError
    when a symbol to subscribe cannot be mapped to BASE-QUOTE, or an override in PRODUCER_SYMBOL_MAP
    is not FEED_SYMBOL=BASE-QUOTE."""
    feeds = list(dict.fromkeys(settings.producer_feeds))
    if unknown := [name for name in feeds if name not in FEEDS]:
        raise FeedSettingsError(
            f"PRODUCER_FEEDS: unknown feed(s) {', '.join(unknown)}; the feeds are {', '.join(FEEDS)}"
        )
    if len(feeds) > 1 and (settings.producer_feed_url or settings.producer_symbols):
        raise FeedSettingsError(
            "PRODUCER_FEED_URL and PRODUCER_SYMBOLS are for one feed, and PRODUCER_FEEDS names "
            f"{len(feeds)} ({', '.join(feeds)}): run one producer per feed to set them"
        )
    symbol_map = SymbolMap(parse_overrides(settings.producer_symbol_map))
    return [_target(settings, name, symbol_map) for name in feeds]


def _target(settings: Settings, name: str, symbol_map: SymbolMap) -> FeedTarget:
    module = FEEDS[name]
    symbols = settings.producer_symbols or list(module.DEFAULT_SYMBOLS)
    symbol_map.check(symbols)
    simulated = settings.use_simulator
    if simulated:
        url = f"ws://{LOCAL_HOST}:{settings.simulator_port}{module.SIMULATOR_PATH}"
    else:
        url = settings.producer_feed_url or module.URL
    if module is finnhub:
        key = settings.finnhub_api_key.get_secret_value() if settings.finnhub_api_key else "local"
        url = finnhub.url(key, url)
    parse = functools.partial(module.parse, simulated=simulated, symbols=symbol_map)
    limit = getattr(module, "MAX_SESSION_SECONDS", None)
    return FeedTarget(name, url, symbols, module.subscribe_messages, parse, simulated, limit)


def dead_letter(reason: str, raw: Any, source: str, received_ts_ms: int) -> Record:
    """A DLQ message: why, what arrived (as text) and from where. Keyed by source."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    body = {"reason": reason, "source": source, "received_ts_ms": received_ts_ms, "raw": raw}
    return source.encode(), json.dumps(body, default=str).encode()


class TopicMissing(RuntimeError):
    """A topic the producer writes does not exist on the (reachable) broker."""


@dataclass(eq=False)
class FeedRun:
    """One feed inside the producer: its connection (a thread of its own), counters and health, and
    its check `<feed>_feed_progress` in Dagster."""

    target: FeedTarget
    connection: FeedConnection
    counters: ProducerCounters
    health: Health
    dagster: HealthReport


class ProducerService:
    """Reads every feed of PRODUCER_FEEDS at once, each on its own connection, into one Kafka sink."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.time_bound = LiveTimeBound.from_seconds(
            settings.trade_max_age_seconds, settings.trade_max_ahead_seconds
        )
        self.health = Health()
        self.status_file = health_file(settings.home, "producer")
        self.spool = spool_dir(settings.home)
        dagster_api = settings.dagster_api if settings.report_to_dagster else None
        self.feeds = [
            FeedRun(
                target,
                self._connection(target, counters := ProducerCounters()),
                counters,
                Health(),
                HealthReport(dagster_api, "crypto_trades_topic", feed_check_name(target.name)),
            )
            for target in feed_targets(settings)
        ]
        self._by_name = {feed.target.name: feed for feed in self.feeds}
        self.spooled = ProducerCounters()
        """What this start sent of earlier stops' spool (the trades were counted by those runs)."""
        self._buffer: asyncio.Queue[tuple[FeedRun, str | bytes, int]] = asyncio.Queue()
        self._slots = threading.BoundedSemaphore(settings.producer_buffer_frames)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = asyncio.Event()
        self._last_drop_log = 0.0
        self._acknowledged = (0, time.time())  # produced + dead-lettered, and when that last moved
        self._reports_to_dagster = False  # only once it is a working producer: see _report_every
        self.sink = KafkaSink(
            settings.kafka,
            Backoff(settings.producer_backoff_initial, settings.producer_backoff_max),
            linger_ms=settings.producer_linger_ms,
            compression_type=settings.producer_compression,
            max_batch_size=512 * 1024,
        )
        freeze_startup_objects()

    def _connection(self, target: FeedTarget, counters: ProducerCounters) -> FeedConnection:
        s = self.settings
        return FeedConnection(
            target.url,
            target.subscribe_messages(target.symbols),
            functools.partial(self._on_frame, target.name),
            counters,
            s.producer_silence_timeout,
            Backoff(s.producer_backoff_initial, s.producer_backoff_max),
            target.max_session_seconds,
        )

    @property
    def counters(self) -> ProducerCounters:
        """Every feed's counters added up."""
        return ProducerCounters.total(feed.counters for feed in self.feeds)

    def feed(self, name: str) -> FeedRun:
        return self._by_name[name]

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
        for feed in self.feeds:
            log.info("producer: %s from %s, %d symbols",
                     feed.target.name, redact(feed.target.url), len(feed.target.symbols))  # fmt: skip
        reporter = asyncio.create_task(self._report_every(self.settings.producer_report_interval))
        readers = [
            threading.Thread(target=feed.connection.run, name=f"feed-{feed.target.name}", daemon=True)
            for feed in self.feeds
        ]
        pump: asyncio.Task | None = None
        try:
            if await self._unless_stopping(self.sink.start()):
                await self._require_topics()
                self._reports_to_dagster = True
                pump = asyncio.create_task(self._pump())
                if await self._unless_stopping(self._replay_spool()):
                    for reader in readers:
                        reader.start()
                    await self._stopping.wait()
        finally:
            await self._shut_down(readers, pump)
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
                dead_letters = topic == self.settings.kafka_topic_dlq
                await self.sink.send(topic, messages, self.spooled, dead_letters=dead_letters)
            await self.sink.flush()
            path.unlink()

    async def _shut_down(self, readers: list[threading.Thread], pump: asyncio.Task | None) -> None:
        """Drain and flush until the stop timeout (less a second to spool and close the Kafka
        client); then spool whatever Kafka has not acknowledged."""
        end = time.monotonic() + self.settings.producer_stop_timeout
        deadline = end - CLOSE_SECONDS
        log.info("producer: stopping; draining %d buffered frame(s)", self._buffer.qsize())
        for feed in self.feeds:
            feed.connection.stop()
        for reader in readers:
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

    # ---- feed reader threads -> loop ---------------------------------------------------------
    def _on_frame(self, name: str, raw: str | bytes, received_ts_ms: int) -> None:
        """Called in feed `name`'s reader thread for every frame."""
        feed = self.feed(name)
        if not self._slots.acquire(timeout=self.settings.producer_buffer_wait):
            feed.counters.dropped_frames += 1
            now = time.monotonic()
            if now - self._last_drop_log > 5:
                self._last_drop_log = now
                log.error(
                    "BUFFER FULL: Kafka is not taking records; %d frame(s) of %s dropped so far",
                    feed.counters.dropped_frames,
                    name,
                )
            return
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self._buffer.put_nowait, (feed, raw, received_ts_ms))

    # ---- loop: parse and send ----------------------------------------------------------------

    async def _pump(self) -> None:
        """Parse whatever frames are waiting (up to `PUMP_BATCH_FRAMES`) and send each feed's as one
        batch (its counters count them)."""
        while True:
            frames = [await self._buffer.get()]
            while len(frames) < PUMP_BATCH_FRAMES and not self._buffer.empty():
                frames.append(self._buffer.get_nowait())
            parsed: dict[FeedRun, tuple[list[Record], list[Record]]] = {}
            try:
                for feed, raw, received_ts_ms in frames:
                    trades, dead = parsed.setdefault(feed, ([], []))
                    self._parse(feed, raw, received_ts_ms, trades, dead)
                for feed, (trades, dead) in parsed.items():
                    await self.sink.send(self.settings.kafka_topic_trades, trades, feed.counters)
                    if dead:
                        await self.sink.send(self.settings.kafka_topic_dlq, dead, feed.counters, True)
            finally:
                for _ in frames:
                    self._slots.release()
                    self._buffer.task_done()

    def _parse(
        self, feed: FeedRun, raw: str | bytes, received_ts_ms: int, trades: list[Record], dead: list[Record]
    ) -> None:
        """Append the frame's trades and its dead letters to the lists for the topics."""
        counters, source = feed.counters, feed.target.name
        counters.frames += 1
        try:
            result = feed.target.parse(raw, received_ts_ms)
        except BadFrame as exc:
            dead.append(dead_letter(exc.reason, raw, source, received_ts_ms))
            return
        if result.kind == "ping":
            counters.pings += 1
        elif result.kind == "error":
            counters.feed_errors += 1
            log.warning("feed error frame from %s: %s", source, result.error)
        for trade in result.trades:
            if reason := self.time_bound.refusal(trade):  # a live frame's time: see LiveTimeBound
                dead.append(dead_letter(reason, trade.to_json(), source, received_ts_ms))
            else:
                trades.append((trade.key(), trade.to_json()))
                counters.trades += 1
        dead += [dead_letter(reason, item, source, received_ts_ms) for item, reason in result.rejected]

    # ---- reporting ---------------------------------------------------------------------------

    async def _report_every(self, interval: float) -> None:
        """From the start the status file (this home's) says what the producer and each feed are
        doing; Dagster is told each change once Kafka took it and its topics exist, so that a
        producer that never worked (another home, a wrong topic: it exits at once) cannot
        overwrite the state of the one that does."""
        while True:
            self._report()
            if self._reports_to_dagster:
                await asyncio.to_thread(self._send_to_dagster)
            await asyncio.sleep(interval)

    def _send_to_dagster(self) -> None:
        """Each feed's health, in its own check: producers side by side (one per feed) never write
        over each other's. `producer_progress` is judged from the topic alone (`kafka_lag_sensor`)."""
        for feed in self.feeds:
            feed.dagster.send(feed.health)

    def _report(self) -> None:
        self._assess()
        log.info("producer: %s %s", self.health.describe(), self.counters.summary())
        feeds = {}
        for feed in self.feeds:
            if len(self.feeds) > 1:
                log.info("producer: %s %s %s",
                         feed.target.name, feed.health.describe(), feed.counters.summary())  # fmt: skip
            feeds[feed.target.name] = {
                **feed.counters.as_dict(), **asdict(feed.health), "simulated": feed.target.simulated,
            }  # fmt: skip
        write_health(
            self.status_file,
            self.health,
            {
                **self.counters.as_dict(),
                "sources": [feed.target.name for feed in self.feeds],
                "simulated": all(feed.target.simulated for feed in self.feeds),
                "buffered": self._buffer.qsize(),
                "feeds": feeds,
            },
        )

    def _assess(self) -> None:
        """Each feed is producing, or waiting for Kafka or for the feed, or stalled (trades received
        and none acknowledged for `producer_stall_seconds`); the producer is what its feeds are:
        producing while one is."""
        now = time.time()
        counters = [feed.counters for feed in self.feeds] + [self.spooled]
        acknowledged = sum(c.produced + c.dead_lettered for c in counters)
        if acknowledged != self._acknowledged[0] or not self.sink.unacknowledged():
            self._acknowledged = (acknowledged, now)
        if self.sink.waiting_since is not None:
            shared = ("waiting", self.sink.waiting_reason, self.sink.waiting_since)
        elif now - self._acknowledged[1] >= self.settings.producer_stall_seconds:
            waiting = len(self.sink.unacknowledged()) + self._buffer.qsize()
            reason = f"{waiting} record(s) handed to Kafka or buffered, none acknowledged"
            shared = ("stalled", reason, self._acknowledged[1])
        else:
            shared = None
        for feed in self.feeds:
            if shared is not None:
                feed.health.set(*shared)
            elif not feed.connection.connected:
                connection = feed.connection
                feed.health.set("waiting", f"feed: {connection.problem}", connection.problem_since)
            else:
                feed.health.set("producing")
        if shared is not None:
            self.health.set(*shared)
        elif any(feed.health.progressing for feed in self.feeds):
            self.health.set("producing")
        else:
            reason = "; ".join(f"{f.target.name}: {f.health.reason}" for f in self.feeds)
            self.health.set("waiting", reason, min(f.health.since for f in self.feeds))
