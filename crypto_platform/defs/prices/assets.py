"""Assets of the prices domain: the Kafka topic, RAW.TRADES, the tables kept as trades load, the
views over them, and the repairs of the gaps in each feed's trades."""

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster import AssetExecutionContext
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.prices.resources import KafkaResource, LoaderResource, ProducerResource
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.repair import has_history, history_base, repair
from crypto_platform.warehouse.gap_tables import gaps, settle
from crypto_platform.warehouse.market_tables import rebuild_candles, rebuild_market_state
from crypto_platform.warehouse.sql import apply_objects, count_rows, description, query, run_query

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


@dg.asset(group_name=GROUP, deps=[crypto_trades_topic], kinds={"snowflake", "kafka"})
def raw_trades(
    snowflake: SnowflakeResource, kafka: KafkaResource, loader: LoaderResource
) -> dg.MaterializeResult:
    """RAW.TRADES: every trade from the Kafka topic, loaded exactly once.

    A run loads from the offsets kept in OPS.KAFKA_OFFSETS up to the high watermarks it sees at
    start, in Parquet batches (PUT + COPY INTO a staging table) each committed in one transaction
    with its new offsets. Messages that are not valid trades go to RAW.TRADES_REJECTED with the
    reason. `crypto-platform load --follow` runs the same loader continuously and reports here.
    """
    trades = TradesLoader(
        kafka, kafka.topic_trades, snowflake.get_connection, loader.batch_size, loader.time_bound
    )
    return dg.MaterializeResult(metadata=asyncio.run(trades.load_until_caught_up()).metadata())


@dataclass(frozen=True)
class View:
    name: str
    relation: str
    sql_file: str
    upstream: str


VIEWS = [
    View("core_trades", "CORE.TRADES", "020_core_trades.sql", "raw_trades"),
    View("latest_prices", "CORE.LATEST_PRICES", "025_core_latest_prices.sql", "market_state"),
    View("market_stats_24h", "CORE.MARKET_STATS_24H", "026_core_market_stats_24h.sql", "market_state"),
]


def view_asset(view: View) -> dg.AssetsDefinition:
    """A view from `sql/` as an asset: materializing it (re)creates the view and counts its rows.
    Its description in the UI is the SQL file's leading comment."""

    @dg.asset(
        name=view.name,
        group_name=GROUP,
        deps=[view.upstream],
        kinds={"snowflake", "view"},
        description=f"{view.relation}: {description(view.sql_file)}",
        metadata={"relation": view.relation, "sql": dg.MetadataValue.path(f"sql/{view.sql_file}")},
    )
    def _view(snowflake: SnowflakeResource) -> dg.MaterializeResult:
        with snowflake.get_connection() as conn:
            apply_objects(conn, [view.sql_file])
            return dg.MaterializeResult(
                metadata={"rows": dg.MetadataValue.int(count_rows(conn, view.relation))}
            )

    return _view


OHLCV_FILES = ["021_core_timeframes.sql", "022_core_candles.sql", "023_core_ohlcv.sql"]


@dg.asset(
    group_name=GROUP,
    deps=["core_trades"],
    kinds={"snowflake", "table"},
    metadata={"relation": "CORE.OHLCV", "table": "CORE.CANDLES", "sql": "sql/022_core_candles.sql"},
)
def ohlcv(snowflake: SnowflakeResource) -> dg.MaterializeResult:
    """CORE.OHLCV: candles for every symbol in four timeframes (1m, 5m, 1h, 1d; UTC buckets) with
    open, high, low, close, volume, trade count and VWAP; open and close break time ties by arrival
    order (Kafka partition, then offset).

    The table behind it, CORE.CANDLES, is kept as trades load: the loader recomputes the candles of
    the buckets each batch touched in the batch's own transaction (`load --follow` reports those
    refreshes here). Materializing this asset rebuilds the whole table from RAW.TRADES (through
    CORE.TRADES), in one transaction: the repair path.
    """
    with snowflake.get_connection() as conn:
        apply_objects(conn, OHLCV_FILES)
        rebuild_candles(conn)
        counts = dict(run_query(conn, query("candles_count")).rows)
    return dg.MaterializeResult(
        metadata={f"{timeframe}_candles": dg.MetadataValue.int(int(n)) for timeframe, n in counts.items()}
    )


