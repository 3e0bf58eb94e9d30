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
import functools
import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, NamedTuple

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.partitioner import DefaultPartitioner

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import start_client
from crypto_platform.prices.producer.stats import ProducerStats

log = logging.getLogger(__name__)


Message = tuple[bytes, bytes]
"""A record's key and value."""


class _Delivery(NamedTuple):
    """Messages for one partition. Each request's share is kept until Kafka acknowledges it, so that
    a failed one can be sent again."""

    topic: str
    partition: int
    messages: list[Message]
    dead_letters: bool


class KafkaSink:
    def __init__(
        self, client_config: dict[str, Any], stats: ProducerStats, backoff: Backoff, **tuning: Any
    ) -> None:
        self.stats = stats
        self.backoff = backoff
        self._config = client_config | {"enable_idempotence": True, "acks": "all"} | tuning
        self._producer: AIOKafkaProducer | None = None
        self._partitioner = DefaultPartitioner()
        self._partition_of: dict[str, dict[bytes, int]] = defaultdict(dict)
        self._retry: list[_Delivery] = []
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def start(self) -> None:
        """Connect, retrying with backoff while the broker is unavailable; raises KafkaSignInError
        when it refuses our TLS or SASL sign-in."""
        while True:
            producer = AIOKafkaProducer(**self._config)
            try:
                await start_client(producer.start, self._config)  # a refused sign-in raises at once
            except KafkaConnectionError as exc:
                await producer.stop()
                await self._wait("Kafka unavailable at start", exc)
                continue
            self._producer = producer
            self.backoff.reset()
            return

    async def send(self, topic: str, messages: Sequence[Message], dead_letters: bool = False) -> None:
        """Hand messages to the producer; returns once they are queued there (not yet acknowledged).
        `dead_letters` counts them as dead-lettered rather than produced once acknowledged."""
        await self._resend_failed()
        groups: dict[int, list[Message]] = defaultdict(list)
        known = self._partition_of[topic]
        for message in messages:
            partition = known.get(message[0])
            if partition is None:
                partition = await self._partition(topic, message[0])
            groups[partition].append(message)
        for partition, group in groups.items():
            await self._send_partition(_Delivery(topic, partition, group, dead_letters))

    async def _resend_failed(self) -> None:
        failed, self._retry = self._retry, []
        for delivery in failed:
            await self._send_partition(delivery)

    async def _partition(self, topic: str, key: bytes) -> int:
        """A key's partition the first time it is seen (later ones come from `_partition_of`)."""
        assert self._producer is not None, "start() first"
        partitions = sorted(await self._producer.partitions_for(topic))
        partition = self._partition_of[topic][key] = self._partitioner(key, partitions, partitions)
        return partition

    async def _send_partition(self, delivery: _Delivery) -> None:
        assert self._producer is not None, "start() first"
        batch, members = self._producer.create_batch(), []
        for key, value in delivery.messages:
            if batch.append(key=key, value=value, timestamp=None) is None:
                await self._submit(batch, delivery._replace(messages=members))
                batch, members = self._producer.create_batch(), []
                batch.append(key=key, value=value, timestamp=None)
            members.append((key, value))
        if members:
            await self._submit(batch, delivery._replace(messages=members))

    async def _submit(self, batch: Any, delivery: _Delivery) -> None:
        assert self._producer is not None
        while True:
            try:
                future = await self._producer.send_batch(batch, delivery.topic, partition=delivery.partition)
                break
            except KafkaError as exc:  # no room in the producer's buffer for the request timeout
                await self._wait("Kafka send blocked", exc)
        self.backoff.reset()
        self._in_flight += 1
        self._idle.clear()
        future.add_done_callback(functools.partial(self._delivered, delivery))

    def _delivered(self, delivery: _Delivery, future: asyncio.Future) -> None:
        self._in_flight -= 1
        count = len(delivery.messages)
        if future.cancelled() or future.exception() is not None:
            self.stats.send_retries += count
            self._retry.append(delivery)
        elif delivery.dead_letters:
            self.stats.dead_lettered += count
        else:
            self.stats.produced += count
        if self._in_flight == 0:
            self._idle.set()

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
            await self._resend_failed()

    async def stop(self) -> None:
        if self._producer is not None:
            await self.flush()
            await self._producer.stop()
            self._producer = None
