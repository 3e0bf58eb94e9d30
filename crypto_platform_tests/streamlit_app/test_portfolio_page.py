"""The Portfolio page, driven by AppTest against the real local warehouse: adding, editing and
deleting transactions, the positions computed from them, and bad input refused with nothing written."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from streamlit.testing.v1 import AppTest

from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade
from crypto_platform_tests.streamlit_app.helpers import run_app
from streamlit_app import timezone

pytestmark = pytest.mark.stack


@pytest.fixture
def priced(fresh: Settings) -> Settings:
    """BTC-USD last traded at 100,000 and ETH-USD at 4,000."""
    produce(fresh, [
        trade("BTC-USD", "90000", "1", T0), trade("BTC-USD", "100000", "1", T0 + 3_600_000),
        trade("ETH-USD", "4000", "1", T0 + 60_000),
    ])  # fmt: skip
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    return fresh


def stored_rows(settings: Settings) -> list[tuple]:
    with connect(settings) as conn:
        sql = "SELECT SYMBOL, SIDE, QUANTITY, PRICE, FEE FROM PORTFOLIO.TRANSACTIONS ORDER BY TRADE_TS"
        return [(s, side, float(q), float(p), float(f)) for s, side, q, p, f in run_query(conn, sql).rows]


def enter(app: AppTest, form: str, **values: str) -> AppTest:
    for name, value in values.items():
        widget = app.selectbox(key=f"{form}-side") if name == "side" else app.text_input(key=f"{form}-{name}")
        widget.set_value(value)
    return app


def add(app: AppTest, when: datetime, **values: str) -> AppTest:
    enter(app, "add", **values)
    app.get("date_time_input")[0].set_value(when)
    next(b for b in app.button if b.label == "Add").click()
    return app.run()


def open_portfolio(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> AppTest:
    app = run_app(monkeypatch, settings)
    app.switch_page("views/portfolio.py").run()
    assert not app.exception, app.exception
    return app


def test_positions_and_profit_follow_the_transactions(
    priced: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_portfolio(monkeypatch, priced)
    assert "No transactions yet" in app.info[0].value
    add(app, datetime(2026, 1, 1, 0, 0), symbol="btc-usd", quantity="2", price="90000", fee="10")
    sell = {"side": "sell", "symbol": "BTC-USD", "quantity": "0.5", "price": "95000", "fee": "0"}
    add(app, datetime(2026, 1, 1, 0, 30), **sell)
    add(app, datetime(2026, 1, 1, 0, 5), symbol="ETH-USD", quantity="3", price="3500")
    assert not app.exception and not app.error, [e.value for e in app.error]
    assert stored_rows(priced) == [
        ("BTC-USD", "buy", 2.0, 90000.0, 10.0), ("ETH-USD", "buy", 3.0, 3500.0, 0.0),
        ("BTC-USD", "sell", 0.5, 95000.0, 0.0),
    ]  # fmt: skip
    metrics = {m.label: m.value for m in app.metric}
    # BTC: 1.5 held at 45,005/coin average; value 150,000. ETH: 3 at 3,500, value 12,000.
    assert metrics["Total value"] == "162,000.00"
    assert metrics["Cost basis"] == f"{1.5 * 90005 + 3 * 3500:,.2f}"
    assert metrics["Unrealized P/L"] == f"{162000 - 1.5 * 90005 - 3 * 3500:+,.2f}"
    assert metrics["Realized P/L"] == f"{0.5 * 95000 - 0.5 * 90005:+,.2f}"
    table = app.dataframe[0].value.set_index("symbol")
    assert table.loc["BTC-USD", "average cost"] == pytest.approx(90005)
    assert table.loc["ETH-USD", "market value"] == pytest.approx(12000)


def test_editing_and_deleting_a_transaction(priced: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_portfolio(monkeypatch, priced)
    add(app, datetime(2026, 1, 1), symbol="ETH-USD", quantity="3", price="3500")
    chosen = app.selectbox(key="edit-choice").value
    enter(app, f"edit-{chosen}", quantity="4")
    next(b for b in app.button if b.label == "Save changes").click()
    app.run()
    assert stored_rows(priced) == [("ETH-USD", "buy", 4.0, 3500.0, 0.0)]
    next(b for b in app.button if b.label == "Delete").click()
    app.run()
    assert stored_rows(priced) == []
    assert "Deleted" in app.success[0].value


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"symbol": "DOGE-USD", "quantity": "1", "price": "1"}, "Unknown symbol 'DOGE-USD'"),
        ({"symbol": "ETH-USD", "quantity": "-1", "price": "1"}, "quantity must be more than zero"),
        ({"symbol": "ETH-USD", "quantity": "0", "price": "1"}, "quantity must be more than zero"),
        ({"symbol": "ETH-USD", "quantity": "1", "price": "ten"}, "price must be a number, not 'ten'"),
        ({"side": "sell", "symbol": "ETH-USD", "quantity": "2", "price": "4000"}, "only 1 held"),
        (  # was saved as 0, and said "Saved: buy 0.00000000000001"
            {"symbol": "ETH-USD", "quantity": "0.00000000000001", "price": "1"},
            "quantity must have at most 12 decimal places and less than 10^26",
        ),
        (  # was said to be the warehouse not answering
            {"symbol": "ETH-USD", "quantity": "1e308", "price": "1"},
            "quantity must have at most 12 decimal places and less than 10^26",
        ),
        (  # was saved as 5, and said "Saved"
            {"symbol": "ETH-USD", "quantity": "0,5", "price": "1"},
            "quantity must be a number, not '0,5': write digits with a point for decimals",
        ),
        (  # was saved as 1.23456
            {"symbol": "ETH-USD", "quantity": "1", "price": "1.234,56"},
            "price must be a number, not '1.234,56'",
        ),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    priced: Settings, monkeypatch: pytest.MonkeyPatch, values: dict[str, str], message: str
) -> None:
    app = open_portfolio(monkeypatch, priced)
    add(app, datetime(2026, 1, 1), symbol="ETH-USD", quantity="1", price="3500")
    before = stored_rows(priced)
    add(app, datetime(2026, 1, 2), **values)
    assert message in app.error[0].value and app.error[0].value.startswith("Not saved")
    assert stored_rows(priced) == before


def test_a_time_the_local_clock_skips_is_refused_and_one_it_repeats_is_said(
    priced: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """2024-03-31 02:30 does not exist in Madrid: it used to be stored as 01:30 UTC, shown as 03:30."""
    monkeypatch.setattr(timezone, "user_zone", lambda: ZoneInfo("Europe/Madrid"))
    app = open_portfolio(monkeypatch, priced)
    before = stored_rows(priced)
    add(app, datetime(2024, 3, 31, 2, 30), symbol="ETH-USD", quantity="1", price="3500")
    assert "2024-03-31 02:30 does not exist in Europe/Madrid" in app.error[0].value
    assert stored_rows(priced) == before
    add(app, datetime(2024, 10, 27, 2, 30), symbol="ETH-USD", quantity="1", price="3500")
    assert any("happens twice in Europe/Madrid; taken as the first" in s.value for s in app.success)
