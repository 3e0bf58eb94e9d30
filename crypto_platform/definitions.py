"""The code location: one `Definitions` object for every domain."""

from __future__ import annotations

import dagster as dg

from crypto_platform.defs.news.assets import news, news_landing, raw_news
from crypto_platform.defs.news.checks import checks as news_checks
from crypto_platform.defs.news.sensors import (
    news_arrival_sensor,
    news_daily_schedule,
    news_landing_job,
    news_load_job,
)
from crypto_platform.defs.prices.assets import crypto_trades_topic, raw_trades, view_assets
from crypto_platform.defs.prices.checks import checks as price_checks
from crypto_platform.defs.prices.resources import kafka_resource
from crypto_platform.defs.prices.sensors import kafka_lag_sensor, raw_trades_job
from crypto_platform.defs.resources import s3_resource, snowflake_resource
from crypto_platform.settings import get_settings

settings = get_settings()

defs = dg.Definitions(
    assets=[crypto_trades_topic, raw_trades, *view_assets, news_landing, raw_news, news],
    asset_checks=[*price_checks, *news_checks],
    jobs=[raw_trades_job, news_landing_job, news_load_job],
    schedules=[news_daily_schedule],
    sensors=[kafka_lag_sensor, news_arrival_sensor],
    resources={
        "snowflake": snowflake_resource(settings),
        "s3": s3_resource(settings),
        "kafka": kafka_resource(settings),
    },
)
