"""Kafka `crypto.trades` -> RAW.TRADES, exactly once, in bounded runs or following the topic.

The position lives in the warehouse (OPS.KAFKA_OFFSETS), not in a consumer group: the loader
assigns itself every partition, seeks to the stored offsets, and commits each batch together with
its new offsets (`crypto_platform.warehouse.price_tables.commit_batch`). Two loaders at once (a Dagster
run and the follower) are safe: the second to commit a range finds the offsets moved, rolls back,
re-reads the offsets and carries on from there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from snowflake.connector import SnowflakeConnection

from crypto_platform.clients.kafka import KafkaConnection, partition_ids
from crypto_platform.prices.gc_tuning import freeze_startup_objects
from crypto_platform.prices.loader.arrow_rows import Messages, raw_text, to_rows
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.trade import LiveTimeBound
from crypto_platform.warehouse.connection import Connect, WriteConflict
from crypto_platform.warehouse.gap_tables import GapRules
from crypto_platform.warehouse.price_tables import (
    Rejected,
    TradeBatch,
    commit_batch,
    stored_offsets,
    track_partitions,
)

log = logging.getLogger(__name__)

GAP_RULES = GapRules(
    sequenced=frozenset(name for name, feed in FEEDS.items() if feed.CONSECUTIVE_IDS), silence_seconds=10.0
)
"""Gaps in the live trades, recorded with each batch: a jump in trade ids for the feeds that number
trades consecutively per symbol, 10 s without a trade of a symbol for the others (Finnhub, whose
default pairs, the busiest of Binance's, trade several times a second; a quieter symbol added by
hand would show false gaps)."""


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

    def metadata(self) -> dict[str, Any]:
        """The figures a materialization of `raw_trades` carries (plain values: Dagster types them)."""
        return {
            "rows_loaded": self.rows,
            "rows_rejected": self.rejected,
            "batches": self.batches,
            "offsets": {str(p): o for p, o in sorted(self.next_offsets.items())},
            "lag_left": sum(self.lag.values()),
            "lag_per_partition": {str(p): n for p, n in sorted(self.lag.items())},
            "seconds": round(self.seconds, 3),
        }


class TradesLoader:
    def __init__(
        self,
        kafka: KafkaConnection,
        topic: str,
        connect: Connect,
        batch_size: int,
        time_bound: LiveTimeBound,
    ) -> None:
        self.kafka = kafka
        self.topic = topic
        self.connect = connect
        self.batch_size = batch_size
        self.time_bound = time_bound

    async def load_until_caught_up(self) -> LoadReport:
        """Load from the stored offsets up to the high watermarks seen at the start, then return.

        Reading and committing overlap: while batch N commits (in a thread, mostly waiting on the
        warehouse), batch N+1 is read and converted. Commits stay in order, so each batch's
        compare-and-set starts where the previous one ended.
        """
        freeze_startup_objects()
        started = time.perf_counter()
        report = LoadReport()
        async with self._consumer() as (consumer, partitions):
            ends = report.end_offsets = _by_partition(await consumer.end_offsets(partitions))
            with self.connect() as conn:
                read = await self._start(consumer, conn, partitions)
                pending: asyncio.Task[bool] | None = None
                while any(read[p] < end for p, end in ends.items()):
                    batch = self._batch(read, await self._read(consumer, partitions, read, ends))
                    if pending is not None and not await pending:
                        # another loader was first: drop the batch just read, go on from its offsets
                        read, pending = (
                            self._seek(consumer, partitions, stored_offsets(conn, self.topic)),
                            None,
                        )
                        continue
                    pending = asyncio.create_task(self._commit(conn, batch, report))
                    read = read | {p: end for p, (_, end) in batch.ranges.items()}
                if pending is not None and not await pending:
                    read = stored_offsets(conn, self.topic)
        report.next_offsets = read
        report.seconds = time.perf_counter() - started
        return report

    async def load_continuously(
        self,
        stop: asyncio.Event,
        on_batch: Callable[[LoadReport], None],
        interval: float,
        on_poll: Callable[[], None] = lambda: None,
    ) -> None:
        """Load whatever has arrived, in batches of up to `batch_size` messages that start at least
        `interval` seconds apart, until `stop` is set; reports each batch to `on_batch`, and calls
        `on_poll` after every fetch (and its commit) that finished. A batch starts as soon as a
        message arrives once `interval` has passed: its commit costs the warehouse about as much
        for ten trades as for a thousand, so at a few hundred trades a second pacing halves the
        warehouse's work, while a trade still waits at most `interval` plus one commit to be
        visible."""
        freeze_startup_objects()
        async with self._consumer() as (consumer, partitions):
            with self.connect() as conn:
                positions = await self._start(consumer, conn, partitions)
                while not stop.is_set():
                    started = time.perf_counter()
                    fetched = await consumer.getmany(
                        *partitions, timeout_ms=int(interval * 1000), max_records=self.batch_size
                    )
                    messages = Messages()
                    for tp, records in fetched.items():
                        messages.add(tp.partition, [r.offset for r in records], [r.value for r in records])
                    if not messages:
                        on_poll()
                        continue
                    report = LoadReport()
                    batch = self._batch(positions, messages)
                    if await self._commit(conn, batch, report):
                        positions = positions | {p: end for p, (_, end) in batch.ranges.items()}
                    else:
                        positions = self._seek(consumer, partitions, stored_offsets(conn, self.topic))
                    report.next_offsets = dict(positions)
                    report.end_offsets = _by_partition(await consumer.end_offsets(partitions))
                    report.seconds = time.perf_counter() - started
                    on_batch(report)
                    on_poll()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), started + interval - time.perf_counter())

    # ---- shared steps ------------------------------------------------------------------------

    @asynccontextmanager
    async def _consumer(self) -> AsyncIterator[tuple[AIOKafkaConsumer, list[TopicPartition]]]:
        consumer = AIOKafkaConsumer(
            **self.kafka.client_config(),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=16 * 1024 * 1024,
            fetch_max_bytes=64 * 1024 * 1024,
        )
        partitions = [TopicPartition(self.topic, p) for p in await partition_ids(self.kafka, self.topic)]
        await consumer.start()
        try:
            consumer.assign(partitions)
            yield consumer, partitions
        finally:
            await _stop(consumer)

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
    ) -> Messages:
        """Up to `batch_size` messages below the end offsets."""
        messages = Messages()
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
                kept = [r for r in records if r.offset < end]
                messages.add(tp.partition, [r.offset for r in kept], [r.value for r in kept])
            for tp in open_partitions:  # the position also moves past offsets that hold no record
                reached[tp.partition] = await consumer.position(tp)
        for tp in partitions:  # messages past the end offsets were read ahead; read them again later
            if reached[tp.partition] > ends[tp.partition]:
                consumer.seek(tp, ends[tp.partition])
        return messages

    def _batch(self, positions: dict[int, int], messages: Messages) -> TradeBatch:
        """The batch for messages read from `positions`: rows, rejects and the offset range per partition."""
        ranges: dict[int, tuple[int, int]] = {}
        for partition, offset in zip(messages.partitions, messages.offsets, strict=True):
            start, end = ranges.get(partition, (positions[partition], positions[partition]))
            if offset >= end:
                ranges[partition] = (start, offset + 1)
        rows = to_rows(messages, self.time_bound)
        return TradeBatch(
            load_id=uuid.uuid4().hex,
            topic=self.topic,
            rows=rows.table,
            ranges=ranges,
            rejected=[Rejected(m.partition, m.offset, reason, raw_text(m)) for m, reason in rows.rejected],
            gap_rules=GAP_RULES,
        )

    async def _commit(self, conn: SnowflakeConnection, batch: TradeBatch, report: LoadReport) -> bool:
        """Commit one batch (in a thread: it mostly waits on the warehouse); False if it met another
        writer (another loader committed part of its range first, or held a row it wrote), in which
        case nothing of it was kept."""
        try:
            await asyncio.to_thread(commit_batch, conn, batch)
        except WriteConflict as exc:
            log.warning("the batch was rolled back (%s); continuing from the stored offsets", exc)
            report.conflicts += 1
            return False
        report.rows += batch.rows.num_rows
        report.rejected += len(batch.rejected)
        report.batches += 1
        return True


def _by_partition(offsets: dict[TopicPartition, int]) -> dict[int, int]:
    return {tp.partition: offset for tp, offset in offsets.items()}


async def _stop(consumer: AIOKafkaConsumer) -> None:
    """Stop the consumer. With Kafka away, aiokafka's stop() can raise the cancellation of its own
    fetch task (seen after a 40 s offsets timeout): that is not ours, and let through it would end
    the process instead of the loader's retry; a cancellation of this task still propagates."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.warning("the Kafka consumer's stop was cancelled from inside aiokafka; carrying on")
