"""Daily UTC partitions: the news batch's, from `NEWS_START_DATE`, and each feed's trade history's,
from `TRADE_HISTORY_START_DATE`; and the days one run covers."""

from __future__ import annotations

from datetime import date

import dagster as dg
from dagster import AssetExecutionContext

from crypto_platform.defs.structure import SETTINGS

news_days = dg.DailyPartitionsDefinition(start_date=SETTINGS.news_start_date, timezone="UTC")
trade_history_days = dg.DailyPartitionsDefinition(
    start_date=SETTINGS.trade_history_start_date, timezone="UTC"
)


def days_of(context: AssetExecutionContext) -> list[date]:
    """The days a run covers: one partition, or a whole range in a single-run backfill."""
    return [date.fromisoformat(key) for key in context.partition_keys]
