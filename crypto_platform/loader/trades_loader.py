"""Kafka `crypto.trades` -> RAW.TRADES, exactly once, in bounded runs or following the topic.

The position lives in the warehouse (OPS.KAFKA_OFFSETS), not in a consumer group: the loader
assigns itself every partition, seeks to the stored offsets, and commits each batch together with
its new offsets (`crypto_platform.warehouse.trades.commit_batch`). Two loaders at once (a Dagster
run and the follower) are safe: the second to commit a range finds the offsets moved, rolls back,
re-reads the offsets and carries on from there.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from snowflake.connector import SnowflakeConnection

from crypto_platform.kafka_client import partition_ids
from crypto_platform.loader.arrow_rows import Message, raw_text, to_rows
from crypto_platform.warehouse.trades import (
    OffsetConflict,
    Rejected,
    TradeBatch,
    commit_batch,
    stored_offsets,
    track_partitions,
)

log = logging.getLogger(__name__)

Connect = Callable[[], AbstractContextManager[SnowflakeConnection]]


@dataclass
class LoadReport:
    rows: int = 0
    rejected: int = 0
    batches: int = 0
    conflicts: int = 0
    next_offsets: dict[int, int] = field(default_factory=dict)
    end_offsets: dict[int, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def lag(self) -> dict[int, int]:
        """Messages per partition still to load, as of the high watermarks last seen."""
        return {p: max(0, end - self.next_offsets.get(p, 0)) for p, end in self.end_offsets.items()}


class TradesLoader:
    def __init__(
        self,
        kafka_config: dict[str, Any],
        topic: str,
        connect: Connect,
        batch_size: int = 250_000,
    ) -> None:
        self.kafka_config = kafka_config
        self.topic = topic
        self.connect = connect
        self.batch_size = batch_size

    async def load_until_caught_up(self) -> LoadReport:
        """Load from the stored offsets up to the high watermarks seen at the start, then return."""
        started = time.perf_counter()
        report = LoadReport()
        async with self._consumer() as (consumer, partitions):
            report.end_offsets = _by_partition(await consumer.end_offsets(partitions))
            with self.connect() as conn:
                positions = await self._start(consumer, conn, partitions)
                while any(positions[p] < end for p, end in report.end_offsets.items()):
                    messages = await self._read(consumer, partitions, positions, report.end_offsets)
                    positions = await self._commit(consumer, conn, partitions, positions, messages, report)
        report.next_offsets = positions
        report.seconds = time.perf_counter() - started
        return report

    async def follow(
        self,
        stop: asyncio.Event,
        on_batch: Callable[[LoadReport], None],
        interval: float = 0.5,
        batch_size: int = 50_000,
    ) -> None:
        """Load whatever has arrived every `interval` seconds until `stop` is set; reports each batch."""
        async with self._consumer() as (consumer, partitions):
            with self.connect() as conn:
                positions = await self._start(consumer, conn, partitions)
                while not stop.is_set():
                    started = time.perf_counter()
                    batch = await consumer.getmany(
                        *partitions, timeout_ms=int(interval * 1000), max_records=batch_size
                    )
                    messages = [
                        Message(tp.partition, r.offset, r.value)
                        for tp, records in batch.items()
                        for r in records
                    ]
                    if not messages:
                        continue
                    report = LoadReport()
                    positions = await self._commit(consumer, conn, partitions, positions, messages, report)
                    report.next_offsets = dict(positions)
                    report.end_offsets = _by_partition(await consumer.end_offsets(partitions))
                    report.seconds = time.perf_counter() - started
                    on_batch(report)

    # ---- shared steps ------------------------------------------------------------------------

    @asynccontextmanager
    async def _consumer(self) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
        consumer = AIOKafkaConsumer(
            **self.kafka_config,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=16 * 1024 * 1024,
            fetch_max_bytes=64 * 1024 * 1024,
        )
        partitions = [
            TopicPartition(self.topic, p) for p in await partition_ids(self.kafka_config, self.topic)
        ]
        await consumer.start()
        try:
            consumer.assign(partitions)
            yield consumer, partitions
        finally:
            await consumer.stop()

    async def _start(
        self, consumer: AIOKafkaConsumer, conn: SnowflakeConnection, partitions: list[TopicPartition]
    ) -> dict[int, int]:
        earliest = _by_partition(await consumer.beginning_offsets(partitions))
        track_partitions(conn, self.topic, earliest)
        return self._seek(consumer, partitions, stored_offsets(conn, self.topic), earliest)

    def _seek(
        self,
        consumer: AIOKafkaConsumer,
        partitions: list[TopicPartition],
        stored: dict[int, int],
        earliest: dict[int, int] | None = None,
    ) -> dict[int, int]:
        positions = {}
        for tp in partitions:
            position = stored.get(tp.partition, 0)
            if earliest and position < earliest[tp.partition]:
                log.error(
                    "%s: offsets %d..%d expired before loading", tp, position, earliest[tp.partition] - 1
                )
                position = earliest[tp.partition]
            consumer.seek(tp, position)
            positions[tp.partition] = position
        return positions

    async def _read(
        self,
        consumer: AIOKafkaConsumer,
        partitions: list[TopicPartition],
        positions: dict[int, int],
        ends: dict[int, int],
    ) -> list[Message]:
        """Up to `batch_size` messages below the end offsets."""
        messages: list[Message] = []
        reached = dict(positions)
        while len(messages) < self.batch_size:
            open_partitions = [tp for tp in partitions if reached[tp.partition] < ends[tp.partition]]
            if not open_partitions:
                break
            batch = await consumer.getmany(
                *open_partitions, timeout_ms=1000, max_records=self.batch_size - len(messages)
            )
            for tp, records in batch.items():
                end = ends[tp.partition]
                messages += [Message(tp.partition, r.offset, r.value) for r in records if r.offset < end]
            for tp in open_partitions:  # the position also moves past offsets that hold no record
                reached[tp.partition] = await consumer.position(tp)
        for tp in partitions:  # messages past the end offsets were read ahead; read them again later
            if reached[tp.partition] > ends[tp.partition]:
                consumer.seek(tp, ends[tp.partition])
        return messages

    async def _commit(
        self,
        consumer: AIOKafkaConsumer,
        conn: SnowflakeConnection,
        partitions: list[TopicPartition],
        positions: dict[int, int],
        messages: list[Message],
        report: LoadReport,
    ) -> dict[int, int]:
        """Commit one batch; returns the positions after it (re-read from the warehouse on conflict)."""
        ranges: dict[int, tuple[int, int]] = {}
        for m in messages:
            start, end = ranges.get(m.partition, (positions[m.partition], positions[m.partition]))
            ranges[m.partition] = (start, max(end, m.offset + 1))
        rows = to_rows(messages)
        batch = TradeBatch(
            load_id=uuid.uuid4().hex,
            topic=self.topic,
            rows=rows.table,
            ranges=ranges,
            rejected=[Rejected(m.partition, m.offset, reason, raw_text(m)) for m, reason in rows.rejected],
        )
        try:
            await asyncio.to_thread(commit_batch, conn, batch)
        except OffsetConflict as exc:
            log.warning("another loader committed first (%s); continuing from the stored offsets", exc)
            report.conflicts += 1
            return self._seek(consumer, partitions, stored_offsets(conn, self.topic))
        report.rows += rows.table.num_rows
        report.rejected += len(rows.rejected)
        report.batches += 1
        return positions | {p: end for p, (_, end) in ranges.items()}


def _by_partition(offsets: dict[TopicPartition, int]) -> dict[int, int]:
    return {tp.partition: offset for tp, offset in offsets.items()}
