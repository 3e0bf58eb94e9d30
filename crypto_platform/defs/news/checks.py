"""Checks of CORE.NEWS over all days (the per-day `day_not_empty` check is reported by the asset)."""

from __future__ import annotations

from crypto_platform.defs.checks import none_found_check

news_unique_ids = none_found_check(
    "news",
    "news_unique_ids",
    "check_news_duplicate_ids",
    "duplicated_ids",
    "No news id appears twice in CORE.NEWS.",
)
news_within_partition = none_found_check(
    "news", "news_within_partition", "check_news_outside_partition", "items_outside_their_day",
    "Every item is filed under the UTC day it was published.",
)  # fmt: skip

checks = [news_unique_ids, news_within_partition]
