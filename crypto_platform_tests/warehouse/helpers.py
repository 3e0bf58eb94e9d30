"""Candles, latest prices and 24-hour statistics computed here, in Python, from a stream of trades:
the oracle the warehouse's incrementally kept tables are compared with.

A stream is a list of `Row`s in arrival order: the Kafka partition and offset say where each
arrived. Duplicates (the same source, feed symbol and trade id again) count once, as their first
arrival, as in CORE.TRADES; first and last break time ties by (partition, offset).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pyarrow as pa

TIMEFRAMES = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}
NUMBER = pa.decimal128(38, 12)


@dataclass(frozen=True)
class Row:
    symbol: str
    trade_id: str
    price: Decimal
    size: Decimal
    trade_ts: datetime  # UTC, millisecond precision
    partition: int
    offset: int

    @property
    def order(self) -> tuple[datetime, int, int]:
        return self.trade_ts, self.partition, self.offset


def arrow_rows(rows: list[Row]) -> pa.Table:
    """Rows shaped like RAW.TRADES_STAGE (without LOAD_ID and STAGED_AT), as the loader stages them."""
    return pa.table({
        "SOURCE": pa.array(["finnhub"] * len(rows)),
        "SYMBOL": pa.array([r.symbol for r in rows]),
        "FEED_SYMBOL": pa.array([f"TEST:{r.symbol}" for r in rows]),
        "PRICE": pa.array([r.price for r in rows], NUMBER),
        "SIZE": pa.array([r.size for r in rows], NUMBER),
        "TRADE_TS": pa.array([r.trade_ts for r in rows], pa.timestamp("ms")),
        "RECEIVED_TS": pa.array([r.trade_ts for r in rows], pa.timestamp("ms")),
        "TRADE_ID": pa.array([r.trade_id for r in rows]),
        "SIDE": pa.nulls(len(rows), pa.string()),
        "KAFKA_PARTITION": pa.array([r.partition for r in rows], pa.int32()),
        "KAFKA_OFFSET": pa.array([r.offset for r in rows], pa.int64()),
    })  # fmt: skip


def deduplicated(rows: list[Row]) -> list[Row]:
    first: dict[tuple[str, str], Row] = {}
    for row in sorted(rows, key=lambda r: (r.partition, r.offset)):
        first.setdefault((row.symbol, row.trade_id), row)
    return list(first.values())


def bucket(ts: datetime, seconds: int) -> datetime:
    epoch = datetime(1970, 1, 1)
    return epoch + timedelta(seconds=int((ts - epoch).total_seconds()) // seconds * seconds)


def candles(rows: list[Row]) -> dict[tuple[str, str, datetime], tuple]:
    """(symbol, timeframe, bucket start) -> (open, high, low, close, volume, trade count, VWAP)."""
    groups: dict[tuple[str, str, datetime], list[Row]] = defaultdict(list)
    for row in deduplicated(rows):
        for timeframe, seconds in TIMEFRAMES.items():
            groups[row.symbol, timeframe, bucket(row.trade_ts, seconds)].append(row)
    result = {}
    for key, group in groups.items():
        group.sort(key=lambda r: r.order)
        volume = sum(r.size for r in group)
        prices = [r.price for r in group]
        vwap = sum(r.price * r.size for r in group) / volume
        result[key] = (group[0].price, max(prices), min(prices), group[-1].price, volume, len(group), vwap)
    return result


def latest_prices(rows: list[Row]) -> dict[str, tuple]:
    """symbol -> (price, trade time, price 24h ago, change) as CORE.LATEST_PRICES defines them."""
    result = {}
    for symbol, group in _by_symbol(rows).items():
        last = group[-1]
        before = [r for r in group if r.trade_ts <= last.trade_ts - timedelta(hours=24)]
        reference = (before[-1] if before else group[0]).price
        result[symbol] = (last.price, last.trade_ts, reference, last.price - reference)
    return result


def market_stats(rows: list[Row]) -> dict[str, tuple]:
    """symbol -> (low, high, volume, quote volume, trade count) over the 24 hours up to its last trade."""
    result = {}
    for symbol, group in _by_symbol(rows).items():
        since = group[-1].trade_ts - timedelta(hours=24)
        day = [r for r in group if r.trade_ts > since]
        prices = [r.price for r in day]
        result[symbol] = (
            min(prices),
            max(prices),
            sum(r.size for r in day),
            sum(r.price * r.size for r in day),
            len(day),
        )
    return result


def _by_symbol(rows: list[Row]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for row in deduplicated(rows):
        groups[row.symbol].append(row)
    return {symbol: sorted(group, key=lambda r: r.order) for symbol, group in groups.items()}
