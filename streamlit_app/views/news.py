"""News: the latest crypto news with source, time, a link to the article, summary, the coins each
item mentions, its sentiment and how each coin's price moved after it, filtered by coin and
publication date; and, over those dates, the mean and median 1-hour move after positive, neutral
and negative stories."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

import pandas as pd
import streamlit as st

from crypto_platform.news.reactions import HORIZONS
from crypto_platform.news.sentiment import label
from crypto_platform.settings import get_settings
from streamlit_app import data
from streamlit_app.timezone import day_start, local, user_zone, zone_name

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


PERCENT_COLUMNS = ("Mean 1h move %", "Median 1h move %")
MOOD_COLOURS = {"positive": "green", "negative": "red", "neutral": "gray"}


def mood(score: float) -> str:
    name = label(score)
    return f":{MOOD_COLOURS[name]}[{name} {score:+.2f}]"


def move(value: float) -> str:
    return f":{'green' if value > 0 else 'red' if value < 0 else 'gray'}[{value:+.1%}]"


def reaction(row: pd.Series) -> str:
    """One coin's moves after a story, e.g. `BTC +0.1% 5m +0.8% 1h`; a missing price says so."""
    if isinstance(row.missing, str) and pd.isna(row.return_5m):
        return f":orange-badge[{row.ticker} no price]"
    moves = [f"{move(row[f'return_{h}'])} {h}" for h in HORIZONS if not pd.isna(row[f"return_{h}"])]
    return f"{row.ticker} {' '.join(moves)}" if moves else f"{row.ticker} :gray[pending]"


def signal(reactions: pd.DataFrame) -> pd.DataFrame:
    """Per coin and sentiment label: the stories with a 1-hour return, and its mean and median in %."""
    known = reactions.dropna(subset=["return_1h"]).assign(
        sentiment=lambda f: f.sentiment.map(label), move=lambda f: f.return_1h * 100
    )
    table = known.groupby(["ticker", "sentiment"]).move.agg(["count", "mean", "median"]).reset_index()
    return table.rename(columns={"ticker": "Coin", "sentiment": "Sentiment", "count": "Stories",
                                 "mean": PERCENT_COLUMNS[0], "median": PERCENT_COLUMNS[1]})  # fmt: skip


def signal_panel(reactions: pd.DataFrame) -> None:
    with st.expander("After the news: the 1-hour move by sentiment"):
        table = signal(reactions)
        if table.empty:
            st.caption("No story in these dates has a 1-hour move yet.")
            return
        percent = st.column_config.NumberColumn(format="%+.2f")
        st.dataframe(table, hide_index=True, column_config=dict.fromkeys(PERCENT_COLUMNS, percent))


def item(row: pd.Series, reactions: pd.DataFrame) -> None:
    headline = escaped(row.headline)
    target = link_target(str(row.url))
    linked = f"[{headline}]({target})" if target else headline
    with st.container(border=True):
        st.markdown(f"**{linked}**")
        tags = " ".join(f":blue-badge[{c}]" for c in row.coins.split()) or ":gray-badge[no coin]"
        source, when = escaped(row.source or "unknown source"), local(row.published_at)
        st.markdown(f"{source} · {when:%Y-%m-%d %H:%M} · {tags} · {mood(row.sentiment)}")
        if len(reactions):
            st.markdown(" · ".join(reaction(r) for _, r in reactions.iterrows()))
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
    since, until = day_start(first), day_start(last + timedelta(days=1))
    chosen = None if coin == ANY_COIN else coin
    items = data.news(since, until, chosen, limit)
    if items.empty:
        st.info("No news in this window: choose other dates or another coin.")
        return
    reactions = data.news_reactions(since, until, chosen)
    signal_panel(reactions)
    st.caption(f"{len(items)} items, newest first")
    by_story = dict(tuple(reactions.groupby("news_id"))) if len(reactions) else {}
    for _, row in items.iterrows():
        item(row, by_story.get(row.id, reactions.iloc[0:0]))


page()
