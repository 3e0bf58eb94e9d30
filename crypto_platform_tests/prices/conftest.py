"""Fixtures for the prices domain: a fresh topic and a fresh warehouse database per test, on the
running local stack, and helpers to put known trades on the topic."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable
from decimal import Decimal

import pytest
from aiokafka import AIOKafkaProducer

from crypto_platform.defs.prices.resources import kafka_resource
from crypto_platform.defs.resources import snowflake_resource
from crypto_platform.kafka_client import client_config, ensure_topics
from crypto_platform.producer.trade import Trade
from crypto_platform.settings import Settings
from crypto_platform.warehouse import apply_sql, connect

T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@pytest.fixture
def fresh(local_stack: Settings) -> Settings:
    """Settings with a topic and a warehouse database of this test's own, objects applied."""
    suffix = uuid.uuid4().hex[:8]
    settings = local_stack.model_copy(
        update={
            "kafka_topic_trades": f"test.prices.{suffix}",
            "kafka_topic_dlq": f"test.prices.dlq.{suffix}",
            "snowflake_database": f"TEST_{suffix.upper()}",
        }
    )
    ensure_topics(settings)
    with connect(settings) as conn:
        apply_sql(conn, settings)
    return settings


def resources(settings: Settings) -> dict:
    return {"snowflake": snowflake_resource(settings), "kafka": kafka_resource(settings)}


def trade(symbol: str, price: str, size: str, ts_ms: int, trade_id: str | None = None) -> Trade:
    return Trade(
        source="simulator", symbol=symbol, feed_symbol=f"BINANCE:{symbol.replace('-', '')}T",
        price=Decimal(price), size=Decimal(size), trade_ts_ms=ts_ms, received_ts_ms=ts_ms + 5,
        trade_id=trade_id or f"{symbol}-{ts_ms}",
    )  # fmt: skip


async def _send(settings: Settings, values: Iterable[tuple[bytes, bytes]]) -> int:
    producer = AIOKafkaProducer(**client_config(settings), enable_idempotence=True, acks="all")
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


def produce_raw(settings: Settings, values: Iterable[bytes]) -> int:
    return asyncio.run(_send(settings, ((b"bad", v) for v in values)))
