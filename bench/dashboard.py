"""Dashboard query times with `--trades` trades in RAW.TRADES: is a page's cost flat in history?

The trades (10 symbols, a random walk each, spread over the last 7 days) are bulk-loaded into the
embedded warehouse through the loader's own commit (Parquet + PUT + COPY INTO the stage, then
RAW.TRADES, the candles and the market state, in 1,000,000-trade batches). Then each page's
queries, exactly as the dashboard runs them (SQL from `sql/queries/`, bound parameters, a new
connection per query as a fresh cache entry does), are timed `--repeat` times; p50 and p95 per page
are printed beside the reference measured in the same run: one full scan of RAW.TRADES
(`COUNT(*)` and `SUM(PRICE * SIZE)`), the least work any query over every trade must do. The last
line is `worst page p95 <ms> ms at <N> trades`; `make bench` runs it at 1,000,000 and 50,000,000
trades (goal: every page under 100 ms at 50M, and the worst within 1.5x of its figure at 1M).

    python -m bench.dashboard [--trades 10000000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from bench.common import print_table, services
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.price_tables import TradeBatch, commit_batch
from crypto_platform.warehouse.sql import query

SYMBOLS = ["BTC-USD", "ETH-USD", "SOL-USD", "XRP-USD", "DOGE-USD", "ADA-USD", "AVAX-USD", "DOT-USD",
           "LINK-USD", "LTC-USD"]  # fmt: skip
START_PRICES = np.array([95_000, 3_500, 200, 2, 0.3, 0.9, 35, 7, 20, 100], dtype=float)
CHUNK = 1_000_000
SPAN = timedelta(days=7)


def chunk_of_trades(rng: np.random.Generator, first: int, count: int, total: int, end: datetime) -> pa.Table:
    """`count` trades of the `total`, in time order, as rows of RAW.TRADES_STAGE."""
    index = np.arange(first, first + count)
    symbol = index % len(SYMBOLS)
    step = SPAN / total
    trade_ts = np.datetime64(end - SPAN, "us") + (index * step.total_seconds() * 1e6).astype(
        "timedelta64[us]"
    )
    walk = np.exp(np.cumsum(rng.normal(0, 0.0005, count)))  # a shared walk is plenty for timing
    price = np.round(START_PRICES[symbol] * walk, 6)
    size = np.round(rng.uniform(0.001, 2, count), 6)
    decimal = pa.decimal128(38, 12)
    return pa.table({
        "SOURCE": pa.array(["finnhub"] * count),
        "SYMBOL": pa.array(np.array(SYMBOLS)[symbol]),
        "FEED_SYMBOL": pa.array(np.array([f"BINANCE:{s.replace('-', '')}T" for s in SYMBOLS])[symbol]),
        "PRICE": pa.array(price).cast(decimal), "SIZE": pa.array(size).cast(decimal),
        "TRADE_TS": pa.array(trade_ts), "RECEIVED_TS": pa.array(trade_ts + np.timedelta64(3, "ms")),
        "TRADE_ID": pa.array(index.astype(str)), "SIDE": pa.nulls(count, pa.string()),
        "KAFKA_PARTITION": pa.array(symbol % 3, pa.int64()), "KAFKA_OFFSET": pa.array(index, pa.int64()),
    })  # fmt: skip


def load_trades(settings: Settings, total: int) -> float:
    rng = np.random.default_rng(7)
    end = datetime.now(UTC).replace(tzinfo=None)
    started = time.perf_counter()
    with connect(settings) as conn:
        for first in range(0, total, CHUNK):
            rows = chunk_of_trades(rng, first, min(CHUNK, total - first), total, end)
            commit_batch(conn, TradeBatch(uuid.uuid4().hex, settings.kafka_topic_trades, rows, ranges={}))
    return time.perf_counter() - started


def page_queries(settings: Settings, last_trade: datetime) -> dict[str, list[tuple[str, dict]]]:
    """Each page's queries as the dashboard runs them on first load (defaults chosen). Markets
    bounds its candles and ticks by BTC-USD's last trade time, which its price cards' query read."""
    now = datetime.now(UTC).replace(tzinfo=None)
    symbol = {"symbol": "BTC-USD"}
    return {
        "Markets": [
            ("dashboard_latest_prices", {}),
            ("dashboard_candles", {**symbol, "timeframe": "1m", "since": last_trade - timedelta(hours=1)}),
            ("dashboard_ticks", {**symbol, "since": last_trade - timedelta(minutes=5)}),
        ],
        "Markets, 1d candles over 30 days": [
            ("dashboard_candles", {**symbol, "timeframe": "1d", "since": last_trade - timedelta(days=30)})
        ],
        "Portfolio": [
            ("dashboard_latest_prices", {}),
            ("portfolio_select", {}),
            ("dashboard_hourly_closes", {"since": now - SPAN}),
        ],
        "News": [
            ("dashboard_news_newest", {}),
            ("news_coins_select", {}),
            ("dashboard_news", {"since": now - timedelta(days=7), "until": now, "coin": None, "limit": 200}),
        ],
        "Pipeline": [
            ("kafka_offsets_select", {"topic": settings.kafka_topic_trades}),
            ("dashboard_alerts", {"limit": 50}),
        ],
    }


def timed(run: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trades", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with services(["warehouse"]) as settings:
        load_seconds = load_trades(settings, args.trades)

        def run_page(statements: list[tuple[str, dict]]) -> None:
            for name, params in statements:
                with connect(settings) as conn:
                    run_query(conn, query(name), params)

        def full_scan() -> None:
            with connect(settings) as conn:
                run_query(conn, "SELECT COUNT(*), SUM(PRICE * SIZE) FROM RAW.TRADES")

        reference = p95(timed(full_scan, args.repeat))
        rows = [
            ("trades in RAW.TRADES", f"{args.trades:,} (bulk-loaded in {load_seconds:.1f} s)"),
            ("reference: full scan, p95", f"{reference * 1000:,.0f} ms"),
        ]
        with connect(settings) as conn:
            last_trade = run_query(conn, query("price_alert_latest"), {"symbol": "BTC-USD"}).rows[0][1]
        worst = 0.0
        for page, statements in page_queries(settings, last_trade).items():
            times = timed(lambda statements=statements: run_page(statements), args.repeat)
            worst = max(worst, p95(times))
            rows.append((
                f"{page}: {len(statements)} queries",
                f"p50 {statistics.median(times) * 1000:,.0f} ms, p95 {p95(times) * 1000:,.0f} ms"
                f" ({p95(times) / reference:.2f}x the full scan)",
            ))  # fmt: skip
    print_table(f"Dashboard queries, {args.repeat} runs per page, each query on a new connection", rows)
    print(f"worst page p95 {worst * 1000:.0f} ms at {args.trades} trades")


if __name__ == "__main__":
    main()
