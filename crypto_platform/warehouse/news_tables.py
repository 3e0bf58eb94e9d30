"""The warehouse side of the news batch: RAW.NEWS per day (bulk, delete-then-insert), CORE.NEWS and
CORE.NEWS_COINS per day window, and the coins table the items are tagged from."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pyarrow as pa
from snowflake.connector import SnowflakeConnection

from crypto_platform.news.records import NewsRecord
from crypto_platform.warehouse.bulk import put_parquet
from crypto_platform.warehouse.connection import transaction
from crypto_platform.warehouse.sql import bind, bind_many, query

RAW_NEWS_SCHEMA = pa.schema(
    [
        ("PARTITION_DATE", pa.date32()), ("ID", pa.int64()), ("PUBLISHED_AT", pa.timestamp("ms")),
        ("HEADLINE", pa.string()), ("SUMMARY", pa.string()), ("SOURCE", pa.string()), ("URL", pa.string()),
        ("IMAGE", pa.string()), ("RELATED", pa.string()), ("CATEGORY", pa.string()), ("S3_KEY", pa.string()),
        ("LOADED_AT", pa.timestamp("ms")),
    ]
)  # fmt: skip
RAW_NEWS_COLUMNS = RAW_NEWS_SCHEMA.names


def raw_news_table(records: Iterable[tuple[date, NewsRecord, str]]) -> pa.Table:
    """RAW.NEWS rows as an Arrow table: (partition day, record, S3 key it came from) each."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    columns: dict[str, list[Any]] = {name: [] for name in RAW_NEWS_COLUMNS}
    for day, r, key in records:
        values = (day, r.id, r.published_at.astimezone(UTC).replace(tzinfo=None), r.headline, r.summary,
                  r.source, r.url, r.image, r.related, r.category, key, loaded_at)  # fmt: skip
        for name, value in zip(RAW_NEWS_COLUMNS, values, strict=True):
            columns[name].append(value)
    return pa.table(columns, schema=RAW_NEWS_SCHEMA)


def _window(days: Sequence[date]) -> dict[str, date]:
    return {"first_day": min(days), "last_day": max(days)}


def replace_raw_news(conn: SnowflakeConnection, days: Sequence[date], rows: pa.Table) -> None:
    """Replace the days' rows of RAW.NEWS with `rows` (columns as RAW.NEWS), in one transaction."""
    load_id = uuid.uuid4().hex
    with conn.cursor() as cur:
        if rows.num_rows:
            put_parquet(cur, rows, "news_stage_put", load_id)
    with transaction(conn) as cur:
        cur.execute(*bind(query("news_raw_delete_window"), _window(days)))
        if rows.num_rows:
            cur.execute(query("news_raw_copy").format(load_id=load_id))


def raw_news_rows(conn: SnowflakeConnection, days: Sequence[date]) -> list[dict[str, Any]]:
    with conn.cursor() as cur:
        cur.execute(*bind(query("news_raw_select_window"), _window(days)))
        names = [d.name.lower() for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def coins(conn: SnowflakeConnection) -> dict[str, list[str]]:
    """Ticker -> the names it goes by, from CORE.COINS."""
    names: dict[str, list[str]] = defaultdict(list)
    with conn.cursor() as cur:
        cur.execute(query("news_coins_select"))
        for ticker, name in cur.fetchall():
            names[ticker].append(name)
    return dict(names)


def replace_core_news(
    conn: SnowflakeConnection, days: Sequence[date], items: list[dict[str, Any]], tags: list[dict[str, Any]]
) -> None:
    """Replace the days' rows of CORE.NEWS and CORE.NEWS_COINS, in one transaction."""
    window = _window(days)
    with transaction(conn) as cur:
        cur.execute(*bind(query("news_core_delete_window"), window))
        cur.execute(*bind(query("news_coins_delete_window"), window))
        if items:
            cur.executemany(*bind_many(query("news_core_insert"), items))
        if tags:
            cur.executemany(*bind_many(query("news_coins_insert"), tags))
