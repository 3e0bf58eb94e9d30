"""Each service of the running local stack answers a real request."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime

import boto3
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from botocore.exceptions import ClientError

from crypto_platform.clients.s3 import s3_client
from crypto_platform.local.dagster import loaded_locations
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.local.helpers import wait_all_healthy

pytestmark = pytest.mark.stack


async def _produce_and_consume(settings: Settings, topic: str, key: bytes, value: bytes) -> bytes:
    producer = AIOKafkaProducer(**settings.kafka.client_config(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(**settings.kafka.client_config(), enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(topic, sent.partition)
        consumer.assign([tp])
        consumer.seek(tp, sent.offset)
        message = await asyncio.wait_for(consumer.getone(), timeout=20)
        return message.value
    finally:
        await consumer.stop()


async def _partition_counts(settings: Settings) -> dict[str, int]:
    admin = AIOKafkaAdminClient(**settings.kafka.client_config())
    await admin.start()
    try:
        described = await admin.describe_topics([settings.kafka_topic_trades, settings.kafka_topic_dlq])
        return {t["topic"]: len(t["partitions"]) for t in described}
    finally:
        await admin.close()


def test_kafka_topics_exist_with_their_partitions(local_stack: Settings) -> None:
    counts = asyncio.run(_partition_counts(local_stack))
    assert counts == {local_stack.kafka_topic_trades: 3, local_stack.kafka_topic_dlq: 1}


def test_kafka_produces_and_consumes_a_message(local_stack: Settings) -> None:
    value = uuid.uuid4().hex.encode()
    received = asyncio.run(
        _produce_and_consume(local_stack, local_stack.kafka_topic_trades, b"BTC-USD", value)
    )
    assert received == value


def test_s3_puts_and_gets_an_object_in_the_landing_bucket(local_stack: Settings) -> None:
    client = s3_client(local_stack.s3)
    key = f"tests/{uuid.uuid4().hex}.json"
    client.put_object(Bucket=local_stack.s3_bucket, Key=key, Body=b'{"ok": true}')
    assert client.get_object(Bucket=local_stack.s3_bucket, Key=key)["Body"].read() == b'{"ok": true}'


def test_s3_refuses_unknown_credentials(local_stack: Settings) -> None:
    stranger = boto3.client(
        "s3",
        endpoint_url=local_stack.s3_endpoint,
        region_name="us-east-1",
        aws_access_key_id="nobody",
        aws_secret_access_key="wrong",
    )
    with pytest.raises(ClientError):
        stranger.list_objects_v2(Bucket=local_stack.s3_bucket)


def test_warehouse_creates_writes_and_reads_a_table(local_stack: Settings) -> None:
    table = f"OPS.T_{uuid.uuid4().hex[:8].upper()}"
    with connect(local_stack) as conn:
        run_query(conn, f"create table {table} (symbol varchar, price number(38, 8))")
        run_query(
            conn, f"insert into {table} values (?, ?), (?, ?)", ("BTC-USD", "95000.5", "ETH-USD", "3500")
        )
        rows = run_query(conn, f"select symbol, price from {table} order by symbol").rows
        run_query(conn, f"drop table {table}")
    assert [(s, float(p)) for s, p in rows] == [("BTC-USD", 95000.5), ("ETH-USD", 3500.0)]


def test_warehouse_returns_null_timestamps_as_null(local_stack: Settings) -> None:
    sql = "select null::timestamp_ntz, '2026-01-01 12:00:00'::timestamp_ntz, null::timestamp_tz"
    with connect(local_stack) as conn:
        [row] = run_query(conn, sql).rows
    assert row[0] is None and row[1] == datetime(2026, 1, 1, 12) and row[2] is None


def test_warehouse_has_the_platform_schemas(local_stack: Settings) -> None:
    with connect(local_stack) as conn:
        schemas = {r[0] for r in run_query(conn, "select schema_name from information_schema.schemata").rows}
    assert {"RAW", "CORE", "PORTFOLIO", "OPS"} <= schemas


def test_dagster_webserver_serves_the_code_location(local_stack: Settings) -> None:
    wait_all_healthy(local_stack)  # a test before may have restarted the stack
    assert loaded_locations(f"http://127.0.0.1:{local_stack.dagster_port}", timeout=30) == ["crypto_platform"]


def test_status_reports_every_service_healthy(local_stack: Settings) -> None:
    wait_all_healthy(local_stack)
