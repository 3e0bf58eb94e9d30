"""The tables kept as trades load: CORE.CANDLES (OHLCV in every timeframe, read through CORE.OHLCV)
and CORE.MARKET_STATE (per symbol: first, last and reference trade, the last 24 hours; read through
CORE.LATEST_PRICES and CORE.MARKET_STATS_24H).

`refresh` runs inside each loader batch's transaction, after its rows are in RAW.TRADES: it adds
the batch's trades to the candles of the buckets they fall in, then recomputes the state of the
symbols it touched, so a dashboard read never scans all trades and a batch costs what its own
trades cost, whatever the history. Only the first copy of a trade counts (as in CORE.TRADES), and
each candle keeps which trades opened and closed it, so repeated and late trades give exactly the
candles a recomputation gives. `rebuild_*` recompute a table from every trade (the repair path:
the assets' materialization). The emulator cannot MERGE inside a transaction that has written, so
a refresh inserts new rows marked with its id and deletes the rows they replace.

The times passed to the statements only bound what they read (so that the warehouse prunes by
TRADE_TS and BUCKET_START); the statements decide exactly which trades count. Times are UTC,
naive `datetime`s as TIMESTAMP_NTZ holds them.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pyarrow as pa
from snowflake.connector import SnowflakeConnection
from snowflake.connector.cursor import SnowflakeCursor

from crypto_platform.warehouse.connection import transaction
from crypto_platform.warehouse.sql import bind, query

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
BEGINNING, END = datetime(1970, 1, 1), datetime(9999, 12, 31)
"""Bounds that read everything: a rebuild's."""


def minute_start(ts: datetime) -> datetime:
    return ts.replace(second=0, microsecond=0)


def day_start(ts: datetime) -> datetime:
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def refresh(cur: SnowflakeCursor, load_id: str, rows: pa.Table) -> None:
    """Add a batch to the candles and recompute the market state of the symbols it touched. `rows`
    are the batch's rows as staged in RAW.TRADES_STAGE under `load_id` (SYMBOL and TRADE_TS are
    read); call it in the batch's transaction after they were inserted into RAW.TRADES."""
    spans_by_symbol = rows.group_by("SYMBOL").aggregate([("TRADE_TS", "min"), ("TRADE_TS", "max")])
    spans = {s: (lo, hi) for s, lo, hi in zip(*spans_by_symbol.to_pydict().values(), strict=True)}
    oldest, newest = min(lo for lo, _ in spans.values()), max(hi for _, hi in spans.values())
    candles = {"load_id": load_id, "refresh_id": load_id, "day": day_start(oldest)}
    cur.execute(*bind(query("candles_add_batch"), {**candles, "since": oldest, "until": newest}))
    cur.execute(*bind(query("candles_delete_replaced"), candles))
    cur.execute(*bind(query("market_state_select"), {"load_id": load_id}))
    stored = {symbol: (first, last, reference) for symbol, first, last, reference in cur.fetchall()}
    _market_state(cur, load_id, load_id, (oldest, newest), _day_ago_bounds(spans, stored))


def rebuild_candles(conn: SnowflakeConnection) -> None:
    """Recompute CORE.CANDLES from every trade in one transaction (readers see the old table until
    it commits)."""
    refresh_id = f"rebuild-{uuid.uuid4().hex}"
    with transaction(conn) as cur:
        cur.execute(query("candles_delete_all"))
        cur.execute(*bind(query("candles_rebuild_minutes"), {"refresh_id": refresh_id}))
        cur.execute(*bind(query("candles_rebuild_rollups"), {"refresh_id": refresh_id}))


def rebuild_market_state(conn: SnowflakeConnection) -> None:
    """Recompute CORE.MARKET_STATE from every trade and CORE.CANDLES, in one transaction."""
    with transaction(conn) as cur:
        cur.execute(query("market_state_delete_all"))
        _market_state(cur, None, f"rebuild-{uuid.uuid4().hex}", (BEGINNING, END), (BEGINNING, END, BEGINNING))


def _market_state(
    cur: SnowflakeCursor,
    load_id: str | None,
    refresh_id: str,
    recent: tuple[datetime, datetime],
    day_ago: tuple[datetime, datetime, datetime],
) -> None:
    params = {
        "load_id": load_id,
        "refresh_id": refresh_id,
        "recent_since": recent[0],
        "recent_until": recent[1],
        "day_ago_since": day_ago[0],
        "day_ago_until": day_ago[1],
        "candles_since": day_ago[2],
    }
    cur.execute(*bind(query("market_state_refresh"), params))
    cur.execute(*bind(query("market_state_delete_replaced"), {"refresh_id": refresh_id}))


def _day_ago_bounds(
    spans: dict[str, tuple[datetime, datetime]],
    stored: dict[str, tuple[datetime, datetime, datetime | None]],
) -> tuple[datetime, datetime, datetime]:
    """What market_state_refresh reads 24 hours back, for every touched symbol: trades from the
    stored reference trade (or the first trade) to the end of the minute 24 hours before the last
    trade, and 1m candles from that minute on. Returns (trades since, trades until (exclusive),
    candles since), following the statement's own rules for first, last and reference."""
    since, until, candles_since = END, BEGINNING, END
    for symbol, (lo, hi) in spans.items():
        first, last, reference = stored.get(symbol, (lo, hi, None))
        day_ago_minute = minute_start(max(last, hi) - DAY)
        since = min(since, reference or min(first, lo), day_ago_minute)
        until = max(until, day_ago_minute + MINUTE)
        candles_since = min(candles_since, day_ago_minute)
    return since, until, candles_since
