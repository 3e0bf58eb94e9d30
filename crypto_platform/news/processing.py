"""Raw news items of some days as CORE.NEWS rows and CORE.NEWS_COINS tags: duplicates removed,
each item scored for sentiment and tagged with the coins it mentions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crypto_platform.news import sentiment


def deduplicate(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first item of each id, then the first of each URL (the same story under two ids)."""
    seen_ids: set[int] = set()
    seen_urls: set[str] = set()
    unique = []
    for item in items:
        if item["id"] in seen_ids or item["url"] in seen_urls:
            continue
        seen_ids.add(item["id"])
        seen_urls.add(item["url"])
        unique.append(item)
    return unique


def process(
    items: list[dict[str, Any]], tag: Callable[[str], set[str]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The CORE.NEWS rows (each raw item once, with `sentiment` and `sentiment_analyser`, see
    `news.sentiment`) and the CORE.NEWS_COINS rows
    (`news_id`, `partition_date`, `ticker`) of `items`, rows of RAW.NEWS oldest first; `tag` gives
    the tickers a text mentions (see `tagging.coin_tagger`)."""
    rows, tags, analyser = [], [], sentiment.analyser_name()
    for item in deduplicate(items):
        text = f"{item['headline']} {item['summary'] or ''}"
        rows.append({**item, "sentiment": sentiment.score(text), "sentiment_analyser": analyser})
        tags += [
            {"news_id": item["id"], "partition_date": item["partition_date"], "ticker": ticker}
            for ticker in sorted(tag(text))
        ]
    return rows, tags
