"""`<feed>_trade_history`: the trades of past UTC days from each venue's REST trade history, a
daily-partitioned asset per feed that has one (Coinbase, Kraken, Binance), backfilled the way news
is: a partition or a range from the UI, or `dagster asset materialize --partition-range`."""

# No `from __future__ import annotations` here: Dagster reads the run config's class from the
# annotation of the asset function, which a factory defines in its own scope.

import dagster as dg
import httpx
from dagster import AssetExecutionContext
from dagster_snowflake import SnowflakeResource
from pydantic import Field

from crypto_platform.defs.days import days_of, trade_history_days
from crypto_platform.defs.prices.assets import GROUP, REPAIRABLE_FEEDS, raw_trades
from crypto_platform.defs.prices.resources import KafkaResource, ProducerResource
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.repair import HTTP_TIMEOUT_SECONDS, history_base
from crypto_platform.prices.trade_history import backfill_day


class TradeHistoryConfig(dg.Config):
    """Which feed symbols a run backfills."""

    symbols: list[str] = Field(
        default=[],
        description="feed symbols as the venue spells them (BTC-USD on Coinbase, BTC/USD on Kraken, "
        "BTCUSDT on Binance); empty: the symbols the producer reads from this feed",
    )


def trade_history(name: str) -> dg.AssetsDefinition:
    """The asset `<name>_trade_history` for feed `name` (one with `history` and `first_id_at`)."""
    feed = FEEDS[name]

    @dg.asset(
        name=f"{name}_trade_history",
        group_name=GROUP,
        partitions_def=trade_history_days,
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=[raw_trades],
        kinds={"kafka"},
        description=f"""The trades of past UTC days from {name.title()}'s REST trade history, sent to
the trades topic as live trades go (canonical, marked `from_history`), so that RAW.TRADES, the
candles and the 24-hour statistics hold whole days: for a newly added symbol, or a new platform.

Each day of each symbol is its trade ids from the first trade at or after 00:00 UTC to the last
before the next 00:00. The ids already loaded (live, repaired or backfilled before) are not fetched
again; the loader keeps one row per trade id in CORE.TRADES whatever arrives twice. Config
`symbols`: the feed symbols to backfill (default: those the producer reads from {name}).
""",
    )
    def _history(
        context: AssetExecutionContext,
        config: TradeHistoryConfig,
        snowflake: SnowflakeResource,
        kafka: KafkaResource,
        producer: ProducerResource,
    ) -> dg.MaterializeResult:
        symbols = config.symbols or producer.feed_symbols(name)
        base = history_base(feed, producer.simulator_url)
        simulated = producer.simulator_url is not None
        fills = []
        with httpx.Client(timeout=HTTP_TIMEOUT_SECONDS) as client, snowflake.get_connection() as conn:
            for day in days_of(context):
                for symbol in symbols:
                    fill = backfill_day(
                        feed, client, base, conn, symbol, day, kafka, kafka.topic_trades, simulated
                    )
                    counts = f"{fill.traded:,} trades, {fill.loaded:,} loaded before, {fill.sent:,} sent"
                    context.log.info(f"{symbol} {day}: {counts}")
                    fills.append(fill)
        return dg.MaterializeResult(
            metadata={
                "symbols": ", ".join(symbols),
                "trades_of_the_days": sum(f.traded for f in fills),
                "already_loaded": sum(f.loaded for f in fills),
                "sent": sum(f.sent for f in fills),
            }
        )

    return _history


trade_history_assets = [trade_history(name) for name in REPAIRABLE_FEEDS.get_partition_keys()]
