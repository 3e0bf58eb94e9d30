"""Writing records to Kafka without losing one while the broker comes and goes.

The aiokafka producer is idempotent (`acks=all`), so its own retries never duplicate. A record
whose delivery fails anyway (the broker stayed away past the request timeout) is queued again and
re-sent once the broker answers: it was never written, so nothing is doubled. While the broker is
away `send` waits, which stops the pump and, through the service's bounded frame buffer, applies
backpressure to the feed reader.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, NamedTuple

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, KafkaError

from crypto_platform.producer.connection import Backoff
from crypto_platform.producer.stats import ProducerStats

log = logging.getLogger(__name__)


class Record(NamedTuple):
    topic: str
    key: bytes | None
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
        self._retry: deque[Record] = deque()
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
                delay = self.backoff.next_delay()
                log.error("Kafka unavailable at start (%s); retrying in %.2fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            self._producer = producer
            self.backoff.reset()
            return

    async def send(self, record: Record) -> None:
        """Hand a record to the producer; returns once it is buffered there (not yet acknowledged)."""
        while self._retry:
            await self._send(self._retry.popleft())
        await self._send(record)

    async def _send(self, record: Record) -> None:
        assert self._producer is not None, "start() first"
        while True:
            try:
                future = await self._producer.send(record.topic, record.value, key=record.key)
            except KafkaError as exc:  # no room in the producer's buffer for the request timeout
                delay = self.backoff.next_delay()
                log.error("Kafka send blocked (%s); retrying in %.2fs", exc, delay)
                await asyncio.sleep(delay)
                continue
            self.backoff.reset()
            self._in_flight += 1
            self._idle.clear()
            future.add_done_callback(self._delivered(record))
            return

    def _delivered(self, record: Record) -> Callable[[asyncio.Future], None]:
        def done(future: asyncio.Future) -> None:
            self._in_flight -= 1
            if future.cancelled() or future.exception() is not None:
                self.stats.send_retries += 1
                self._retry.append(record)
            elif record.dead_letter:
                self.stats.dead_lettered += 1
            else:
                self.stats.produced += 1
            if self._in_flight == 0:
                self._idle.set()

        return done

    async def flush(self) -> None:
        """Until every record handed over so far is acknowledged, re-sending failed ones."""
        while True:
            await self._idle.wait()
            if not self._retry:
                return
            while self._retry:
                await self._send(self._retry.popleft())

    async def stop(self) -> None:
        if self._producer is not None:
            await self.flush()
            await self._producer.stop()
            self._producer = None
