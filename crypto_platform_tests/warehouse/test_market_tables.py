"""The tables the loader keeps as trades load (CORE.CANDLES behind CORE.OHLCV, CORE.MARKET_STATE
behind CORE.LATEST_PRICES and CORE.MARKET_STATS_24H) against the same figures computed here from
every trade: on random streams with repeated, late and same-millisecond trades, loaded in random
batches through the loader's own commit; after a rebuild from the Dagster asset; and for the
arrival-order rule on time ties."""

from __future__ import annotations

import itertools
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import dagster as dg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crypto_platform.defs.prices.assets import market_state, ohlcv
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform.warehouse.connection import WriteConflict
from crypto_platform.warehouse.price_tables import TradeBatch, commit_batch
from crypto_platform_tests.prices.helpers import resources
from crypto_platform_tests.warehouse.helpers import Row, arrow_rows, candles, latest_prices, market_stats

pytestmark = pytest.mark.stack

T0 = datetime(2026, 1, 1)
examples = itertools.count()


def load(settings: Settings, batches: list[list[Row]], attempts: int = 5) -> None:
    """Each batch committed as the loader commits it (stage, then one transaction), and again, as
    the loader does, when the emulator refuses the transaction for a conflict with another writer
    (the stack's own loader): the batch was rolled back."""
    with connect(settings) as conn:
        for rows in batches:
            for attempt in range(1, attempts + 1):
                batch = TradeBatch(uuid.uuid4().hex, settings.kafka_topic_trades, arrow_rows(rows), {})
                try:
                    commit_batch(conn, batch)
                    break
                except WriteConflict:
                    if attempt == attempts:
                        raise


def rows_of(settings: Settings, sql: str, symbols: list[str]) -> list[tuple]:
    """`sql` with `%(symbols)s` standing for the list of symbols."""
    with connect(settings) as conn:
        return run_query(conn, sql.replace("%(symbols)s", ", ".join("?" * len(symbols))), symbols).rows


def stored_candles(settings: Settings, symbols: list[str]) -> dict[tuple, tuple]:
    sql = "select * from CORE.OHLCV where SYMBOL in (%(symbols)s)"
    return {tuple(r[:3]): tuple(r[3:]) for r in rows_of(settings, sql, symbols)}


def assert_candles(got: dict[tuple, tuple], expected: dict[tuple, tuple]) -> None:
    assert got.keys() == expected.keys()
    for key, (o, h, lo, c, volume, count, vwap) in expected.items():
        go, gh, glo, gc, gvolume, gcount, gvwap = got[key]
        assert (go, gh, glo, gc, gcount) == (o, h, lo, c, count), key
        # the emulator sums NUMBER columns as doubles
        assert Decimal(str(gvolume)) == pytest.approx(volume, rel=Decimal("1e-12")), key
        assert Decimal(str(gvwap)) == pytest.approx(vwap, rel=Decimal("1e-9")), key


def assert_market(settings: Settings, rows: list[Row], symbols: list[str]) -> None:
    latest = rows_of(
        settings,
        "select SYMBOL, PRICE, TRADE_TS, PRICE_24H_AGO, CHANGE_24H from CORE.LATEST_PRICES "
        "where SYMBOL in (%(symbols)s)",
        symbols,
    )
    assert {r[0]: tuple(r[1:]) for r in latest} == latest_prices(rows)
    stats = rows_of(
        settings,
        "select SYMBOL, LOW_24H, HIGH_24H, VOLUME_24H, QUOTE_VOLUME_24H, TRADE_COUNT_24H "
        "from CORE.MARKET_STATS_24H where SYMBOL in (%(symbols)s)",
        symbols,
    )
    expected = market_stats(rows)
    assert {r[0] for r in stats} == expected.keys()
    for symbol, low, high, volume, quote, count in stats:
        e_low, e_high, e_volume, e_quote, e_count = expected[symbol]
        assert (low, high, count) == (e_low, e_high, e_count), symbol
        assert Decimal(str(volume)) == pytest.approx(e_volume, rel=Decimal("1e-12")), symbol
        assert Decimal(str(quote)) == pytest.approx(e_quote, rel=Decimal("1e-12")), symbol


