"""News: the latest crypto news with source, time, a link to the article, summary, the coins each
item mentions and its sentiment, filtered by coin and publication date."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st

from crypto_platform.settings import get_settings
from streamlit_app import data
from streamlit_app.timezone import local, stored, user_zone, zone_name

ANY_COIN = "All coins"
MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
URL_SAFE = "-._~:/?#@!$&*+,;=%"  # RFC 3986's unreserved and reserved characters, without ()[]'

st.title("News")


def escaped(text: str) -> str:
    """Text from the feed shown literally, not read as Markdown."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def link_target(url: str) -> str | None:
    """A Markdown link destination for a feed's URL, or None when it is not an http(s) URL with a
    host. Every character that could end the destination or start other Markdown (parentheses,
    brackets, spaces, quotes, angle brackets, non-ASCII) is percent-encoded, so the destination is
    the whole URL and nothing from the feed becomes an image or another element."""
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url, safe=URL_SAFE, errors="replace")


def mood(score: float) -> str:
    if score > 0.1:
        return f":green[positive {score:+.2f}]"
    if score < -0.1:
        return f":red[negative {score:+.2f}]"
    return f":gray[neutral {score:+.2f}]"


def item(row: pd.Series) -> None:
    headline = escaped(row.headline)
    target = link_target(str(row.url))
    linked = f"[{headline}]({target})" if target else headline
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
