"""The code location: one `Definitions` object for every domain."""

from __future__ import annotations

import dagster as dg

from crypto_platform.defs.prices.assets import crypto_trades_topic
from crypto_platform.defs.resources import kafka_resource, s3_resource, snowflake_resource
from crypto_platform.settings import get_settings

settings = get_settings()

defs = dg.Definitions(
    assets=[crypto_trades_topic],
    resources={
        "snowflake": snowflake_resource(settings),
        "s3": s3_resource(settings),
        "kafka": kafka_resource(settings),
    },
)
