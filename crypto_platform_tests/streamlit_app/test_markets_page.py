"""The Markets page, driven by Streamlit's AppTest against the real local warehouse."""

from __future__ import annotations

import socket
import time

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade
from crypto_platform_tests.streamlit_app.helpers import run_app


@pytest.mark.stack
def test_cards_show_each_symbols_last_price_and_24h_change(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = 24 * 3600 * 1000
    produce(fresh, [
        trade("BTC-USD", "90000", "0.1", T0), trade("BTC-USD", "95000", "0.2", T0 + day),
        trade("BTC-USD", "99000", "0.1", T0 + day + 60_000), trade("ETH-USD", "3500.5", "1", T0 + 5_000),
    ])  # fmt: skip
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    app = run_app(monkeypatch, fresh)
    cards = {m.label: (m.value, m.delta) for m in app.metric}
    assert cards == {
        "BTC-USD": ("99,000.00", "+9,000.00 (+10.00%)"),  # against 90,000: the last price 24h before
        "ETH-USD": ("3,500.50", "+0.00 (+0.00%)"),
    }
    assert [c.value for c in app.caption][:2] == [
        "last trade 2026-01-02 00:01:00 UTC",
        "last trade 2026-01-01 00:00:05 UTC",
    ]
    assert app.warning[0].value.startswith("No new trade for")  # trades from January: a feed gap
    assert [s.value for s in app.selectbox][:2] == ["BTC-USD", "1m"]


@pytest.mark.stack
def test_opens_on_btc_usd_with_prices_as_precise_as_their_size(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    produce(fresh, [
        trade("ADA-USD", "0.89664", "10", T0), trade("BTC-USD", "93836.3312", "0.1", T0 + 1),
        trade("PEPE-USD", "0.0000123449", "1000000", T0 + 2),
    ])  # fmt: skip
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    app = run_app(monkeypatch, fresh)
    assert {m.label: m.value for m in app.metric} == {
        "ADA-USD": "0.8966", "BTC-USD": "93,836.33", "PEPE-USD": "0.00001234"
    }  # fmt: skip
    assert app.selectbox[0].value == "BTC-USD"  # not the first symbol in the list


@pytest.mark.stack
def test_an_empty_warehouse_is_said_plainly(fresh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    app = run_app(monkeypatch, fresh)
    assert "No trades in the warehouse yet" in app.info[0].value


def test_a_warehouse_that_does_not_answer_is_said_plainly(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    app = run_app(monkeypatch, Settings(snowflake_local_port=closed_port))
    assert "The warehouse is not answering" in app.error[0].value


@pytest.mark.stack
def test_no_gap_is_reported_while_trades_arrive(fresh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    produce(fresh, [trade("SOL-USD", "200", "1", time.time_ns() // 1_000_000 - 5_000)])
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    app = run_app(monkeypatch, fresh)
    assert not app.warning and [m.label for m in app.metric] == ["SOL-USD"]


@pytest.mark.stack
def test_the_minutes_of_a_gap_not_repaired_are_shaded_on_the_chart(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 5 s apart: Finnhub's (the default source's) gaps are 10 s of silence, so these trades leave none
    produce(fresh, [trade("BTC-USD", "95000", "0.1", T0 + i * 5_000) for i in range(360)])
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    with connect(fresh) as conn, conn.cursor() as cur:
        # Kraken's gap of BTC-USD, Finnhub's of its whole feed (which streams BTC-USD), and ETH-USD's
        for gap_id, source, symbol, state in (
            ("k", "kraken", "BTC-USD", "open"), ("f", "finnhub", None, "unrepairable"),
            ("c", "coinbase", "BTC-USD", "repaired"), ("e", "kraken", "ETH-USD", "open"),
        ):  # fmt: skip
            cur.execute(
                "INSERT INTO OPS.TRADE_GAPS (GAP_ID, SOURCE, SYMBOL, FEED_SYMBOL, START_TS, END_TS, STATE,"
                " DETECTED_AT) VALUES (?, ?, ?, ?, '2026-01-01 00:10:05', '2026-01-01 00:12:30', ?,"
                " '2026-01-01 00:13:00')",
                [gap_id, source, symbol, symbol, state],
            )
    app = run_app(monkeypatch, fresh)
    (shaded,) = [c.value for c in app.caption if c.value.startswith("Shaded")]
    assert shaded == (
        "Shaded: 2 gap(s) in BTC-USD's trades not repaired in this range (finnhub, kraken); "
        "the Pipeline page lists them."
    )
    shapes = app.get("plotly_chart")[0].proto.spec
    assert shapes.count('"type":"rect"') == 4  # two gaps, over the candles and the volume
    assert shapes.count('"x0":"2026-01-01T00:10:00"') == 4 and '"x1":"2026-01-01T00:13:00"' in shapes
