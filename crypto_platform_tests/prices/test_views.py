"""The processed views against values computed here, independently, from the same trades."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import processed_assets, raw_trades
from crypto_platform.prices.trade import Trade
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade

pytestmark = pytest.mark.stack

TIMEFRAMES = {"1m": 60, "5m": 300, "1h": 3600, "1d": 86400}


def generated_trades() -> list[Trade]:
    """Two symbols over 26 hours: every trade time distinct, so open and close are well defined."""
    rng = random.Random(4)
    trades = []
    for symbol, base in (("BTC-USD", 95000), ("ETH-USD", 3500)):
        ts = T0
        for i in range(400):
            ts += rng.randint(1, 480_000)  # up to 8 minutes apart: spans 26 hours on average
            price = Decimal(base + rng.randint(-500, 500)) / 1 + Decimal(rng.randint(0, 99)) / 100
            size = Decimal(rng.randint(1, 5000)) / 1000
            trades.append(trade(symbol, str(price), str(size), ts, f"{symbol}-{i}"))
    return trades


def expected_ohlcv(trades: list[Trade]) -> dict[tuple[str, str, datetime], tuple]:
    buckets: dict[tuple[str, str, datetime], list[Trade]] = defaultdict(list)
    for t in trades:
        for name, seconds in TIMEFRAMES.items():
            start = t.trade_ts_ms // 1000 // seconds * seconds
            buckets[t.symbol, name, datetime.fromtimestamp(start, UTC).replace(tzinfo=None)].append(t)
    result = {}
    for key, group in buckets.items():
        group.sort(key=lambda t: t.trade_ts_ms)
        volume = sum(t.size for t in group)
        vwap = sum(t.price * t.size for t in group) / volume
        prices = [t.price for t in group]
        result[key] = (group[0].price, max(prices), min(prices), group[-1].price, volume, len(group), vwap)
    return result


@pytest.fixture
def loaded(fresh: Settings) -> tuple[Settings, list[Trade]]:
    trades = generated_trades()
    produce(fresh, trades)
    assert dg.materialize([raw_trades, *processed_assets], resources=resources(fresh)).success
    return fresh, trades


def query(settings: Settings, sql: str) -> list[tuple]:
    with connect(settings) as conn:
        return run_query(conn, sql).rows


def test_ohlcv_matches_candles_computed_independently(loaded: tuple[Settings, list[Trade]]) -> None:
    settings, trades = loaded
    got = {
        (s, tf, start): (o, h, lo, c, Decimal(str(v)), n, Decimal(str(w)))
        for s, tf, start, o, h, lo, c, v, n, w in query(settings, "select * from CORE.OHLCV")
    }
    expected = expected_ohlcv(trades)
    assert got.keys() == expected.keys()
    for key, (o, h, lo, c, v, n, w) in expected.items():
        go, gh, glo, gc, gv, gn, gw = got[key]
        assert (go, gh, glo, gc, gn) == (o, h, lo, c, n), key
        assert gv == pytest.approx(v, rel=Decimal("1e-12")), key
        assert gw == pytest.approx(w, rel=Decimal("1e-9")), key


def test_latest_prices_and_24h_change(loaded: tuple[Settings, list[Trade]]) -> None:
    settings, trades = loaded
    got = {row[0]: row[1:] for row in query(settings, "select * from CORE.LATEST_PRICES")}
    assert set(got) == {"BTC-USD", "ETH-USD"}
    for symbol, (price, ts, ref, change, pct) in got.items():
        mine = sorted((t for t in trades if t.symbol == symbol), key=lambda t: t.trade_ts_ms)
        last = mine[-1]
        before = [t for t in mine if t.trade_ts_ms <= last.trade_ts_ms - 24 * 3600 * 1000]
        reference = before[-1].price if before else mine[0].price
        assert (price, ts) == (
            last.price,
            datetime.fromtimestamp(last.trade_ts_ms / 1000, UTC).replace(tzinfo=None),
        )
        assert ref == reference and change == last.price - reference
        assert float(pct) == pytest.approx(float(100 * (last.price - reference) / reference))


def test_market_stats_cover_the_24h_before_the_latest_trade(loaded: tuple[Settings, list[Trade]]) -> None:
    settings, trades = loaded
    for symbol, low, high, volume, _quote, count, _vwap, _as_of in query(
        settings, "select * from CORE.MARKET_STATS_24H"
    ):
        mine = [t for t in trades if t.symbol == symbol]
        last = max(t.trade_ts_ms for t in mine)
        window = [t for t in mine if t.trade_ts_ms > last - 24 * 3600 * 1000]
        assert (low, high, count) == (min(t.price for t in window), max(t.price for t in window), len(window))
        assert Decimal(str(volume)) == pytest.approx(sum(t.size for t in window))
