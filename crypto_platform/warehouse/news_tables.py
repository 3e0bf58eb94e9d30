"""The warehouse side of the news batch: RAW.NEWS, CORE.NEWS with CORE.NEWS_COINS, and
CORE.NEWS_REACTIONS replaced per day window; the coins table the items are tagged from, and the
candles the reactions read.

Every write is one transaction that first claims its layer's row in OPS.NEWS_LOADS, then PUTs its
Parquet files to the news stage, deletes the days and COPYs the files in. Claiming first makes two
writes of one layer run one after the other on both backends: Snowflake holds the second at the
claim until the first commits (its DML takes table locks), so it deletes the first one's rows; the
emulator (DuckDB, optimistic) fails the second at the claim with a lock error (see
`local/emulator.py`), and it is retried after a backoff. Without the claim, two first loads
of a day on the emulator each deleted nothing and both inserted: every item twice.
"""

from __future__ import annotations

import dataclasses
import logging
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from snowflake.connector import SnowflakeConnection
from snowflake.connector.errors import ProgrammingError

from crypto_platform.clients.backoff import Backoff
from crypto_platform.news.reactions import Prices, Story, candle_window
from crypto_platform.news.records import NewsRecord
from crypto_platform.warehouse.bulk import put_parquet
from crypto_platform.warehouse.connection import MISSING_ERRNO, WriteConflict, transaction
from crypto_platform.warehouse.sql import bind, count_rows, query

log = logging.getLogger(__name__)

RAW_NEWS_SCHEMA = pa.schema(
    [
        ("PARTITION_DATE", pa.date32()), ("ID", pa.int64()), ("PUBLISHED_AT", pa.timestamp("ms")),
        ("HEADLINE", pa.string()), ("SUMMARY", pa.string()), ("SOURCE", pa.string()), ("URL", pa.string()),
        ("IMAGE", pa.string()), ("RELATED", pa.string()), ("CATEGORY", pa.string()), ("S3_KEY", pa.string()),
        ("LOADED_AT", pa.timestamp("ms")),
    ]
)  # fmt: skip
CORE_NEWS_SCHEMA = pa.schema(
    [
        ("ID", pa.int64()), ("PARTITION_DATE", pa.date32()), ("PUBLISHED_AT", pa.timestamp("ms")),
        ("HEADLINE", pa.string()), ("SUMMARY", pa.string()), ("SOURCE", pa.string()), ("URL", pa.string()),
        ("IMAGE", pa.string()), ("SENTIMENT", pa.float64()), ("SENTIMENT_ANALYSER", pa.string()),
        ("PROCESSED_AT", pa.timestamp("ms")),
    ]
)  # fmt: skip
NEWS_COINS_SCHEMA = pa.schema(
    [("NEWS_ID", pa.int64()), ("PARTITION_DATE", pa.date32()), ("TICKER", pa.string())]
)
NEWS_REACTIONS_SCHEMA = pa.schema(
    [
        ("PARTITION_DATE", pa.date32()), ("NEWS_ID", pa.int64()), ("TICKER", pa.string()),
        ("SYMBOL", pa.string()), ("PUBLISHED_AT", pa.timestamp("ms")), ("SENTIMENT", pa.float64()),
        ("PRICE_AT", pa.decimal128(38, 12)), ("RETURN_5M", pa.float64()), ("RETURN_1H", pa.float64()),
        ("RETURN_1D", pa.float64()), ("MISSING", pa.string()), ("COMPUTED_AT", pa.timestamp("ms")),
    ]
)  # fmt: skip

WRITE_ATTEMPTS = 8
"""Tries of one write that keeps meeting another write of its layer (emulator only; Snowflake waits)."""


def raw_news_table(records: Iterable[tuple[date, NewsRecord, str]]) -> pa.Table:
    """RAW.NEWS rows as an Arrow table: (partition day, record, S3 key it came from) each."""
    loaded_at = _now()
    rows = [
        {**dataclasses.asdict(r), "published_at": r.published_at.astimezone(UTC).replace(tzinfo=None),
         "partition_date": day, "s3_key": key, "loaded_at": loaded_at}
        for day, r, key in records
    ]  # fmt: skip
    return _table(RAW_NEWS_SCHEMA, rows)


