"""Every query the dashboard runs: SQL from `sql/queries/`, through `crypto_platform.warehouse`, with
user choices always bound as parameters. Results are cached for a few seconds, so many open tabs
cost the warehouse one query per interval, not one per tab."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import ParamSpec

import pandas as pd
import snowflake.connector
import streamlit as st
from snowflake.connector import SnowflakeConnection
from snowflake.connector.errors import ProgrammingError

from crypto_platform.portfolio.ledger import LedgerError, Transaction
from crypto_platform.settings import get_settings
from crypto_platform.warehouse import connect, news_tables, portfolio_tables, run_query
from crypto_platform.warehouse.price_tables import stored_offsets
from crypto_platform.warehouse.sql import query

P = ParamSpec("P")
TIMEFRAMES = ("1m", "5m", "1h", "1d")
TTL_SECONDS = get_settings().dashboard_refresh_seconds  # live reads last one refresh
MAX_ENTRIES = 256  # per cached read: distinct arguments kept at once (the oldest go first)


class WarehouseUnavailable(RuntimeError):
    """The warehouse did not answer; the page says so instead of showing a traceback."""


def says_when_unavailable(render: Callable[P, None]) -> Callable[P, None]:
    """Show an unreachable warehouse, or a query it refuses, as a plain message. Needed on each
    fragment too, since a fragment's exceptions stay inside it."""

    @functools.wraps(render)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            render(*args, **kwargs)
        except WarehouseUnavailable as exc:
            st.error(f"The warehouse is not answering ({exc}). Is the platform running? Try `make up`.")
        except ProgrammingError as exc:
            st.error(f"The warehouse refused a query ({exc.msg}). Are its objects applied? Try `make up`.")

    return guarded


@contextmanager
def _warehouse() -> Iterator[SnowflakeConnection]:
    """A connection; WarehouseUnavailable when the warehouse does not answer. A statement the
    warehouse refuses (a ProgrammingError: about the statement or its values, not an outage) is
    raised as it is."""
    with contextlib.ExitStack() as stack:
        try:
            conn = stack.enter_context(connect(get_settings(), login_timeout=5, network_timeout=20))
        except (snowflake.connector.Error, OSError) as exc:  # the connector's errors name the cause
            raise WarehouseUnavailable(f"{type(exc).__name__}: {exc}") from exc
        try:
            yield conn
        except ProgrammingError:
            raise
        except (snowflake.connector.Error, OSError) as exc:  # the connection broke mid-way
            raise WarehouseUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _frame(name: str, params: dict | None = None) -> pd.DataFrame:
    with _warehouse() as conn:
        result = run_query(conn, query(name), params)
    frame = pd.DataFrame(result.rows, columns=[c.lower() for c in result.columns])
    decimals = [c for c in frame if len(frame) and isinstance(frame[c].iloc[0], Decimal)]
    frame[decimals] = frame[decimals].astype(float)  # NUMBER arrives as Decimal; charts want floats
    return frame


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def latest_prices() -> pd.DataFrame:
    return _frame("dashboard_latest_prices")


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def candles(symbol: str, timeframe: str, since: datetime) -> pd.DataFrame:
    """One symbol's candles from `since` (UTC) on."""
    return _frame("dashboard_candles", {"symbol": symbol, "timeframe": timeframe, "since": since})


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def ticks(symbol: str, since: datetime) -> pd.DataFrame:
    """One symbol's trades from `since` (UTC) on."""
    return _frame("dashboard_ticks", {"symbol": symbol, "since": since})


@st.cache_data(ttl=60, max_entries=MAX_ENTRIES, show_spinner=False)
def hourly_closes(since: datetime) -> pd.DataFrame:
    return _frame("dashboard_hourly_closes", {"since": since})


def transactions() -> dict[str, Transaction]:
    """The portfolio ledger, uncached: the page shows each change at once."""
    with _warehouse() as conn:
        return portfolio_tables.transactions(conn)


def change_portfolio(*, upsert: Transaction | None = None, delete: str | None = None) -> None:
    """Write one validated change; raises LedgerError (nothing written) when it is refused, by the
    ledger or by the warehouse (which names the value it cannot take)."""
    with _warehouse() as conn:
        try:
            portfolio_tables.change(conn, upsert=upsert, delete=delete)
        except ProgrammingError as exc:
            raise LedgerError(f"the warehouse refused it ({exc.msg})") from exc


@st.cache_data(ttl=60, max_entries=MAX_ENTRIES, show_spinner=False)
def coins() -> list[str]:
    with _warehouse() as conn:
        return list(news_tables.coins(conn))


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def news(since: datetime, until: datetime, coin: str | None, limit: int = 200) -> pd.DataFrame:
    return _frame("dashboard_news", {"since": since, "until": until, "coin": coin, "limit": int(limit)})


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def news_reactions(since: datetime, until: datetime, coin: str | None) -> pd.DataFrame:
    """The price reactions to the news published in [since, until) (UTC), of `coin` or of all."""
    return _frame("dashboard_news_reactions", {"since": since, "until": until, "coin": coin})


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def alerts(limit: int = 50) -> pd.DataFrame:
    return _frame("dashboard_alerts", {"limit": int(limit)})


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def symbol_gaps(symbol: str, since: datetime) -> pd.DataFrame:
    """The gaps not repaired (open or unrepairable) in `symbol`'s trades ending at or after `since` (UTC)."""
    return _frame("dashboard_symbol_gaps", {"symbol": symbol, "since": since})


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def gaps(since: datetime) -> pd.DataFrame:
    """The gaps in the feeds' trades ending at or after `since` (UTC), newest first (at most 200)."""
    return _frame("dashboard_gaps", {"since": since})


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def loaded_offsets(topic: str) -> dict[int, int]:
    """The loader's next offset per partition, as the warehouse holds it."""
    with _warehouse() as conn:
        return stored_offsets(conn, topic)


@st.cache_data(ttl=60, max_entries=MAX_ENTRIES, show_spinner=False)
def newest_news() -> datetime | None:
    with _warehouse() as conn:
        return run_query(conn, query("dashboard_news_newest")).rows[0][0]
