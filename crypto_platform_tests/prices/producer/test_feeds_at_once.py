"""Several feeds at once: one producer reading all four venues of the simulator into one topic, and
producers side by side, one feed each, each with its own health in Dagster."""

from __future__ import annotations

import uuid
from collections import Counter
from pathlib import Path

import pytest

from crypto_platform.clients.kafka import ensure_topics
from crypto_platform.local.process import wait_until
from crypto_platform.prices.health import read_health
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.producer.service import ProducerService
from crypto_platform.settings import Settings
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import MarketSimulator, run_in_thread
from crypto_platform_tests.alerts.receiver import receiver
from crypto_platform_tests.prices.helpers import read_topics, running_producer

pytestmark = [pytest.mark.stack, pytest.mark.slow]


def _settings(
    stack: Settings, simulator: MarketSimulator, home: Path, feeds: list[str], **more: object
) -> Settings:
    suffix = uuid.uuid4().hex[:8]
    settings = stack.model_copy(
        update={
            "kafka_topic_trades": f"test.feeds.{suffix}",
            "kafka_topic_dlq": f"test.feeds.dlq.{suffix}",
            "producer_feeds": feeds,
            "producer_simulator": True,
            "simulator_port": simulator.port,
            "producer_silence_timeout": 5.0,
            "producer_backoff_initial": 0.1,
            "producer_backoff_max": 1.0,
            "producer_report_interval": 0.5,
            "home": home,
            **more,
        }
    )
    ensure_topics(settings.kafka, settings.kafka_topics)
    return settings


def _delivered(service: ProducerService) -> int:
    return service.counters.produced + service.counters.dead_lettered


def test_one_producer_reads_every_feed_and_a_drop_is_that_feeds_alone(
    local_stack: Settings, tmp_path: Path
) -> None:
    with run_in_thread(SimulatorConfig(rate=40, seed=11, error_ratio=0, record=True)) as simulator:
        settings = _settings(local_stack, simulator, tmp_path, list(FEEDS))
        with running_producer(settings) as service:
            assert wait_until(lambda: all(f.counters.produced >= 40 for f in service.feeds), 60), (
                service.counters.summary()
            )
            simulator.drop("kraken")
            kraken = service.feed("kraken")
            assert wait_until(lambda: kraken.counters.gaps >= 1 and kraken.counters.produced >= 80, 60)
            simulator.pause_from_thread()
            sent = simulator.counters.snapshot()
            assert wait_until(lambda: _delivered(service) >= sent["trades_total"], 60), (
                service.counters.summary()
            )
            assert wait_until(
                lambda: (read_health(service.status_file) or {}).get("produced", 0) >= sent["trades_total"],
                10,
            )
        status = read_health(service.status_file)
    trades = read_topics(settings).trades
    # Every trade once per time the venue sent it (a Kraken resubscribe's snapshot repeats some),
    # each under the venue it stands for, marked simulated.
    assert Counter(t.source for t in trades) == Counter(sent["venue_trades"])
    assert all(t.simulated and not t.from_history for t in trades)
    arrived = sorted((t.source, t.feed_symbol, t.price, t.size, t.trade_ts_ms) for t in trades)
    assert arrived == sorted(
        (t.venue, t.symbol, t.price, t.size, t.ts_ms) for t in simulator.counters.sent_trades()
    )
    # Counters and health are each feed's own: only Kraken lost its connection.
    for name in FEEDS:
        feed = service.feed(name)
        assert feed.counters.produced == sent["venue_trades"][name], name
        assert (feed.counters.reconnects >= 1) == (name == "kraken"), name
    assert status is not None and status["sources"] == list(FEEDS) and status["simulated"] is True
    assert set(status["feeds"]) == set(FEEDS)
    assert status["produced"] == sum(f["produced"] for f in status["feeds"].values()) == sent["trades_total"]
    assert status["feeds"]["kraken"]["gaps"] >= 1 and status["feeds"]["binance"]["gaps"] == 0
    assert {f["state"] for f in status["feeds"].values()} == {"producing"}


def test_producers_side_by_side_each_record_their_own_feeds_health(
    local_stack: Settings, tmp_path: Path
) -> None:
    """One producer per feed, as on Kubernetes: each records its feed's check and none other, so one
    never writes over the other's state (a shared `producer_progress` would)."""
    with run_in_thread(SimulatorConfig(rate=40, seed=13, error_ratio=0)) as simulator, receiver() as dagster:
        report = {"report_to_dagster": True, "dagster_api_url": dagster.url}
        binance = _settings(local_stack, simulator, tmp_path / "binance", ["binance"], **report)
        coinbase = binance.model_copy(update={"producer_feeds": ["coinbase"], "home": tmp_path / "coinbase"})
        with running_producer(binance) as first, running_producer(coinbase) as second:
            assert wait_until(lambda: first.counters.produced >= 40 and second.counters.produced >= 40, 60)
            simulator.drop("coinbase")
            assert wait_until(lambda: second.counters.reconnects >= 1, 30)
            posted = lambda: {(path, body["check_name"]) for path, body in dagster.posts}  # noqa: E731
            assert wait_until(lambda: len(posted()) >= 2, 30), dagster.posts
    assert posted() == {
        ("/report_asset_check/crypto_trades_topic", "binance_feed_progress"),
        ("/report_asset_check/crypto_trades_topic", "coinbase_feed_progress"),
    }
    assert all(body["passed"] for _, body in dagster.posts if body["check_name"] == "binance_feed_progress")
    assert read_health(first.status_file)["sources"] == ["binance"]
    assert read_health(second.status_file)["sources"] == ["coinbase"]
