"""Checks of CORE.NEWS over all days (the per-day `day_not_empty` check is reported by the asset)."""

from __future__ import annotations

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.warehouse.sql_text import query
from crypto_platform.warehouse.views import scalar_row


@dg.asset_check(asset="news", description="No news id appears twice in CORE.NEWS.")
def news_unique_ids(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
    with snowflake.get_connection() as conn:
        (duplicated,) = scalar_row(conn, query("check_news_duplicate_ids"))
    return dg.AssetCheckResult(passed=duplicated == 0, metadata={"duplicated_ids": duplicated})


@dg.asset_check(asset="news", description="Every item is filed under the UTC day it was published.")
def news_within_partition(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
    with snowflake.get_connection() as conn:
        (misfiled,) = scalar_row(conn, query("check_news_outside_partition"))
    return dg.AssetCheckResult(passed=misfiled == 0, metadata={"items_outside_their_day": misfiled})


checks = [news_unique_ids, news_within_partition]
