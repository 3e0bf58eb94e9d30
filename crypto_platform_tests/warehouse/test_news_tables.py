"""Writes of news days through the real connector to the emulator: atomic and idempotent even when
two writers replace the same day at the same moment (no Dagster pool in between)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from snowflake.connector import SnowflakeConnection

from crypto_platform.news.records import NewsRecord
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.news_tables import raw_news_table, replace_core_news, replace_raw_news

pytestmark = pytest.mark.stack
DAY = date(2026, 10, 5)


def record(n: int) -> NewsRecord:
    published = datetime(2026, 10, 5, 12, n, tzinfo=UTC)
    return NewsRecord(
        n, published, f"Bitcoin story {n}", "", "CoinDesk", f"https://x/{n}", None, None, "crypto"
    )


def core_item(r: NewsRecord) -> dict:
    return {"id": r.id, "partition_date": DAY, "published_at": r.published_at.replace(tzinfo=None),
            "headline": r.headline, "summary": r.summary, "source": r.source, "url": r.url, "image": None,
            "sentiment": 0.5, "sentiment_analyser": "test"}  # fmt: skip


def at_once(settings: Settings, write: Callable[[SnowflakeConnection], None], writers: int = 2) -> None:
    """Run `write(conn)` in `writers` threads, each on a connection of its own, released together."""
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with connect(settings) as conn:
                barrier.wait()
                write(conn)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors


def counts(settings: Settings, table: str, id_column: str = "ID") -> tuple[int, int]:
    with connect(settings) as conn:
        return run_query(conn, f"select count(*), count(distinct {id_column}) from {table}").rows[0]


@pytest.mark.parametrize("round_", range(3))
def test_two_writes_of_one_day_at_once_leave_one_copy(fresh: Settings, round_: int) -> None:
    records = [record(n) for n in range(1, 41)]
    items = [core_item(r) for r in records]
    tags = [{"news_id": r.id, "partition_date": DAY, "ticker": "BTC"} for r in records]
    at_once(fresh, lambda conn: replace_raw_news(conn, [DAY], raw_news_table((DAY, r, "k") for r in records)))
    at_once(fresh, lambda conn: replace_core_news(conn, [DAY], items, tags))
    assert counts(fresh, "RAW.NEWS") == (40, 40)
    assert counts(fresh, "CORE.NEWS") == (40, 40)
    assert counts(fresh, "CORE.NEWS_COINS", "NEWS_ID") == (40, 40)
    with connect(fresh) as conn:
        layers = dict(run_query(conn, "select LAYER, ROWS_LOADED from OPS.NEWS_LOADS").rows)
    assert layers == {"RAW": 40, "CORE": 80, "REACTIONS": None}  # the reactions were not written here