@dg.asset(
    group_name=GROUP,
    deps=["core_trades", ohlcv],
    kinds={"snowflake", "table"},
    metadata={"relation": "CORE.MARKET_STATE", "sql": "sql/024_core_market_state.sql"},
)
def market_state(snowflake: SnowflakeResource) -> dg.MaterializeResult:
    """CORE.MARKET_STATE: one row per symbol with its first and last trade, the trade 24 hours
    before the last, and its market over those 24 hours; CORE.LATEST_PRICES and
    CORE.MARKET_STATS_24H read it, so the dashboard never scans all trades.

    Kept as trades load, in each batch's transaction, for the symbols the batch touched
    (`load --follow` reports those refreshes here). Materializing this asset rebuilds it from
    RAW.TRADES and the candles, in one transaction: the repair path.
    """
    with snowflake.get_connection() as conn:
        apply_objects(conn, ["024_core_market_state.sql"])
        rebuild_market_state(conn)
        symbols = count_rows(conn, "CORE.MARKET_STATE")
    return dg.MaterializeResult(metadata={"symbols": dg.MetadataValue.int(symbols)})


REPAIRABLE_FEEDS = dg.StaticPartitionsDefinition([name for name, feed in FEEDS.items() if has_history(feed)])
"""The feeds with a public REST trade history, one partition each."""
REPAIR_WINDOW = timedelta(days=7)
"""How far back a repair looks for open gaps."""
REPAIR_POOL = "trade_repairs"
"""One repair at a time (the instance's pools have one slot): a second run of the same gaps finds
them settled."""


@dg.asset(
    group_name=GROUP,
    partitions_def=REPAIRABLE_FEEDS,
    deps=[raw_trades],
    kinds={"snowflake", "kafka"},
    pool=REPAIR_POOL,
    metadata={"table": "OPS.TRADE_GAPS", "sql": "sql/015_ops_trade_gaps.sql"},
)
def trade_gap_repairs(
    context: AssetExecutionContext,
    snowflake: SnowflakeResource,
    kafka: KafkaResource,
    producer: ProducerResource,
) -> dg.MaterializeResult:
    """The gaps in one feed's live trades (OPS.TRADE_GAPS, found by the loader as trades load),
    repaired from the venue's trade history; a partition per feed that has one.

    A run fetches exactly the missing trades of each open gap of the last week (paged, 429s waited
    out), sends them to the topic as live trades go (marked `from_history`), and once Kafka has
    them all marks each gap repaired with the count, or unrepairable when the history lacks some.
    The loader then loads them and the candles and 24-hour statistics take them in. `trade_gaps_sensor`
    requests a run when gaps appear.
    """
    feed = FEEDS[context.partition_key]
    with snowflake.get_connection() as conn:
        found = gaps(conn, datetime.now(UTC) - REPAIR_WINDOW, source=context.partition_key, state="open")
    base = history_base(feed, producer.simulator_url)
    results = repair(
        feed, base, found, kafka, kafka.topic_trades, simulated=producer.simulator_url is not None
    )
    with snowflake.get_connection() as conn:
        settle(conn, [result.row() for result in results])
    repaired = [r for r in results if r.state == "repaired"]
    return dg.MaterializeResult(
        metadata={
            "gaps": len(results),
            "repaired": len(repaired),
            "unrepairable": len(results) - len(repaired),
            "trades_recovered": sum(r.recovered or 0 for r in results),
        }
    )


LOADER_TABLES = [ohlcv, market_state]
"""The tables the loader keeps in each batch's transaction."""


def views_created() -> list[dg.AssetMaterialization]:
    """A materialization of each view asset, for `crypto-platform up`, which (re)creates the views
    from `sql/`; without it a view the user never materialized by hand shows as never materialized."""
    return [
        dg.AssetMaterialization(
            view.name,
            description=f"{view.relation} created by crypto-platform up",
            metadata={"relation": view.relation, "sql": dg.MetadataValue.path(f"sql/{view.sql_file}")},
        )
        for view in VIEWS
    ]


processed_assets = [*(view_asset(v) for v in VIEWS), *LOADER_TABLES]
