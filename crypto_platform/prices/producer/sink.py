"""Writing records to Kafka fast, without losing one while the broker comes and goes.

Records are grouped by partition (Kafka's default murmur2 partitioner on the key, so one symbol
keeps one partition and its order) and handed to the idempotent aiokafka producer (`acks=all`) as
whole batches: per-message `send` costs several times more than building the batch ourselves.
A batch whose delivery fails anyway (the broker stayed away past the request timeout) was never
written; its records are queued again and re-sent once the broker answers, so nothing is lost or
doubled. While the broker is away `send` waits, which stops the pump and, through the service's
bounded frame buffer, applies backpressure to the feed reader.

Every record handed to `send` is kept until Kafka acknowledges it, so that a shutdown that cannot
wait for the broker can still hand back what was not delivered (`unacknowledged`), for the spool.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError
from aiokafka.partitioner import DefaultPartitioner

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.kafka import pace_metadata_updates, start_client
from crypto_platform.prices.producer.stats import ProducerStats

log = logging.getLogger(__name__)


Message = tuple[bytes, bytes]
"""A record's key and value."""
NO_PARTITION = -1


@dataclass(eq=False)
class _Delivery:
    """Messages for one topic partition (NO_PARTITION until they are grouped), kept until Kafka
    acknowledges every batch they went out in."""

    topic: str
    partition: int
    messages: list[Message]
    dead_letters: bool
    batches: int = 0  # submitted and not yet answered (and 1 more while submitting)


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
        self._unacknowledged: dict[int, _Delivery] = {}
        self._retry: list[_Delivery] = []
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.waiting_since: float | None = None
        """When Kafka stopped answering (epoch seconds), while it does not; None otherwise."""
        self.waiting_reason = ""

    async def start(self) -> None:
        """Connect, retrying with backoff while the broker is unavailable; raises KafkaSignInError
        when it refuses our TLS or SASL sign-in."""
        while True:
            producer = AIOKafkaProducer(**self._config)
            pace_metadata_updates(producer.client)
            try:
                await start_client(producer.start, self._config)  # a refused sign-in raises at once
            except KafkaConnectionError as exc:
                await producer.stop()
                await self._wait("Kafka unavailable at start", exc)
                continue
            self._producer = producer
            self._answered()
            return

    async def send(self, topic: str, messages: Sequence[Message], dead_letters: bool = False) -> None:
        """Hand messages to the producer; returns once they are queued there (not yet acknowledged).
        `dead_letters` counts them as dead-lettered rather than produced once acknowledged."""
        whole = self._keep(_Delivery(topic, NO_PARTITION, list(messages), dead_letters))
        await self._resend_failed()
        groups: dict[int, list[Message]] = defaultdict(list)
        known = self._partition_of[topic]
        for message in messages:
            partition = known.get(message[0])
            if partition is None:
                partition = await self._partition(topic, message[0])
            groups[partition].append(message)
        deliveries = [self._keep(_Delivery(topic, p, group, dead_letters)) for p, group in groups.items()]
        self._unacknowledged.pop(id(whole))
        for delivery in deliveries:
            await self._send_partition(delivery)

    def unacknowledged(self) -> list[tuple[str, Message]]:
        """(topic, message) for every record handed over and not acknowledged by Kafka (one in flight
        at this moment may yet be: sending it again later doubles it, which CORE.TRADES absorbs)."""
        return [(d.topic, m) for d in self._unacknowledged.values() for m in d.messages]

    def _keep(self, delivery: _Delivery) -> _Delivery:
        self._unacknowledged[id(delivery)] = delivery
        return delivery

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
        delivery.batches += 1  # held while its batches are submitted (kept if this is cancelled)
        batch, members = self._producer.create_batch(), []
        for key, value in delivery.messages:
            if batch.append(key=key, value=value, timestamp=None) is None:
                await self._submit(batch, delivery, members)
                batch, members = self._producer.create_batch(), []
                batch.append(key=key, value=value, timestamp=None)
            members.append((key, value))
        if members:
            await self._submit(batch, delivery, members)
        self._settle(delivery)

    async def _submit(self, batch: Any, delivery: _Delivery, members: list[Message]) -> None:
        assert self._producer is not None
        while True:
            try:
                future = await self._producer.send_batch(batch, delivery.topic, partition=delivery.partition)
                break
            except KafkaError as exc:  # no room in the producer's buffer for the request timeout
                await self._wait("Kafka send blocked", exc)
        self._in_flight += 1
        delivery.batches += 1
        self._idle.clear()
        future.add_done_callback(functools.partial(self._delivered, delivery, members))

    def _delivered(self, delivery: _Delivery, members: list[Message], future: asyncio.Future) -> None:
        self._in_flight -= 1
        delivery.batches -= 1
        count = len(members)
        if future.cancelled() or future.exception() is not None:
            self.stats.send_retries += count
            retry = _Delivery(delivery.topic, delivery.partition, members, delivery.dead_letters)
            self._retry.append(self._keep(retry))
            if self.waiting_since is None:
                self.waiting_since, self.waiting_reason = time.time(), "Kafka did not acknowledge a batch"
        else:
            self._answered()
            if delivery.dead_letters:
                self.stats.dead_lettered += count
            else:
                self.stats.produced += count
        self._settle(delivery)
        if self._in_flight == 0:
            self._idle.set()

    def _settle(self, delivery: _Delivery) -> None:
        delivery.batches -= 1
        if delivery.batches == 0:
            self._unacknowledged.pop(id(delivery), None)

    async def _wait(self, what: str, exc: Exception) -> None:
        if self.waiting_since is None:
            self.waiting_since = time.time()
        self.waiting_reason = f"{what}: {exc}"
        delay = self.backoff.next_delay()
        log.error("%s (%s); retrying in %.2fs", what, exc, delay)
        await asyncio.sleep(delay)

    def _answered(self) -> None:
        self.waiting_since = None
        self.backoff.reset()

    async def flush(self) -> None:
        """Until every record handed over so far is acknowledged, re-sending failed ones."""
        while True:
            await self._idle.wait()
            if not self._retry:
                return
            await self._resend_failed()

    async def close(self, timeout: float) -> None:
        """Stop the Kafka client without waiting longer than `timeout` seconds for the broker."""
        if self._producer is not None:
            with contextlib.suppress(TimeoutError, KafkaError):
                await asyncio.wait_for(self._producer.stop(), timeout)
            self._producer = None