@st.composite
def streams(draw: st.DrawFn, tag: str) -> tuple[list[Row], list[list[Row]]]:
    """Trades of two symbols over 30 hours at a few distinct milliseconds (so times tie and buckets
    hold several trades), arriving in any order (so trades are late), some of them again (as a feed
    repeats them), cut into up to four batches. Returns (every arrival, the batches)."""
    instants = draw(
        st.lists(st.tuples(st.integers(0, 30 * 60), st.integers(0, 59_999)), min_size=1, max_size=10)
    )
    trades = [
        (
            draw(st.sampled_from([f"A{tag}-USD", f"B{tag}-USD"])),
            f"t{i}",
            Decimal(draw(st.integers(1, 999))) / 100,
            Decimal(draw(st.integers(1, 500))) / 1000,
            T0 + timedelta(minutes=minute, milliseconds=ms),
        )
        for i, (minute, ms) in enumerate(draw(st.lists(st.sampled_from(instants), min_size=1, max_size=40)))
    ]
    arrivals = draw(st.permutations(trades))
    arrivals += draw(st.lists(st.sampled_from(trades), max_size=8))  # repeated by the feed
    offsets: dict[str, int] = {}
    rows = []
    for symbol, trade_id, price, size, ts in arrivals:
        offsets[symbol] = offsets.get(symbol, 0) + 1
        partition = 0 if symbol.startswith("A") else 1  # one symbol is one partition
        rows.append(Row(symbol, trade_id, price, size, ts, partition, offsets[symbol]))
    cuts = sorted(draw(st.sets(st.integers(1, max(1, len(rows) - 1)), max_size=3)) - {len(rows)})
    bounds = [0, *cuts, len(rows)]
    return rows, [rows[a:b] for a, b in itertools.pairwise(bounds) if b > a]


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_incremental_tables_equal_a_recomputation_from_every_trade(
    fresh: Settings, data: st.DataObject
) -> None:
    tag = str(next(examples))  # symbols of this example's own: examples share the database
    rows, batches = data.draw(streams(tag))
    load(fresh, batches)
    symbols = [f"A{tag}-USD", f"B{tag}-USD"]
    assert_candles(stored_candles(fresh, symbols), candles(rows))
    assert_market(fresh, rows, symbols)


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_rebuild_from_the_assets_gives_the_same_tables(fresh: Settings, data: st.DataObject) -> None:
    tag = f"R{next(examples)}"
    rows, batches = data.draw(streams(tag))
    load(fresh, batches)
    symbols = [f"A{tag}-USD", f"B{tag}-USD"]
    kept = stored_candles(fresh, symbols)
    assert dg.materialize([ohlcv, market_state], resources=resources(fresh)).success
    assert stored_candles(fresh, symbols) == kept
    assert_candles(kept, candles(rows))
    assert_market(fresh, rows, symbols)


def btc(price: str, ts: datetime, offset: int, trade_id: str | None = None) -> Row:
    return Row("BTC-USD", trade_id or f"o{offset}", Decimal(price), Decimal("0.1"), ts, 0, offset)


@pytest.mark.parametrize("stored", [(3, 4), (4, 3)], ids=["stored in arrival order", "stored reversed"])
def test_same_millisecond_trades_close_at_the_later_arrival(fresh: Settings, stored: tuple[int, int]) -> None:
    at = T0 + timedelta(seconds=30)
    trades = {3: btc("101", at, 3), 4: btc("102", at, 4)}
    load(fresh, [[trades[o] for o in stored]])
    minute = stored_candles(fresh, ["BTC-USD"])["BTC-USD", "1m", T0]
    assert (minute[0], minute[3]) == (Decimal("101"), Decimal("102"))  # open, close
    (price,) = rows_of(
        fresh, "select PRICE from CORE.LATEST_PRICES where SYMBOL in (%(symbols)s)", ["BTC-USD"]
    )
    assert price == (Decimal("102"),)


def test_the_price_24h_ago_breaks_ties_by_arrival(fresh: Settings) -> None:
    day_later = T0 + timedelta(hours=24)
    load(fresh, [[btc("50", T0, 1), btc("60", T0, 2)], [btc("70", day_later, 3)]])
    reference = rows_of(
        fresh, "select PRICE_24H_AGO from CORE.LATEST_PRICES where SYMBOL in (%(symbols)s)", ["BTC-USD"]
    )
    assert reference == [(Decimal("60"),)]  # the later arrival of the two trades at T0


def test_a_young_symbol_compares_with_its_first_trade_by_arrival(fresh: Settings) -> None:
    load(fresh, [[btc("20", T0, 2), btc("10", T0, 1)], [btc("30", T0 + timedelta(hours=1), 3)]])
    row = rows_of(
        fresh,
        "select PRICE_24H_AGO, CHANGE_24H from CORE.LATEST_PRICES where SYMBOL in (%(symbols)s)",
        ["BTC-USD"],
    )
    assert row == [(Decimal("10"), Decimal("20"))]
