"""Writing records to Kafka fast, without losing one while the broker comes and goes.

Records are grouped by partition (Kafka's default murmur2 partitioner on the key, so one symbol
keeps one partition and its order) and handed to the idempotent aiokafka producer (`acks=all`) as
whole batches: per-message `send` costs several times more than building the batch ourselves.
A batch whose delivery fails anyway (the broker stayed away past the request timeout) was never
written; its records are queued again and re-sent, after a backoff, in a new producer session. A new
session because aiokafka's idempotent producer numbers a batch when it leaves the queue, also one
that then expires unsent: the broker refuses every later batch of that session as out of order
(OutOfOrderSequenceNumber), so retrying in it would fail for ever. A batch of the old session that
did arrive is sent twice; CORE.TRADES keeps one row per trade id. While the broker is away `send`
waits, which stops the pump and, through the service's bounded frame buffer, applies backpressure to
the feed reader.

Every record handed to `send` is held until Kafka acknowledges the batch it went out in, and
released then, so that a shutdown that cannot wait for the broker can still hand back exactly what
was not delivered (`unacknowledged`), for the spool. Holds are keyed by a sequence number, never by
`id()` (which Python reuses once an object is freed).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
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
from crypto_platform.clients.kafka import KafkaConnection, pace_metadata_updates, start_client
from crypto_platform.prices.producer.counters import ProducerCounters

log = logging.getLogger(__name__)

CLOSE_SECONDS = 5.0
"""How long an abandoned producer session may take to close."""


Record = tuple[bytes, bytes]
"""A record's key and value."""


@dataclass(eq=False)
class _Held:
    """Records handed over and not yet acknowledged: those of `messages` from `start` on."""

    topic: str
    messages: list[Record]
    start: int = 0


@dataclass(frozen=True)
class _Batch:
    """One batch submitted to one topic partition, and the hold that keeps its records."""

    held: int
    topic: str
    partition: int
    messages: list[Record]
    dead_letters: bool
    counters: ProducerCounters
    """The feed's counters its acknowledgement (or failure) is counted in."""
    session: int = 0
    """The producer session it was submitted in."""


