"""The warehouse side of loading trades exactly once.

A batch is staged first (Parquet file, PUT to the stage, COPY INTO RAW.TRADES_STAGE), then one
transaction compares-and-sets every partition's offset in OPS.KAFKA_OFFSETS from where the batch
started to where it ends, inserts the staged rows into RAW.TRADES, records rejected messages and
refreshes the candles and market state the rows touched (`market_tables.refresh`) and, for a
loader's batch, records the gaps its live trades reveal (`gap_tables.record_gaps`). If any offset
had moved (another loader got there first) the transaction is rolled back and nothing of the batch
is kept. A crash anywhere leaves either the whole batch and its offsets, or neither.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import pyarrow as pa
from snowflake.connector import SnowflakeConnection

from crypto_platform.warehouse.bulk import put_parquet
from crypto_platform.warehouse.connection import WriteConflict, transaction
from crypto_platform.warehouse.gap_tables import GapRules, record_gaps
from crypto_platform.warehouse.market_tables import refresh
from crypto_platform.warehouse.sql import bind, bind_many, query


class OffsetConflict(WriteConflict):
    """Another loader committed part of this batch's range first; the batch was rolled back."""


@dataclass(frozen=True)
class Rejected:
    partition: int
    offset: int
    reason: str
    raw: str | None  # None: a tombstone


@dataclass
class TradeBatch:
    """Rows (columns as in RAW.TRADES_STAGE, without LOAD_ID and STAGED_AT) and the offset ranges
    they cover: partition -> (first offset, next offset after the batch)."""

    load_id: str
    topic: str
    rows: pa.Table
    ranges: dict[int, tuple[int, int]]
    rejected: list[Rejected] = field(default_factory=list)
    gap_rules: GapRules | None = None
    """How to find the gaps in its live trades (None: not looked for)."""


def stored_offsets(conn: SnowflakeConnection, topic: str) -> dict[int, int]:
    with conn.cursor() as cur:
        cur.execute(*bind(query("kafka_offsets_select"), {"topic": topic}))
        return {int(p): int(o) for p, o in cur.fetchall()}


def feeds_newest_age_seconds(conn: SnowflakeConnection, since: datetime) -> dict[str, float]:
    """Each feed (`SOURCE`) with trades in RAW.TRADES from `since` (UTC) on, and the seconds since
    the producer received its newest."""
    with conn.cursor() as cur:
        cur.execute(*bind(query("check_feeds_newest_age"), {"since": since.replace(tzinfo=None)}))
        return {source: float(age) for source, age in cur.fetchall()}


def offsets_age_seconds(conn: SnowflakeConnection, topic: str) -> float | None:
    """Seconds since the loader last advanced any partition of `topic`; None when it tracks none."""
    with conn.cursor() as cur:
        cur.execute(*bind(query("kafka_offsets_age"), {"topic": topic}))
        (age,) = cur.fetchone()
    return None if age is None else float(age)


def track_partitions(conn: SnowflakeConnection, topic: str, earliest: Mapping[int, int]) -> None:
    """Start tracking partitions not tracked yet, at the earliest offset Kafka holds."""
    with conn.cursor() as cur:
        for partition, offset in earliest.items():
            params = {"topic": topic, "partition": partition, "offset": offset}
            cur.execute(*bind(query("kafka_offsets_init"), params))


def commit_batch(conn: SnowflakeConnection, batch: TradeBatch) -> None:
    """Stage and commit one batch exactly once; raises OffsetConflict if another loader was first,
    WriteConflict if another writer held what the transaction wrote (both rolled back)."""
    if batch.rows.num_rows:
        _stage(conn, batch)
    try:
        with transaction(conn) as cur:
            for partition, (start, end) in sorted(batch.ranges.items()):
                params = {"topic": batch.topic, "partition": partition, "expected": start, "next_offset": end}
                cur.execute(*bind(query("kafka_offsets_advance"), params))
                if cur.rowcount != 1:
                    raise OffsetConflict(f"{batch.topic}[{partition}] is no longer at offset {start}")
            if batch.rows.num_rows:
                cur.execute(*bind(query("trades_insert_from_stage"), {"load_id": batch.load_id}))
                refresh(cur, batch.load_id, batch.rows)
                if batch.gap_rules is not None:
                    record_gaps(cur, batch.load_id, batch.gap_rules)
            if batch.rejected:
                cur.executemany(
                    *bind_many(query("trades_rejected_insert"), [asdict(r) for r in batch.rejected])
                )
    finally:
        if batch.rows.num_rows:
            _clean_stage(conn, batch.load_id)


def _clean_stage(conn: SnowflakeConnection, load_id: str) -> None:
    # another loader deleting the same stale rows conflicts: it will finish the job
    with contextlib.suppress(WriteConflict), transaction(conn) as cur:
        cur.execute(*bind(query("trades_stage_cleanup"), {"load_id": load_id}))


def _stage(conn: SnowflakeConnection, batch: TradeBatch) -> None:
    rows = batch.rows
    rows = rows.add_column(0, "LOAD_ID", pa.array([batch.load_id] * rows.num_rows, pa.string()))
    staged_at = datetime.now(UTC).replace(tzinfo=None)
    rows = rows.append_column("STAGED_AT", pa.array([staged_at] * rows.num_rows, pa.timestamp("ms")))
    with conn.cursor() as cur:
        put_parquet(cur, rows, "trades_stage_put", batch.load_id)
        cur.execute(query("trades_stage_copy").format(load_id=batch.load_id))
