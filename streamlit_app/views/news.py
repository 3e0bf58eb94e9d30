"""News: the latest crypto news with source, time, a link to the article, summary, the coins each
item mentions and its sentiment, filtered by coin and publication date."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from crypto_platform.settings import get_settings
from streamlit_app import data
from streamlit_app.timezone import local, stored, user_zone, zone_name

ANY_COIN = "All coins"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")

st.title("News")


def escaped(text: str) -> str:
    """Text from the feed shown literally, not read as Markdown."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def mood(score: float) -> str:
    if score > 0.1:
        return f":green[positive {score:+.2f}]"
    if score < -0.1:
        return f":red[negative {score:+.2f}]"
    return f":gray[neutral {score:+.2f}]"


def item(row: pd.Series) -> None:
    headline = escaped(row.headline)
    linked = f"[{headline}]({row.url})" if str(row.url).startswith(("https://", "http://")) else headline
    with st.container(border=True):
        st.markdown(f"**{linked}**")
        tags = " ".join(f":blue-badge[{c}]" for c in row.coins.split()) or ":gray-badge[no coin]"
        source, when = escaped(row.source or "unknown source"), local(row.published_at)
        st.markdown(f"{source} · {when:%Y-%m-%d %H:%M} · {tags} · {mood(row.sentiment)}")
        if row.summary:
            st.caption(escaped(row.summary))


@data.says_when_unavailable
def page() -> None:
    newest = data.newest_news()
    if newest is None:
        st.info(
            "No news loaded yet. The daily batch lands yesterday's news; to load past days, backfill "
            f"them in Dagster ({get_settings().dagster_ui}: Assets, news_landing, Materialize)."
        )
        return
    left, middle, right = st.columns([1, 2, 1])
    coin = left.selectbox("Coin", [ANY_COIN, *data.coins()])
    today, newest_day = datetime.now(user_zone()).date(), local(newest).date()
    days = middle.date_input(  # by default the week up to the newest item
        f"Published ({zone_name()})", (newest_day - timedelta(days=6), newest_day), max_value=today
    )
    limit = right.selectbox("Show", [50, 200, 1000], index=1)
    first, last = (days[0], days[-1]) if days else (newest_day, newest_day)
    since, until = (
        stored(datetime.combine(first, time())),
        stored(datetime.combine(last + timedelta(days=1), time())),
    )
    items = data.news(since, until, None if coin == ANY_COIN else coin, limit)
    if items.empty:
        st.info("No news in this window: choose other dates or another coin.")
        return
    st.caption(f"{len(items)} items, newest first")
    for _, row in items.iterrows():
        item(row)


page()
