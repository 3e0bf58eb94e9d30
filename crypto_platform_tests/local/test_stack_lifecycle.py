"""`down` stops exactly what `up` started and keeps data; `up` refuses a taken port cleanly."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from crypto_platform.clients.s3 import s3_client
from crypto_platform.local import stack
from crypto_platform.local.kafka import KafkaService
from crypto_platform.local.process import StackError, port_open
from crypto_platform.settings import LOCAL_HOST, Settings
from crypto_platform.warehouse import connect, run_query


async def _produce(settings: Settings, value: bytes) -> tuple[int, int]:
    producer = AIOKafkaProducer(**settings.kafka.client_config(), acks="all")
    await producer.start()
    try:
        sent = await producer.send_and_wait(settings.kafka_topic_dlq, value)
        return sent.partition, sent.offset
    finally:
        await producer.stop()


async def _read(settings: Settings, partition: int, offset: int) -> bytes:
    consumer = AIOKafkaConsumer(**settings.kafka.client_config(), enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(settings.kafka_topic_dlq, partition)
        consumer.assign([tp])
        consumer.seek(tp, offset)
        return (await asyncio.wait_for(consumer.getone(), timeout=30)).value
    finally:
        await consumer.stop()


@pytest.mark.stack
@pytest.mark.slow
def test_down_then_up_keeps_every_services_data(local_stack: Settings) -> None:
    marker = uuid.uuid4().hex
    partition, offset = asyncio.run(_produce(local_stack, marker.encode()))
    s3_client(local_stack.s3).put_object(
        Bucket=local_stack.s3_bucket, Key=f"tests/{marker}", Body=marker.encode()
    )
    with connect(local_stack) as conn:
        run_query(conn, "create or replace table OPS.RESTART_MARKER (marker varchar)")
        run_query(conn, "insert into OPS.RESTART_MARKER values (?)", (marker,))

    stopped = stack.down(local_stack)
    assert stopped == ["dagster", "dashboard", "loader", "producer", "simulator", "warehouse", "s3", "kafka"]
    assert not any(port_open(LOCAL_HOST, p) for s in stack.all_services(local_stack) for p in s.ports)
    assert {s.state for s in stack.status(local_stack)} == {"stopped"}

    stack.up(local_stack, report=lambda _line: None)
    assert asyncio.run(_read(local_stack, partition, offset)) == marker.encode()
    obj = s3_client(local_stack.s3).get_object(Bucket=local_stack.s3_bucket, Key=f"tests/{marker}")
    assert obj["Body"].read() == marker.encode()
    with connect(local_stack) as conn:
        assert run_query(conn, "select marker from OPS.RESTART_MARKER").rows == [(marker,)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        return sock.getsockname()[1]


@pytest.fixture
def held_port() -> Iterator[int]:
    """A port on 127.0.0.1 held open by this test, as another program would."""
    with socket.socket() as sock:
        sock.bind((LOCAL_HOST, 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_up_refuses_a_taken_port_and_starts_nothing(tmp_path: Path, held_port: int) -> None:
    settings = Settings(
        CRYPTO_PLATFORM_HOME=tmp_path,
        kafka_local_port=_free_port(),
        kafka_local_controller_port=_free_port(),
        s3_local_port=_free_port(),
        snowflake_local_port=held_port,
        dagster_port=_free_port(),
    )
    with pytest.raises(StackError, match=rf"port {held_port} .* already in use, so warehouse cannot start"):
        stack.up(settings, report=lambda _line: None)
    assert not (tmp_path / "run").exists() or not list((tmp_path / "run").glob("*.pid"))


def test_missing_jdk_is_a_one_line_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(StackError, match=r"^kafka: `java` not found on PATH; install JDK 17 and Maven$"):
        KafkaService(Settings(CRYPTO_PLATFORM_HOME=tmp_path)).prepare()


@pytest.mark.slow
def test_kafka_storage_is_formatted_whatever_the_random_cluster_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("crypto_platform.local.kafka._cluster_id", lambda: "-AbCdEfGhIjKlMnOpQrStU")
    KafkaService(Settings(CRYPTO_PLATFORM_HOME=tmp_path)).prepare()
    assert (
        "cluster.id=-AbCdEfGhIjKlMnOpQrStU" in (tmp_path / "kafka" / "data" / "meta.properties").read_text()
    )
