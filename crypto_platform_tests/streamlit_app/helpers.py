"""Helpers for the dashboard's tests: the app run by AppTest against a test's own warehouse, and
news items to put in it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import streamlit as st
from snowflake.connector import SnowflakeConnection
from streamlit.testing.v1 import AppTest

from crypto_platform.settings import PROJECT_ROOT, Settings
from crypto_platform.warehouse.news_tables import replace_core_news, replace_news_reactions

NOW = datetime.now().replace(microsecond=0)  # the AppTest browser zone is UTC, as stored
APP = str(PROJECT_ROOT / "streamlit_app" / "app.py")


def run_app(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> AppTest:
    monkeypatch.setenv("SNOWFLAKE_DATABASE", settings.snowflake_database)
    monkeypatch.setenv("SNOWFLAKE_LOCAL_PORT", str(settings.snowflake_local_port))
    st.cache_data.clear()
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    assert not app.exception, app.exception
    return app


def news_item(
    id: int, hours_ago: float, headline: str, coins: list[str], sentiment: float
) -> tuple[dict, list]:
    published = NOW - timedelta(hours=hours_ago)
    row = {
        "id": id, "partition_date": published.date(), "published_at": published, "headline": headline,
        "summary": f"summary of {id}", "source": "CoinDesk", "url": f"https://example.com/{id}",
        "image": None, "sentiment": sentiment, "sentiment_analyser": "test",
    }  # fmt: skip
    return row, [{"news_id": id, "partition_date": published.date(), "ticker": c} for c in coins]


def store_news(conn: SnowflakeConnection, items: list[tuple[dict, list]]) -> None:
    """Write `news_item`s to CORE.NEWS and CORE.NEWS_COINS the way the `news` asset does."""
    days = sorted({row["partition_date"] for row, _ in items})
    replace_core_news(conn, days, [row for row, _ in items], [tag for _, tags in items for tag in tags])


def store_reactions(conn: SnowflakeConnection, items: list[tuple[dict, list]], moves: dict) -> None:
    """Write CORE.NEWS_REACTIONS for `news_item`s: `moves` is (news id, ticker) -> (5m, 1h, 1d)
    returns, or None for a price that is missing."""
    rows = []
    for row, tags in items:
        for tag in tags:
            returns = moves.get((row["id"], tag["ticker"]))
            rows.append({
                "partition_date": row["partition_date"], "news_id": row["id"], "ticker": tag["ticker"],
                "symbol": f"{tag['ticker']}-USD", "published_at": row["published_at"],
                "sentiment": row["sentiment"], "price_at": None if returns is None else 100,
                **dict(zip(("return_5m", "return_1h", "return_1d"), returns or (None,) * 3, strict=True)),
                "missing": "at publication: no trade" if returns is None else None,
            })  # fmt: skip
    replace_news_reactions(conn, sorted({r["partition_date"] for r in rows}), rows, NOW)
