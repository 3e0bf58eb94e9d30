"""OPS.TRADE_GAPS: the holes in each feed's live trades, found in the loader's transaction, and
their repairs; and the runs of trade ids already loaded, which a backfill of past days skips.

`record_gaps` runs inside each loader batch's transaction, after its rows are in RAW.TRADES: it
compares the batch's live trades with each feed symbol's newest loaded one (OPS.FEED_SEQUENCES),
records every jump (in ids where the venue numbers trades consecutively, in time where it does
not) and moves the newest on. The state is in the warehouse, committed with the trades, so a gap
is found whatever caused it, however long no producer ran, and exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from snowflake.connector import SnowflakeConnection
from snowflake.connector.cursor import SnowflakeCursor

from crypto_platform.warehouse.connection import transaction
from crypto_platform.warehouse.sql import bind, query


@dataclass(frozen=True)
class GapRules:
    """How gaps are found: `sequenced` sources number their trades consecutively per feed symbol, and
    a jump in one symbol's ids is a gap; for the others, no trade on the whole feed for more than
    `silence_seconds` is a gap of every symbol (its symbol and feed symbol None), looked for when a
    symbol is quiet that long (sql/queries/gaps_detect.sql)."""

    sequenced: frozenset[str]
    silence_seconds: float

    def params(self, load_id: str) -> dict[str, object]:
        return {
            "load_id": load_id,
            "sequenced": "," + ",".join(sorted(self.sequenced)) + ",",
            "silence_ms": int(self.silence_seconds * 1000),
        }


@dataclass(frozen=True)
class Gap:
    """One row of OPS.TRADE_GAPS. Times are UTC (naive, as TIMESTAMP_NTZ holds them); the ids are
    None where the venue has none, the symbols None for a whole feed's silence."""

    gap_id: str
    source: str
    symbol: str | None
    feed_symbol: str | None
    start_ts: datetime
    end_ts: datetime
    first_missing_id: int | None
    last_missing_id: int | None
    state: str
    recovered: int | None
    settled_at: datetime | None

    @property
    def missing(self) -> int | None:
        """How many trades the ids say are missing."""
        if self.first_missing_id is None or self.last_missing_id is None:
            return None
        return self.last_missing_id - self.first_missing_id + 1


def record_gaps(cur: SnowflakeCursor, load_id: str, rules: GapRules) -> None:
    """In batch `load_id`'s transaction: record the gaps it reveals and move each feed symbol's
    newest trade on."""
    params = rules.params(load_id)
    cur.execute(*bind(query("gaps_detect"), params))
    cur.execute(*bind(query("gaps_withdraw_silences"), params))
    cur.execute(*bind(query("gaps_sequences_refresh"), params))
    cur.execute(*bind(query("gaps_sequences_delete_replaced"), params))


def gaps(
    conn: SnowflakeConnection, since: datetime, source: str | None = None, state: str | None = None
) -> list[Gap]:
    """The gaps that end at or after `since` (UTC), oldest first; only `source`'s, or those in
    `state`, when given."""
    with conn.cursor() as cur:
        cur.execute(
            *bind(
                query("gaps_select"), {"since": since.replace(tzinfo=None), "source": source, "state": state}
            )
        )
        return [Gap(*row) for row in cur.fetchall()]


def settle(conn: SnowflakeConnection, settled: Iterable[tuple[str, str, int | None, str | None]]) -> int:
    """Mark open gaps (gap id, new state, trades recovered, detail) repaired or unrepairable, in one
    transaction; a gap no longer open is left as it is. Returns how many were settled."""
    count = 0
    with transaction(conn) as cur:
        for gap_id, state, recovered, detail in settled:
            cur.execute(
                *bind(
                    query("gaps_settle"),
                    {"gap_id": gap_id, "state": state, "recovered": recovered, "detail": detail},
                )
            )
            count += cur.rowcount
    return count


class LoadedRun(NamedTuple):
    """Consecutive trade ids of one feed symbol already loaded, and the time of the last (epoch ms)."""

    first_id: int
    last_id: int
    last_ts_ms: int


def loaded_runs(
    conn: SnowflakeConnection,
    source: str,
    feed_symbol: str,
    ids: tuple[int, int],
    since: datetime,
    until: datetime,
) -> list[LoadedRun]:
    """The runs of `source`'s `feed_symbol` trade ids within `ids` (first, last) in RAW.TRADES,
    traded in [since, until) (UTC), lowest first."""
    params = {
        "source": source, "feed_symbol": feed_symbol, "first_id": ids[0], "last_id": ids[1],
        "since": since.replace(tzinfo=None), "until": until.replace(tzinfo=None),
    }  # fmt: skip
    with conn.cursor() as cur:
        cur.execute(*bind(query("history_loaded_runs"), params))
        return [LoadedRun(int(first), int(last), int(ts)) for first, last, ts in cur.fetchall()]
