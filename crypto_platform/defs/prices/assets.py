"""Assets of the prices domain: the Kafka topic, RAW.TRADES and the views over it."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.prices.resources import KafkaResource
from crypto_platform.prices.loader.trades_loader import LoadReport, TradesLoader
from crypto_platform.settings import get_settings
from crypto_platform.warehouse.sql import apply_file, count_rows, description

GROUP = "prices"

crypto_trades_topic = dg.AssetSpec(
    "crypto_trades_topic",
    group_name=GROUP,
    kinds={"kafka"},
    description=(
        "The Kafka topic of live trades: one canonical JSON trade per message, keyed by symbol, "
        "written by the producer service from the live feeds. Malformed frames go to the "
        "dead-letter topic instead."
    ),
)


def load_metadata(report: LoadReport) -> dict[str, dg.MetadataValue]:
    return {
        "rows_loaded": dg.MetadataValue.int(report.rows),
        "rows_rejected": dg.MetadataValue.int(report.rejected),
        "batches": dg.MetadataValue.int(report.batches),
        "offsets": dg.MetadataValue.json({str(p): o for p, o in sorted(report.next_offsets.items())}),
        "lag_left": dg.MetadataValue.int(sum(report.lag.values())),
        "lag_per_partition": dg.MetadataValue.json({str(p): n for p, n in sorted(report.lag.items())}),
        "seconds": dg.MetadataValue.float(round(report.seconds, 3)),
    }


@dg.asset(group_name=GROUP, deps=[crypto_trades_topic], kinds={"snowflake", "kafka"})
def raw_trades(snowflake: SnowflakeResource, kafka: KafkaResource) -> dg.MaterializeResult:
    """RAW.TRADES: every trade from the Kafka topic, loaded exactly once.

    A run loads from the offsets kept in OPS.KAFKA_OFFSETS up to the high watermarks it sees at
    start, in Parquet batches (PUT + COPY INTO a staging table) each committed in one transaction
    with its new offsets. Messages that are not valid trades go to RAW.TRADES_REJECTED with the
    reason. `crypto-platform load --follow` runs the same loader continuously and reports here.
    """
    loader = TradesLoader(
        kafka.client_config(), kafka.topic_trades, snowflake.get_connection, get_settings().loader_batch_size
    )
    return dg.MaterializeResult(metadata=load_metadata(asyncio.run(loader.load_until_caught_up())))


@dataclass(frozen=True)
class View:
    name: str
    relation: str
    sql_file: str
    upstream: str


VIEWS = [
    View("core_trades", "CORE.TRADES", "020_core_trades.sql", "raw_trades"),
    View("ohlcv", "CORE.OHLCV", "021_core_ohlcv.sql", "core_trades"),
    View("latest_prices", "CORE.LATEST_PRICES", "022_core_latest_prices.sql", "raw_trades"),
    View("market_stats_24h", "CORE.MARKET_STATS_24H", "023_core_market_stats_24h.sql", "core_trades"),
]


def view_asset(view: View) -> dg.AssetsDefinition:
    """A view from `sql/` as an asset: materializing it (re)creates the view and counts its rows.
    Its description in the UI is the SQL file's leading comment."""
    path = get_settings().sql_dir / view.sql_file

    @dg.asset(
        name=view.name,
        group_name=GROUP,
        deps=[view.upstream],
        kinds={"snowflake", "view"},
        description=f"{view.relation}: {description(path)}",
        metadata={"relation": view.relation, "sql": dg.MetadataValue.path(f"sql/{view.sql_file}")},
    )
    def _view(snowflake: SnowflakeResource) -> dg.MaterializeResult:
        with snowflake.get_connection() as conn:
            apply_file(conn, path)
            return dg.MaterializeResult(
                metadata={"rows": dg.MetadataValue.int(count_rows(conn, view.relation))}
            )

    return _view


view_assets = [view_asset(v) for v in VIEWS]
