"""Markets: a card per symbol, candles with volume for a chosen symbol and timeframe (the minutes of a
gap not repaired shaded), live ticks."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

from crypto_platform.common.price_format import price_decimals, price_text
from crypto_platform.settings import get_settings
from streamlit_app.data import TIMEFRAMES, candles, latest_prices, says_when_unavailable, symbol_gaps, ticks
from streamlit_app.timezone import chart_times, local, local_wall_times

FEED_GAP_SECONDS = 120  # no trade at all for this long is a gap worth saying
TICK_SECONDS = 300
DEFAULT_SYMBOL = "BTC-USD"
RANGES = {"1 hour": 3600, "6 hours": 6 * 3600, "1 day": 86400, "7 days": 7 * 86400, "30 days": 30 * 86400}

st.title("Markets")


@st.fragment(run_every=get_settings().dashboard_refresh_seconds)
@says_when_unavailable
def price_cards() -> None:
    prices = latest_prices()
    if prices.empty:
        st.info("No trades in the warehouse yet: start the producer and the loader (`make up`).")
        return
    quiet = time.time() - prices.trade_ts.max().replace(tzinfo=UTC).timestamp()
    if quiet > FEED_GAP_SECONDS:
        st.warning(
            f"No new trade for {quiet / 60:,.0f} minutes: the feed, the producer or the loader may be "
            "down (see the Pipeline page). Prices below are the last ones received."
        )
    columns = st.columns(4)
    for i, row in enumerate(prices.itertuples()):
        card = columns[i % 4]
        decimals = price_decimals(row.price)
        card.metric(
            row.symbol,
            price_text(row.price, decimals),
            f"{price_text(row.change_24h, decimals, sign=True)} ({row.change_pct_24h:+.2f}%)",
        )
        card.caption(f"last trade {local(row.trade_ts):%Y-%m-%d %H:%M:%S %Z}")


def last_trade_ts(symbol: str) -> datetime:
    """The symbol's last trade time (UTC), where the chart's and the tick line's ranges end."""
    prices = latest_prices()
    return prices.trade_ts[prices.symbol == symbol].iloc[0].to_pydatetime()


def shade_gaps(figure: go.Figure, symbol: str, since: datetime, zone: str) -> None:
    """Shade the minutes of each gap not repaired in the symbol's trades, and say so under the chart."""
    found = symbol_gaps(symbol, since)
    if found.empty:
        return
    wall = (lambda t: t) if zone.startswith("UTC") else local_wall_times  # the chart's own clock
    for row in found.itertuples():
        start, end = (wall(pd.Series([t])).iloc[0].floor("min") for t in (row.start_ts, row.end_ts))
        figure.add_vrect(
            x0=start, x1=end + pd.Timedelta(minutes=1), fillcolor="red", opacity=0.15, line_width=0,
            annotation_text=f"{row.source} gap ({row.state})", annotation_position="top left",
        )  # fmt: skip
    st.caption(
        f"Shaded: {len(found)} gap(s) in {symbol}'s trades not repaired in this range "
        f"({', '.join(sorted(set(found.source)))}); the Pipeline page lists them."
    )


def candle_chart(symbol: str, timeframe: str, seconds: int) -> None:
    since = last_trade_ts(symbol) - timedelta(seconds=seconds)
    frame = candles(symbol, timeframe, since)
    if frame.empty:
        st.info(f"No {timeframe} candles for {symbol} in this range.")
        return
    times, zone = chart_times(frame.bucket_start, daily=timeframe == "1d")
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, row_heights=[0.75, 0.25], vertical_spacing=0.03)
    figure.add_trace(
        go.Candlestick(
            x=times,
            open=frame.open,
            high=frame.high,
            low=frame.low,
            close=frame.close,
            name=symbol,
        ),
        row=1,
        col=1,
    )
    figure.add_trace(go.Bar(x=times, y=frame.volume, name="volume"), row=2, col=1)
    figure.update_layout(height=520, xaxis_rangeslider_visible=False, showlegend=False, margin={"t": 10})
    figure.update_xaxes(title_text=f"time ({zone})", row=2, col=1)
    shade_gaps(figure, symbol, since, zone)
    st.plotly_chart(figure, width="stretch")


@st.fragment(run_every=get_settings().dashboard_refresh_seconds)
@says_when_unavailable
def tick_line(symbol: str) -> None:
    frame = ticks(symbol, last_trade_ts(symbol) - timedelta(seconds=TICK_SECONDS))
    if frame.empty:
        st.info(f"No trades for {symbol} in the last minutes.")
        return
    times, zone = chart_times(frame.trade_ts)
    figure = go.Figure(go.Scatter(x=times, y=frame.price, mode="lines", name=symbol))
    figure.update_layout(height=240, margin={"t": 10, "b": 10}, yaxis={"tickformat": ",.6~g"})
    figure.update_xaxes(title_text=f"time ({zone})")
    st.plotly_chart(figure, width="stretch")


@says_when_unavailable
def page() -> None:
    symbols = latest_prices().symbol.tolist()  # first: if the warehouse is down, one message says so
    price_cards()
    if not symbols:
        return
    left, middle, right = st.columns(3)
    symbol = left.selectbox(
        "Symbol", symbols, index=symbols.index(DEFAULT_SYMBOL) if DEFAULT_SYMBOL in symbols else 0
    )
    timeframe = middle.selectbox("Timeframe", TIMEFRAMES, index=0)
    window = right.selectbox("Range", list(RANGES), index=0)
    candle_chart(symbol, timeframe, RANGES[window])
    st.subheader(f"{symbol}: last 5 minutes of trades")
    tick_line(symbol)


page()
