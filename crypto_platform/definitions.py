"""The code location: one `Definitions` object for every domain."""

from __future__ import annotations

import dagster as dg

from crypto_platform.defs.prices.assets import crypto_trades_topic, raw_trades, view_assets
from crypto_platform.defs.prices.checks import checks as price_checks
from crypto_platform.defs.prices.resources import kafka_resource
from crypto_platform.defs.prices.sensors import kafka_lag_sensor, raw_trades_job
from crypto_platform.defs.resources import s3_resource, snowflake_resource
from crypto_platform.settings import get_settings

settings = get_settings()

defs = dg.Definitions(
    assets=[crypto_trades_topic, raw_trades, *view_assets],
    asset_checks=price_checks,
    jobs=[raw_trades_job],
    sensors=[kafka_lag_sensor],
    resources={
        "snowflake": snowflake_resource(settings),
        "s3": s3_resource(settings),
        "kafka": kafka_resource(settings),
    },
)
