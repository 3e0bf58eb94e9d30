"""Writing records to Kafka fast, without losing one while the broker comes and goes.

Records are grouped by partition (Kafka's default murmur2 partitioner on the key, so one symbol
keeps one partition and its order) and handed to the idempotent aiokafka producer (`acks=all`) as
whole batches: per-message `send` costs several times more than building the batch ourselves.
A batch whose delivery fails anyway (the broker stayed away past the request timeout) was never
written; its records are queued again and re-sent once the broker answers, so nothing is lost or
doubled. While the broker is away `send_batch` waits, which stops the pump and, through the
service's bounded frame buffer, applies backpressure to the feed reader.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.partitioner import DefaultPartitioner

from crypto_platform.producer.connection import Backoff
from crypto_platform.producer.stats import ProducerStats

log = logging.getLogger(__name__)


class Record(NamedTuple):
    topic: str
    key: bytes
    value: bytes
    dead_letter: bool = False


class KafkaSink:
    def __init__(
        self, client_config: dict[str, Any], stats: ProducerStats, backoff: Backoff, **tuning: Any
    ) -> None:
        self.stats = stats
        self.backoff = backoff
        self._config = client_config | {"enable_idempotence": True, "acks": "all"} | tuning
        self._producer: AIOKafkaProducer | None = None
        self._partitioner = DefaultPartitioner()
        self._partition_of: dict[tuple[str, bytes], int] = {}
        self._retry: list[Record] = []
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Connect, retrying with backoff while the broker is unavailable."""
        while True:
            producer = AIOKafkaProducer(**self._config)
            try:
                await producer.start()
            except KafkaConnectionError as exc:
                await producer.stop()
                await self._wait("Kafka unavailable at start", exc)
                continue
            self._producer = producer
            self.backoff.reset()
            return

    async def send(self, records: Sequence[Record]) -> None:
        """Hand records to the producer; returns once they are queued there (not yet acknowledged)."""
        if self._retry:
            records, self._retry = [*self._retry, *records], []
        groups: dict[tuple[str, int], list[Record]] = defaultdict(list)
        known = self._partition_of
        for record in records:
            partition = known.get((record.topic, record.key))
            if partition is None:
                partition = await self._partition(record)
            groups[record.topic, partition].append(record)
        for (topic, partition), group in groups.items():
            await self._send_group(topic, partition, group)

    async def _partition(self, record: Record) -> int:
        """A key's partition the first time it is seen (later ones come from `_partition_of`)."""
        assert self._producer is not None, "start() first"
        partitions = sorted(await self._producer.partitions_for(record.topic))
        partition = self._partition_of[record.topic, record.key] = self._partitioner(
            record.key, partitions, partitions
        )
        return partition

    async def _send_group(self, topic: str, partition: int, group: list[Record]) -> None:
        assert self._producer is not None, "start() first"
        batch, members = self._producer.create_batch(), []
        for record in group:
            if batch.append(key=record.key, value=record.value, timestamp=None) is None:
                await self._submit(batch, topic, partition, members)
                batch, members = self._producer.create_batch(), []
                batch.append(key=record.key, value=record.value, timestamp=None)
            members.append(record)
        if members:
            await self._submit(batch, topic, partition, members)

    async def _submit(self, batch: Any, topic: str, partition: int, members: list[Record]) -> None:
        assert self._producer is not None
        while True:
            try:
                future = await self._producer.send_batch(batch, topic, partition=partition)
                break
            except KafkaError as exc:  # no room in the producer's buffer for the request timeout
                await self._wait("Kafka send blocked", exc)
        self.backoff.reset()
        self._in_flight += 1
        self._idle.clear()
        future.add_done_callback(self._delivered(members))

    def _delivered(self, members: list[Record]) -> Callable[[asyncio.Future], None]:
        def done(future: asyncio.Future) -> None:
            self._in_flight -= 1
            if future.cancelled() or future.exception() is not None:
                self.stats.send_retries += len(members)
                self._retry.extend(members)
            elif members[0].dead_letter:  # a batch holds one topic: all dead letters or none
                self.stats.dead_lettered += len(members)
            else:
                self.stats.produced += len(members)
            if self._in_flight == 0:
                self._idle.set()

        return done

    async def _wait(self, what: str, exc: Exception) -> None:
        delay = self.backoff.next_delay()
        log.error("%s (%s); retrying in %.2fs", what, exc, delay)
        await asyncio.sleep(delay)

    async def flush(self) -> None:
        """Until every record handed over so far is acknowledged, re-sending failed ones."""
        while True:
            await self._idle.wait()
            if not self._retry:
                return
            await self.send([])

    async def stop(self) -> None:
        if self._producer is not None:
            await self.flush()
            await self._producer.stop()
            self._producer = None
