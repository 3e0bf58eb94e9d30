"""The producer against the real broker and real websocket connections to the simulator.

In every scenario, what the simulator sent must be exactly what arrived: each trade once in the
trades topic (no duplicate `trade_id`), each malformed frame or item once in the dead-letter topic.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import ensure_topics
from crypto_platform.local.kafka import KafkaService
from crypto_platform.local.process import wait_until
from crypto_platform.prices.health import read_health
from crypto_platform.prices.producer import spool
from crypto_platform.prices.producer.counters import ProducerCounters
from crypto_platform.prices.producer.service import ProducerService
from crypto_platform.prices.producer.sink import KafkaSink
from crypto_platform.prices.producer.spool import spool_dir
from crypto_platform.prices.symbols import STANDARD
from crypto_platform.settings import Settings
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import FinnhubSimulator, run_in_thread
from crypto_platform_tests.alerts.receiver import receiver
from crypto_platform_tests.prices.helpers import T0, Topics, read_topics, running_producer, trade

pytestmark = [pytest.mark.stack, pytest.mark.slow]

SYMBOLS = ["BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT"]
TRADES = [
    (t.key(), t.to_json())
    for t in (trade(symbol, "95000", "0.1", T0 + i) for i in range(1000) for symbol in ("BTC-USD", "ETH-USD"))
]


def _settings(stack: Settings, simulator: FinnhubSimulator, tmp_path: Path) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    settings = stack.model_copy(
        update={
            "kafka_topic_trades": f"test.trades.{suffix}",
            "kafka_topic_dlq": f"test.trades.dlq.{suffix}",
            "producer_feeds": ["finnhub"],
            "producer_feed_url": f"ws://127.0.0.1:{simulator.port}/",
            "producer_symbols": SYMBOLS,
            "producer_silence_timeout": 5.0,
            "producer_backoff_initial": 0.1,
            "producer_backoff_max": 1.0,
            "producer_report_interval": 1.0,
            "home": tmp_path,
        }
    )
    ensure_topics(settings.kafka, settings.kafka_topics)
    return settings


def _delivered(service: ProducerService) -> int:
    return service.counters.produced + service.counters.dead_lettered


def _sent(simulator: FinnhubSimulator) -> int:
    snapshot = simulator.counters.snapshot()
    return snapshot["trades_total"] + snapshot["malformed_total"]


def assert_exactly_what_was_sent(simulator: FinnhubSimulator, topics: Topics) -> None:
    snapshot = simulator.counters.snapshot()
    ids = [t.trade_id for t in topics.trades]
    assert len(ids) == len(set(ids)), "duplicate trade_id in the trades topic"
    assert len(topics.trades) == snapshot["trades_total"]
    assert len(topics.dead_letters) == snapshot["malformed_total"]
    sent = sorted(
        (STANDARD.symbol(t.symbol), t.price, t.size, t.ts_ms) for t in simulator.counters.sent_trades()
    )
    arrived = sorted((t.symbol, t.price, t.size, t.trade_ts_ms) for t in topics.trades)
    assert arrived == sent


def _stop_feed_and_settle(simulator: FinnhubSimulator, service: ProducerService) -> None:
    """Stop the feed at the simulator, then wait until everything it sent has been acknowledged by
    Kafka. (Stopping the producer's connection instead would race with frames still on the wire.)"""
    simulator.pause_from_thread()
    assert wait_until(lambda: _delivered(service) >= _sent(simulator), 60), service.counters.summary()


def test_every_frame_shape_lands_in_trades_or_dead_letters(local_stack: Settings, tmp_path: Path) -> None:
    config = SimulatorConfig(
        rate=400, seed=7, malformed_ratio=0.3, error_ratio=0.1, ping_interval=0.5, record=True
    )
    with run_in_thread(config) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)
        with running_producer(settings) as service:
            assert wait_until(lambda: simulator.counters.snapshot()["malformed_total"] >= 10, 60)
            assert wait_until(lambda: service.counters.pings >= 2 and service.counters.feed_errors >= 1, 30)
            _stop_feed_and_settle(simulator, service)
        topics = read_topics(settings)
    assert_exactly_what_was_sent(simulator, topics)
    assert {d["reason"] for d in topics.dead_letters} and all(d["raw"] for d in topics.dead_letters)
    assert all(t.source == "finnhub" and t.symbol.endswith("-USD") for t in topics.trades)


