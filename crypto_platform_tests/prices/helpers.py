"""Helpers for tests on the running local stack: known trades put on a test's own topic (the
`fresh` fixture, in the top-level conftest), and the resources that read it."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from crypto_platform.defs.resources import resources as all_resources
from crypto_platform.local.process import wait_until
from crypto_platform.prices.producer.service import ProducerService
from crypto_platform.prices.trade import Trade
from crypto_platform.settings import Settings

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def resources(settings: Settings) -> dict:
    """Every resource of the code location, for `settings`."""
    return all_resources(settings)


def trade(symbol: str, price: str, size: str, ts_ms: int, trade_id: str | None = None) -> Trade:
    return Trade(
        source="finnhub", symbol=symbol, feed_symbol=f"BINANCE:{symbol.replace('-', '')}T", simulated=True,
        price=Decimal(price), size=Decimal(size), trade_ts_ms=ts_ms, received_ts_ms=ts_ms + 5,
        trade_id=trade_id or f"{symbol}-{ts_ms}",
    )  # fmt: skip


async def _send(settings: Settings, values: Iterable[tuple[bytes, bytes | None]]) -> int:
    producer = AIOKafkaProducer(**settings.kafka.client_config(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        count = 0
        for key, value in values:
            await producer.send(settings.kafka_topic_trades, value, key=key)
            count += 1
        await producer.flush()
        return count
    finally:
        await producer.stop()


def produce(settings: Settings, trades: Iterable[Trade]) -> int:
    return asyncio.run(_send(settings, ((t.key(), t.to_json()) for t in trades)))


def produce_raw(settings: Settings, values: Iterable[bytes | None], key: bytes = b"bad") -> int:
    """Messages as given (None: a tombstone), all under one key, so on one partition in order."""
    return asyncio.run(_send(settings, ((key, v) for v in values)))


@contextmanager
def running_producer(settings: Settings) -> Iterator[ProducerService]:
    """A ProducerService running in a thread of its own for the block, then stopped."""
    service = ProducerService(settings)
    thread = threading.Thread(target=asyncio.run, args=(service.run(),), name="producer")
    thread.start()
    try:
        yield service
    finally:
        assert wait_until(lambda: service._loop is not None, 10)
        service.stop()
        thread.join(60)
        assert not thread.is_alive(), "the producer did not shut down"


@dataclass
class Topics:
    trades: list[Trade]
    dead_letters: list[dict]


async def _read_topic(settings: Settings, topic: str) -> list[bytes]:
    consumer = AIOKafkaConsumer(**settings.kafka.client_config(), enable_auto_commit=False)
    await consumer.start()
    try:
        partitions = [TopicPartition(topic, p) for p in range(settings.kafka_topics[topic])]
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        values: list[bytes] = []
        while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
            batch = await consumer.getmany(timeout_ms=1000)
            values += [m.value for messages in batch.values() for m in messages]
        return values
    finally:
        await consumer.stop()


def read_topics(settings: Settings) -> Topics:
    trades = [Trade.from_json(v) for v in asyncio.run(_read_topic(settings, settings.kafka_topic_trades))]
    dead = [json.loads(v) for v in asyncio.run(_read_topic(settings, settings.kafka_topic_dlq))]
    return Topics(trades, dead)
