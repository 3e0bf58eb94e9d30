"""Loader throughput and end-to-end latency.

Throughput: 1,000,000 canonical trades on a fresh topic, loaded into RAW.TRADES by the real loader
(Kafka consumer, Arrow, Parquet, PUT, COPY INTO the stage, the exactly-once transaction) on the
embedded warehouse, beside the ceiling of that warehouse: the same rows as one Parquet file loaded
straight into DuckDB in the same run.

Latency: the local stack's simulator at 1,000 trades/s, the producer and `load --follow`; for a
minute, CORE.LATEST_PRICES is polled and each newly visible last trade is timed from the moment
the producer received it.

    python -m bench.loader [--trades 1000000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from bench.common import print_table, services, simulator_rate
from crypto_platform.prices.loader.arrow_rows import Messages, to_rows
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.trade import LiveTimeBound, Trade
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.sql import query

SYMBOLS = {"BTC-USD": 95_000, "ETH-USD": 3_500, "SOL-USD": 200, "XRP-USD": 2, "DOGE-USD": 0.3}


def canonical_trades(count: int, seed: int = 1) -> list[Trade]:
    rng = random.Random(seed)
    names = list(SYMBOLS)
    start = time.time_ns() // 1_000_000 - count
    trades = []
    for i in range(count):
        symbol = names[i % len(names)]
        price = Decimal(str(round(SYMBOLS[symbol] * (1 + rng.uniform(-0.01, 0.01)), 4)))
        size = Decimal(str(round(rng.uniform(0.001, 2), 6)))
        feed_symbol = f"BINANCE:{symbol.replace('-', '')}T"
        trades.append(
            Trade(
                "finnhub",
                symbol,
                feed_symbol,
                price,
                size,
                start + i,
                start + i + 3,
                f"bench-{i}",
                simulated=True,
            )
        )
    return trades


def put_on_topic(settings: Settings, trades: list[Trade]) -> None:
    with tempfile.NamedTemporaryFile(suffix=".tsv") as data:
        Path(data.name).write_bytes(b"\n".join(t.key() + b"\t" + t.to_json() for t in trades) + b"\n")
        subprocess.run(
            ["kcat", "-P", "-b", settings.kafka.bootstrap_servers, "-t", settings.kafka_topic_trades,
             "-K", "\t", "-z", "zstd", "-l", data.name],
            check=True,
        )  # fmt: skip


def duckdb_ceiling(trades: list[Trade]) -> float:
    """Seconds to load the same rows, as one Parquet file, into a fresh DuckDB database file."""
    messages = Messages([0] * len(trades), list(range(len(trades))), [t.to_json() for t in trades])
    rows = to_rows(messages, LiveTimeBound.from_seconds(86_400, 60)).table
    with tempfile.TemporaryDirectory() as folder:
        parquet = Path(folder) / "trades.parquet"
        pq.write_table(rows, parquet, compression="snappy")
        with duckdb.connect(str(Path(folder) / "ceiling.db")) as db:
            started = time.perf_counter()
            db.execute(f"CREATE TABLE TRADES AS SELECT * FROM read_parquet('{parquet}')")
            db.execute("CHECKPOINT")
            return time.perf_counter() - started


def throughput(count: int) -> list[tuple[str, str]]:
    trades = canonical_trades(count)
    with services(["kafka", "warehouse"]) as settings:
        put_on_topic(settings, trades)
        loader = TradesLoader(
            settings.kafka,
            settings.kafka_topic_trades,
            lambda: connect(settings),
            settings.loader_batch_size,
            LiveTimeBound.from_seconds(settings.trade_max_age_seconds, settings.trade_max_ahead_seconds),
        )
        report = asyncio.run(loader.load_until_caught_up())
        with connect(settings) as conn:
            (loaded,) = run_query(conn, "select count(*) from RAW.TRADES").rows[0]
    if loaded != count:
        raise SystemExit(f"loaded {loaded} rows, expected {count}")
    ceiling = duckdb_ceiling(trades)
    loader_rate, duckdb_rate = count / report.seconds, count / ceiling
    timing = f"{report.seconds:.2f} s, {report.batches} batches"
    return [
        ("loader: Kafka -> RAW.TRADES, exactly once", f"{loader_rate:,.0f} rows/s ({timing})"),
        ("DuckDB: one Parquet file -> table (ceiling)", f"{duckdb_rate:,.0f} rows/s ({ceiling:.2f} s)"),
        ("ratio loader / ceiling", f"{loader_rate / duckdb_rate:.2f} (goal >= 0.25)"),
    ]  # fmt: skip


def latency(seconds: float) -> list[tuple[str, str]]:
    names = ["kafka", "warehouse", "simulator", "producer", "loader"]
    with services(names, SIMULATOR_RATE=simulator_rate(1000)) as settings, connect(settings) as conn:
        seen: set[tuple[str, object]] = set()
        samples: list[float] = []
        poll_times: list[float] = []
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            started = time.perf_counter()
            rows = run_query(conn, query("bench_latest_received")).rows
            now_ms = time.time_ns() / 1e6
            poll_times.append(time.perf_counter() - started)
            for symbol, trade_ts, received_ms in rows:
                if (symbol, trade_ts) not in seen and seen:
                    samples.append((now_ms - received_ms) / 1000)
                seen.add((symbol, trade_ts))
            time.sleep(0.1)
        (trades,) = run_query(conn, "select count(*) from RAW.TRADES").rows[0]
    if len(samples) < 20:
        raise SystemExit(f"only {len(samples)} latency samples: is the follower running?")
    p50, p95 = statistics.median(samples), statistics.quantiles(samples, n=20)[18]
    return [
        ("trades loaded while measuring", f"{trades:,} ({trades / seconds:,.0f}/s)"),
        ("receive -> visible in CORE.LATEST_PRICES", f"p50 {p50:.2f} s, p95 {p95:.2f} s, n={len(samples)}"),
        ("one poll of the view (measurement floor)", f"p50 {statistics.median(poll_times):.2f} s"),
        ("p95 / 5 s goal", f"{p95 / 5:.2f} (goal < 1.00; Snowpipe Streaming is typically 5-10 s)"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trades", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    print_table(f"loader: {args.trades:,} trades, 3 partitions", throughput(args.trades))
    print_table(
        f"end-to-end latency: simulator at 1,000 trades/s for {args.seconds:.0f} s", latency(args.seconds)
    )


if __name__ == "__main__":
    main()