def test_connection_dropped_mid_stream_reconnects_without_loss(local_stack: Settings, tmp_path: Path) -> None:
    config = SimulatorConfig(rate=400, seed=11, drop_after_frames=15, record=True)
    with run_in_thread(config) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)
        with running_producer(settings) as service:
            assert wait_until(lambda: service.counters.reconnects >= 3 and service.counters.gaps >= 2, 60)
            _stop_feed_and_settle(simulator, service)
        topics = read_topics(settings)
    assert simulator.counters.snapshot()["drops"] >= 3
    assert_exactly_what_was_sent(simulator, topics)


def test_broker_stopped_and_restarted_while_producing(local_stack: Settings, tmp_path: Path) -> None:
    kafka = KafkaService(local_stack)
    config = SimulatorConfig(rate=300, seed=23, record=True)
    with run_in_thread(config) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)
        with running_producer(settings) as service:
            assert wait_until(lambda: service.counters.produced >= 200, 30)
            kafka.process.stop()
            sent_while_down = _sent(simulator)
            assert wait_until(lambda: _sent(simulator) >= sent_while_down + 500, 30)
            kafka.process.start(kafka.command(), kafka.env())
            assert wait_until(kafka.healthy, 90)
            _stop_feed_and_settle(simulator, service)
        topics = read_topics(settings)
    assert service.counters.dropped_frames == 0
    assert_exactly_what_was_sent(simulator, topics)


def test_full_buffer_drops_loudly_and_counts(
    local_stack: Settings, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kafka = KafkaService(local_stack)
    with run_in_thread(SimulatorConfig(rate=300, seed=5)) as simulator:
        settings = _settings(local_stack, simulator, tmp_path).model_copy(
            update={"producer_buffer_frames": 3, "producer_buffer_wait": 0.05}
        )
        with running_producer(settings) as service:
            assert wait_until(lambda: service.counters.produced >= 100, 30)
            kafka.process.stop()
            try:
                assert wait_until(lambda: service.counters.dropped_frames >= 5, 60)
            finally:
                kafka.process.start(kafka.command(), kafka.env())
                assert wait_until(kafka.healthy, 90)
            produced_before = service.counters.produced
            assert wait_until(lambda: service.counters.produced > produced_before + 100, 60)
    assert "BUFFER FULL" in caplog.text


def test_sigterm_flushes_everything_buffered(local_stack: Settings, tmp_path: Path) -> None:
    with run_in_thread(SimulatorConfig(rate=2000, seed=3)) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)
        env = {
            **os.environ,
            "CRYPTO_PLATFORM_HOME": str(tmp_path),
            "KAFKA_TOPIC_TRADES": settings.kafka_topic_trades,
            "KAFKA_TOPIC_DLQ": settings.kafka_topic_dlq,
            "PRODUCER_FEEDS": "finnhub",
            "PRODUCER_FEED_URL": settings.producer_feed_url,
            "PRODUCER_REPORT_INTERVAL": "0.5",
        }
        status_file = tmp_path / "run" / "producer.health.json"
        process = subprocess.Popen([sys.executable, "-m", "crypto_platform.cli", "produce"], env=env)
        try:
            assert wait_until(lambda: (read_health(status_file) or {}).get("produced", 0) >= 500, 60)
            process.send_signal(signal.SIGTERM)
            assert process.wait(60) == 0
        finally:
            process.kill()
    final = read_health(status_file)
    assert final is not None and final["pid"] == process.pid
    assert final["trades"] == final["produced"] > 500 and final["dropped_frames"] == 0
    assert len(read_topics(settings).trades) == final["produced"]
    # With Kafka up, a clean stop spools nothing: it used to spool every record it had produced,
    # and the next start sent them all again.
    assert spool.files(spool_dir(tmp_path)) == []


