"""Every query the dashboard runs: SQL from `sql/queries/`, through `crypto_platform.warehouse`, with
user choices always bound as parameters. Results are cached for a few seconds, so many open tabs
cost the warehouse one query per interval, not one per tab."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec

import pandas as pd
import streamlit as st

from crypto_platform.settings import get_settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.sql_text import query

P = ParamSpec("P")
TIMEFRAMES = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}
TTL_SECONDS = 5


class WarehouseUnavailable(RuntimeError):
    """The warehouse did not answer; the page says so instead of showing a traceback."""


def says_when_unavailable(render: Callable[P, None]) -> Callable[P, None]:
    """Show an unreachable warehouse as a plain message. Needed on each fragment too, since a
    fragment's exceptions stay inside it."""

    @functools.wraps(render)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            render(*args, **kwargs)
        except WarehouseUnavailable as exc:
            st.error(f"The warehouse is not answering ({exc}). Is the platform running? Try `make up`.")

    return guarded


def _frame(name: str, params: dict | None = None) -> pd.DataFrame:
    try:
        with connect(get_settings(), login_timeout=5, network_timeout=20) as conn:
            result = run_query(conn, query(name), params)
    except Exception as exc:  # the connector's own errors name the cause
        raise WarehouseUnavailable(f"{type(exc).__name__}: {exc}") from exc
    return pd.DataFrame(result.rows, columns=[c.lower() for c in result.columns])


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def latest_prices() -> pd.DataFrame:
    return _frame("dashboard_latest_prices")


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def candles(symbol: str, timeframe: str, seconds: int) -> pd.DataFrame:
    if timeframe not in TIMEFRAMES:
        raise ValueError(f"unknown timeframe {timeframe!r}")
    return _frame("dashboard_candles", {"symbol": symbol, "timeframe": timeframe, "seconds": int(seconds)})


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def ticks(symbol: str, seconds: int) -> pd.DataFrame:
    return _frame("dashboard_ticks", {"symbol": symbol, "seconds": int(seconds)})