class KafkaSink:
    def __init__(self, kafka: KafkaConnection, backoff: Backoff, **tuning: Any) -> None:
        self.backoff = backoff
        self._config = kafka.client_config() | {"enable_idempotence": True, "acks": "all"} | tuning
        self._producer: AIOKafkaProducer | None = None
        self._partitioner = DefaultPartitioner()
        self._partition_of: dict[str, dict[bytes, int]] = defaultdict(dict)
        self._holds = itertools.count()
        self._unacknowledged: dict[int, _Held] = {}
        self._retry: list[_Batch] = []
        self._session = 0
        self._failure: BaseException | None = None
        """Why a batch of the current session failed, if one did."""
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
            self.waiting_since = None  # the backoff is reset by an acknowledgement, not by a session
            return

    async def send(
        self, topic: str, messages: Sequence[Record], counters: ProducerCounters, dead_letters: bool = False
    ) -> None:
        """Hand messages to the producer; returns once they are queued there (not yet acknowledged).
        Once acknowledged they are counted in `counters` (a feed's), as dead-lettered when
        `dead_letters`, else as produced."""
        whole = self._hold(topic, list(messages))
        await self._resend_failed()
        groups: dict[int, list[Record]] = defaultdict(list)
        known = self._partition_of[topic]
        for message in messages:
            partition = known.get(message[0])
            if partition is None:
                partition = await self._partition(topic, message[0])
            groups[partition].append(message)
        held = {p: self._hold(topic, group) for p, group in groups.items()}
        self._unacknowledged.pop(whole)
        for partition, group in groups.items():
            batch = _Batch(held[partition], topic, partition, group, dead_letters, counters)
            await self._send_partition(batch)

    def unacknowledged(self) -> list[tuple[str, Record]]:
        """(topic, message) for every record handed over and not acknowledged by Kafka (one in flight
        at this moment may yet be: sending it again later doubles it, which CORE.TRADES absorbs)."""
        return [(h.topic, m) for h in self._unacknowledged.values() for m in h.messages[h.start :]]

    def _hold(self, topic: str, messages: list[Record]) -> int:
        key = next(self._holds)
        self._unacknowledged[key] = _Held(topic, messages)
        return key

    async def _resend_failed(self) -> None:
        """After a backoff, send the failed batches again, in a new producer session if one of the
        current session's failed (see above)."""
        if not self._retry:
            return
        await self._wait("Kafka did not acknowledge a batch", self._failure)
        if self._failure is not None:
            await self._renew()
        failed, self._retry = self._retry, []
        for batch in failed:
            await self._send_partition(batch)

    async def _renew(self) -> None:
        """Abandon the current producer session, its unacknowledged batches joining `_retry` (held
        still), and start a new one. aiokafka has no public way to drop a session's queue: stopping
        waits for it, for ever if the broker refuses it."""
        old, self._producer, self._failure = self._producer, None, None
        self._session += 1
        log.warning("producer: starting a new Kafka producer session (%d)", self._session)
        if old is not None:
            old._message_accumulator.fail_all(KafkaError("producer session abandoned"))
            with contextlib.suppress(TimeoutError, KafkaError):
                await asyncio.wait_for(old.stop(), CLOSE_SECONDS)
        await self.start()

    async def _partition(self, topic: str, key: bytes) -> int:
        """A key's partition the first time it is seen (later ones come from `_partition_of`)."""
        assert self._producer is not None, "start() first"
        partitions = sorted(await self._producer.partitions_for(topic))
        partition = self._partition_of[topic][key] = self._partitioner(key, partitions, partitions)
        return partition

    async def _send_partition(self, group: _Batch) -> None:
        """Submit `group`'s records as Kafka batches. Each submitted batch takes its records into a
        hold of its own, and `group`'s hold shrinks to the rest (it is kept if this is cancelled)."""
        assert self._producer is not None, "start() first"
        batch, first = self._producer.create_batch(), 0
        for i, (key, value) in enumerate(group.messages):
            if batch.append(key=key, value=value, timestamp=None) is None:
                await self._submit(batch, group, group.messages[first:i])
                self._unacknowledged[group.held].start = first = i
                batch = self._producer.create_batch()
                batch.append(key=key, value=value, timestamp=None)
        if first < len(group.messages):
            await self._submit(batch, group, group.messages[first:])
        self._unacknowledged.pop(group.held)

    async def _submit(self, batch: Any, group: _Batch, members: list[Record]) -> None:
        assert self._producer is not None
        while True:
            try:
                future = await self._producer.send_batch(batch, group.topic, partition=group.partition)
                break
            except KafkaError as exc:  # no room in the producer's buffer for the request timeout
                await self._wait("Kafka send blocked", exc)
        submitted = _Batch(self._hold(group.topic, members), group.topic, group.partition, members,
                           group.dead_letters, group.counters, self._session)  # fmt: skip
        self._in_flight += 1
        self._idle.clear()
        future.add_done_callback(functools.partial(self._delivered, submitted))

    def _delivered(self, batch: _Batch, future: asyncio.Future) -> None:
        """Release an acknowledged batch's records at once; queue a failed one to be sent again."""
        self._in_flight -= 1
        count = len(batch.messages)
        if future.cancelled() or future.exception() is not None:
            batch.counters.send_retries += count
            self._retry.append(batch)  # still held
            if batch.session == self._session:
                self._failure = KafkaError("cancelled") if future.cancelled() else future.exception()
            if self.waiting_since is None:
                self.waiting_since, self.waiting_reason = time.time(), "Kafka did not acknowledge a batch"
        else:
            self._unacknowledged.pop(batch.held)
            self._answered()
            if batch.dead_letters:
                batch.counters.dead_lettered += count
            else:
                batch.counters.produced += count
        if self._in_flight == 0:
            self._idle.set()

    async def _wait(self, what: str, exc: BaseException | None) -> None:
        if self.waiting_since is None:
            self.waiting_since = time.time()
        self.waiting_reason = f"{what}: {exc}" if exc is not None else what
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