def test_an_acknowledged_record_is_released_at_once(local_stack: Settings, tmp_path: Path) -> None:
    """Sends of one partition, of several, and of more than one Kafka batch: once flushed, the sink
    holds nothing (it used to hold every delivery of a single batch, keyed by a reusable id())."""
    with run_in_thread(SimulatorConfig(seed=5)) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)

    async def send_all() -> tuple[list, int]:
        sink, counters = KafkaSink(settings.kafka, Backoff(0.1, 1.0)), ProducerCounters()
        await sink.start()
        try:
            sends = [[trade] for trade in TRADES[:50]] + [TRADES[:300], TRADES * 20]  # the last: many batches
            for records in sends:
                await sink.send(settings.kafka_topic_trades, records, counters)
            await sink.flush()
            return sink.unacknowledged(), counters.produced
        finally:
            await sink.close(timeout=5)

    left, produced = asyncio.run(send_all())
    assert left == [] and produced == 50 + 300 + 20 * len(TRADES)
    assert len(read_topics(settings).trades) == produced


def test_batches_expired_while_the_broker_was_away_are_delivered_in_a_new_session(
    local_stack: Settings, tmp_path: Path
) -> None:
    """aiokafka's idempotent producer numbers a batch as it leaves its queue, also one that then
    expires unsent (a restarted broker names no leader for a moment, and the batch is older than the
    request timeout); the broker then refuses every later batch of that session as out of order.
    Seen: the stack's producer stuck for good after Kafka was away 75 s (the default request timeout
    is 40 s; here it is 2 s). The broker is stopped until such an expiry happens, at most 5 times."""
    kafka = KafkaService(local_stack)
    with run_in_thread(SimulatorConfig(seed=7)) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)
    topic, sent = settings.kafka_topic_trades, []

    async def send_through_outages() -> tuple[list, int]:
        sink = KafkaSink(settings.kafka, Backoff(0.1, 1.0), request_timeout_ms=2000)
        counters = ProducerCounters()
        await sink.start()
        stop = asyncio.Event()

        async def feed() -> None:  # one trade at a time, like a feed, while the broker comes and goes
            for i in itertools.count():
                if stop.is_set():
                    return
                sent.append(trade("BTC-USD", "95000", "0.1", T0 + i))
                await sink.send(topic, [(sent[-1].key(), sent[-1].to_json())], counters)

        def producing(before: int) -> bool:
            return counters.produced > before

        def expired_or_drained() -> bool:
            return counters.send_retries > 0 or not sink.unacknowledged()

        feeding = asyncio.create_task(feed())
        try:
            for _ in range(5):
                assert await asyncio.to_thread(
                    wait_until, functools.partial(producing, counters.produced), 60
                )
                await asyncio.to_thread(kafka.process.stop)
                try:  # blocked: the queued batch is older than the request timeout
                    assert await asyncio.to_thread(wait_until, lambda: sink.waiting_since is not None, 60)
                finally:
                    await asyncio.to_thread(kafka.process.start, kafka.command(), kafka.env())
                assert await asyncio.to_thread(wait_until, kafka.healthy, 90)
                assert await asyncio.to_thread(wait_until, expired_or_drained, 60)
                if counters.send_retries:
                    break
            stop.set()
            await asyncio.wait_for(feeding, 90)
            await asyncio.wait_for(sink.flush(), 90)  # never returned: every re-send refused, at once
            return sink.unacknowledged(), counters.send_retries
        finally:
            feeding.cancel()
            await sink.close(timeout=5)

    left, retries = asyncio.run(send_through_outages())
    assert retries > 0, "no batch expired in 5 outages"
    assert left == []
    delivered = {t.trade_id for t in read_topics(settings).trades}
    assert delivered == {t.trade_id for t in sent}  # a batch that did arrive may arrive twice


def _produce_command(settings: Settings, home: Path, **env: str) -> subprocess.Popen:
    """`crypto-platform produce` in a process of its own, with the test's topics and feed; what it
    logs goes to `home/produce.log` (a pipe could fill up and stop it)."""
    return subprocess.Popen(
        [sys.executable, "-m", "crypto_platform.cli", "produce"],
        env={
            **os.environ,
            "CRYPTO_PLATFORM_HOME": str(home),
            "KAFKA_TOPIC_TRADES": settings.kafka_topic_trades,
            "KAFKA_TOPIC_DLQ": settings.kafka_topic_dlq,
            "PRODUCER_FEEDS": "finnhub",
            "PRODUCER_FEED_URL": str(settings.producer_feed_url),
            "PRODUCER_REPORT_INTERVAL": "0.5",
            "REPORT_TO_DAGSTER": "false",
            **env,
        },
        stderr=(home / "produce.log").open("a"),
    )


