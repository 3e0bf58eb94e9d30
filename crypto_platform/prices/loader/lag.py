"""Consumer lag of the trades loader, measured without joining a consumer group.

Lag per partition is the broker's high watermark minus the next offset the warehouse holds in
OPS.KAFKA_OFFSETS; the age of the oldest unloaded message comes from the timestamp of the message
at that offset, and the newest message's timestamp (the producer's send time) from the one just
below the high watermark.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition

from crypto_platform.clients.kafka import KafkaConnection, partition_ids


@dataclass(frozen=True)
class Lag:
    per_partition: dict[int, int]
    oldest_unloaded_ts_ms: int | None
    newest_ts_ms: int | None = None  # the newest message in any partition (epoch ms); None: empty topic

    @property
    def total(self) -> int:
        return sum(self.per_partition.values())

    def oldest_age_seconds(self, now_ms: int | None = None) -> float:
        if self.oldest_unloaded_ts_ms is None:
            return 0.0
        now_ms = now_ms if now_ms is not None else time.time_ns() // 1_000_000
        return max(0.0, (now_ms - self.oldest_unloaded_ts_ms) / 1000)


async def measure_lag(kafka: KafkaConnection, topic: str, stored: dict[int, int]) -> Lag:
    partitions = [TopicPartition(topic, p) for p in await partition_ids(kafka, topic)]
    consumer = AIOKafkaConsumer(**kafka.client_config(), enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)
        begins = await consumer.beginning_offsets(partitions)
        positions = {tp: max(stored.get(tp.partition, 0), begins[tp]) for tp in partitions}
        lag = {tp.partition: max(0, ends[tp] - positions[tp]) for tp in partitions}
        oldest: list[int] = []
        newest: list[int] = []
        for tp in partitions:
            if lag[tp.partition]:
                oldest += await _timestamps(consumer, tp, positions[tp])
            if ends[tp] > begins[tp]:
                newest += await _timestamps(consumer, tp, ends[tp] - 1)
        return Lag(lag, min(oldest, default=None), max(newest, default=None))
    finally:
        await consumer.stop()


async def _timestamps(consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> list[int]:
    """The timestamp of the message at `offset`, if one is there (a compacted offset holds none)."""
    consumer.seek(tp, offset)
    fetched = await consumer.getmany(tp, timeout_ms=2000, max_records=1)
    return [r.timestamp for r in fetched.get(tp, [])]
