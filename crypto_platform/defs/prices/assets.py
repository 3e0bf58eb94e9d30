"""Assets of the prices domain."""

from __future__ import annotations

import dagster as dg

from crypto_platform.settings import get_settings

crypto_trades_topic = dg.AssetSpec(
    "crypto_trades_topic",
    group_name="prices",
    kinds={"kafka"},
    description=(
        f"The Kafka topic `{get_settings().kafka_topic_trades}`: one canonical JSON trade per message, "
        "keyed by symbol, written by the producer service from the live feeds. Malformed frames go to "
        "the dead-letter topic instead."
    ),
)