def _received(status: dict) -> int:
    """Frames the producer has taken from the feed: parsed, waiting in its buffer, or dropped."""
    return status["frames"] + status["buffered"] + status["dropped_frames"]


def test_a_topic_that_does_not_exist_is_one_clear_line_and_a_non_zero_exit(
    local_stack: Settings, tmp_path: Path
) -> None:
    """And it records nothing in Dagster: such a producer, started by hand beside the stack's, used to
    record "waiting" into `producer_progress`, showing the healthy producer as failed."""
    with run_in_thread(SimulatorConfig(rate=100, seed=1)) as simulator, receiver() as dagster:
        settings = _settings(local_stack, simulator, tmp_path)
        process = _produce_command(
            settings, tmp_path, KAFKA_TOPIC_TRADES="no.such.topic", REPORT_TO_DAGSTER="true",
            DAGSTER_API_URL=dagster.url, PRODUCER_REPORT_INTERVAL="0.1",
        )  # fmt: skip
        process.wait(60)
    assert process.returncode != 0
    assert dagster.posts == []
    stderr = (tmp_path / "produce.log").read_text()
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert errors == [
        f"error: Kafka topic(s) no.such.topic do not exist on {local_stack.kafka.bootstrap_servers}: "
        "create them (`crypto-platform up` does) or set KAFKA_TOPIC_TRADES / KAFKA_TOPIC_DLQ"
    ]
    assert "not found in cluster metadata" not in stderr


def test_sigterm_with_the_broker_down_stops_in_time_and_the_spool_is_sent_on_restart(
    local_stack: Settings, tmp_path: Path
) -> None:
    kafka = KafkaService(local_stack)
    config = SimulatorConfig(rate=300, seed=29, record=True)
    status_file = tmp_path / "run" / "producer.health.json"
    with run_in_thread(config) as simulator:
        settings = _settings(local_stack, simulator, tmp_path)
        first = _produce_command(settings, tmp_path, PRODUCER_STOP_TIMEOUT="3")
        try:
            assert wait_until(lambda: (read_health(status_file) or {}).get("produced", 0) >= 200, 60)
            kafka.process.stop()
            sent_while_down = _sent(simulator)
            assert wait_until(lambda: _sent(simulator) >= sent_while_down + 300, 30)
            assert wait_until(lambda: read_health(status_file)["state"] in ("waiting", "stalled"), 60)
            simulator.pause_from_thread()  # every frame sent is then read: none is lost on the wire
            sent = simulator.counters.snapshot()["frames_sent"]
            assert wait_until(lambda: _received(read_health(status_file)) >= sent, 30)
            first.send_signal(signal.SIGTERM)
            first.wait(60)  # bounded (the stop timeout is 3 s); without one it ran on for minutes
        finally:
            first.kill()
            kafka.process.start(kafka.command(), kafka.env())
        assert first.returncode == 0
        spooled = list((tmp_path / "spool").glob("producer-*.jsonl"))
        assert spooled and "spooled to" in (tmp_path / "produce.log").read_text()
        assert wait_until(kafka.healthy, 90)

        second = _produce_command(settings, tmp_path)
        try:
            assert wait_until(lambda: not any(p.exists() for p in spooled), 60), "the spool was not sent"
            second.send_signal(signal.SIGTERM)
            assert second.wait(30) == 0
        finally:
            second.kill()
        topics = read_topics(settings)
    unique = {t.trade_id: t for t in topics.trades}  # a spooled trade may arrive twice, never not at all
    sent = sorted(
        (STANDARD.symbol(t.symbol), t.price, t.size, t.ts_ms) for t in simulator.counters.sent_trades()
    )
    assert sorted((t.symbol, t.price, t.size, t.trade_ts_ms) for t in unique.values()) == sent