def _table(schema: pa.Schema, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows keyed by lower-case column name as an Arrow table with the warehouse's column names."""
    return pa.table({name: [row[name.lower()] for row in rows] for name in schema.names}, schema=schema)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _window(days: Sequence[date]) -> dict[str, date]:
    return {"first_day": min(days), "last_day": max(days)}


def replace_raw_news(conn: SnowflakeConnection, days: Sequence[date], rows: pa.Table) -> None:
    """Replace the days' rows of RAW.NEWS with `rows` (columns as RAW.NEWS), in one transaction."""
    _replace(conn, "RAW", days, {"news_raw": rows})


def replace_core_news(
    conn: SnowflakeConnection, days: Sequence[date], items: list[dict[str, Any]], tags: list[dict[str, Any]]
) -> None:
    """Replace the days' rows of CORE.NEWS with `items` (keys: the columns in lower case, but
    PROCESSED_AT) and of CORE.NEWS_COINS with `tags`, in one transaction."""
    processed_at = _now()
    _replace(
        conn,
        "CORE",
        days,
        {
            "news_core": _table(CORE_NEWS_SCHEMA, [{**item, "processed_at": processed_at} for item in items]),
            "news_coins": _table(NEWS_COINS_SCHEMA, tags),
        },
    )


def replace_news_reactions(
    conn: SnowflakeConnection, days: Sequence[date], rows: list[dict[str, Any]], computed_at: datetime
) -> None:
    """Replace the days' rows of CORE.NEWS_REACTIONS with `rows` (keys: its columns in lower case,
    but COMPUTED_AT; see `news.reactions`), in one transaction."""
    table = _table(NEWS_REACTIONS_SCHEMA, [{**row, "computed_at": computed_at} for row in rows])
    _replace(conn, "REACTIONS", days, {"news_reactions": table})


def _replace(
    conn: SnowflakeConnection,
    layer: str,
    days: Sequence[date],
    tables: Mapping[str, pa.Table],
) -> None:
    """One write of a layer: claim, then for each table (by query-name prefix) delete the days and
    COPY its rows in. Retried from the start on a lock error, WRITE_ATTEMPTS times in all."""
    window = _window(days)
    backoff = Backoff(initial=0.2, maximum=5.0)
    for attempt in range(1, WRITE_ATTEMPTS + 1):
        load_id = uuid.uuid4().hex
        rows_loaded = sum(t.num_rows for t in tables.values())
        claim = {"layer": layer, "load_id": load_id, "rows": rows_loaded, **window}
        try:
            with transaction(conn) as cur:
                cur.execute(*bind(query("news_loads_claim"), claim))
                if cur.rowcount != 1:
                    raise RuntimeError(f"OPS.NEWS_LOADS has no row for layer {layer}: apply sql/ first")
                for name, rows in tables.items():
                    cur.execute(*bind(query(f"{name}_delete_window"), window))
                    if rows.num_rows:
                        folder = f"{load_id}-{name}"
                        put_parquet(cur, rows, "news_stage_put", folder)
                        cur.execute(query(f"{name}_copy").format(load_id=folder))
            return
        except WriteConflict:
            if attempt == WRITE_ATTEMPTS:
                raise
            delay = backoff.next_delay()
            log.warning("news %s write of %s..%s met another write; retry %d in %.1fs", layer,
                        window["first_day"], window["last_day"], attempt, delay)  # fmt: skip
            time.sleep(delay)


def raw_news_rows(conn: SnowflakeConnection, days: Sequence[date]) -> list[dict[str, Any]]:
    """The days' RAW.NEWS rows, oldest first, keyed by lower-case column name."""
    with conn.cursor() as cur:
        cur.execute(*bind(query("news_raw_select_window"), _window(days)))
        names = [d.name.lower() for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def reaction_inputs(conn: SnowflakeConnection, days: Sequence[date]) -> tuple[list[Story], Prices]:
    """The days' stories, once per coin each is tagged with, and the candle prices their reactions
    read (`news.reactions.candle_window`)."""
    with conn.cursor() as cur:
        cur.execute(*bind(query("news_reactions_stories"), _window(days)))
        stories = [Story(*row) for row in cur.fetchall()]
        window = candle_window(stories)
        if window is None:
            return stories, Prices([])
        cur.execute(*bind(query("news_reactions_candles"), {"since": window[0], "until": window[1]}))
        return stories, Prices(cur.fetchall())


def unsettled_reactions(conn: SnowflakeConnection, since: datetime) -> list[tuple[date, datetime, datetime]]:
    """(partition day, published at, computed at) of the reactions of stories published since `since`."""
    with conn.cursor() as cur:
        cur.execute(*bind(query("news_reactions_unsettled"), {"since": since}))
        return cur.fetchall()


def has_raw_news(conn: SnowflakeConnection) -> bool | None:
    """Whether RAW.NEWS has any row; None while it does not exist (`sql/` not applied yet)."""
    try:
        return count_rows(conn, "RAW.NEWS") > 0
    except ProgrammingError as exc:
        if exc.errno != MISSING_ERRNO:
            raise
        return None


def coins(conn: SnowflakeConnection) -> dict[str, list[str]]:
    """Ticker -> the names it goes by, from CORE.COINS."""
    names: dict[str, list[str]] = defaultdict(list)
    with conn.cursor() as cur:
        cur.execute(query("news_coins_select"))
        for ticker, name in cur.fetchall():
            names[ticker].append(name)
    return dict(names)
