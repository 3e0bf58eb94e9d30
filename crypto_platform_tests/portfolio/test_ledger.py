"""The average-cost ledger and the validation of user input."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest

from crypto_platform.portfolio.ledger import LedgerError, entered, positions, transaction, with_change

KNOWN = {"BTC-USD", "ETH-USD"}


def tx(id: str, side: str, qty: str, price: str, hour: int, fee: str = "0", symbol: str = "BTC-USD"):
    return transaction(id, symbol, side, qty, price, fee, datetime(2026, 1, 1, hour), KNOWN)


def test_average_cost_and_realized_profit_follow_time_order() -> None:
    # Buy 1 @100, sell 1 @200, buy 1 @300: the sale realizes 100 and the holding costs 300.
    ledger = [tx("c", "buy", "1", "300", 3), tx("a", "buy", "1", "100", 1), tx("b", "sell", "1", "200", 2)]
    book = positions(ledger)
    btc = book["BTC-USD"]
    assert (btc.quantity, btc.cost, btc.realized, btc.average_cost) == (1, 300, 100, 300)


def test_fees_raise_the_cost_and_lower_the_proceeds() -> None:
    book = positions([
        tx("a", "buy", "2", "100", 1, fee="2"), tx("b", "buy", "2", "200", 2),
        tx("c", "sell", "1", "300", 3, fee="1"),
    ])  # fmt: skip
    btc = book["BTC-USD"]
    assert btc.average_cost == Decimal("150.5") and btc.quantity == 3
    assert btc.realized == Decimal("300") - 1 - Decimal("150.5")
    assert btc.fees == 3


def test_selling_more_than_held_at_that_time_is_refused() -> None:
    with pytest.raises(LedgerError, match="only 1 held"):
        positions(
            [tx("a", "buy", "1", "100", 1), tx("b", "sell", "2", "200", 2), tx("c", "buy", "5", "1", 9)]
        )


def test_a_change_that_uncovers_a_later_sell_is_refused() -> None:
    ledger = {t.id: t for t in (tx("a", "buy", "1", "100", 1), tx("b", "sell", "1", "200", 2))}
    with pytest.raises(LedgerError, match="Cannot sell"):
        with_change(ledger, delete="a")
    with pytest.raises(LedgerError, match="Cannot sell"):
        with_change(ledger, upsert=tx("a", "buy", "0.5", "100", 1))
    assert with_change(ledger, upsert=tx("a", "buy", "3", "100", 1))["BTC-USD"].quantity == 2


@pytest.mark.parametrize(
    ("symbol", "qty", "price", "fee", "message"),
    [
        ("DOGE-USD", "1", "1", "0", "Unknown symbol 'DOGE-USD'"),
        ("BTC-USD", "-1", "1", "0", "quantity must be more than zero"),
        ("BTC-USD", "0", "1", "0", "quantity must be more than zero"),
        ("BTC-USD", "1", "abc", "0", "price must be a number, not 'abc'"),
        ("BTC-USD", "1", "NaN", "0", "price must be a number, not 'NaN'"),
        ("BTC-USD", "1", "1", "-2", "fee must be zero or more"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(
    symbol: str, qty: str, price: str, fee: str, message: str
) -> None:
    with pytest.raises(LedgerError, match=message):
        transaction("x", symbol, "buy", qty, price, fee, datetime(2026, 1, 1), KNOWN)


@pytest.mark.parametrize(
    "typed",
    ["0,5", "0,00012", "1.234,56", "1,23", "12,34,567", "1,2345", "1_000", "1e", "١٢", "0x10", "½", ""],
)
def test_a_comma_outside_a_thousands_grouping_or_any_other_spelling_is_refused(typed: str) -> None:
    """Each used to be stored as another number (0,5 as 5; 0,00012 as 12; 1.234,56 as 1.23456;
    1_000 as 1000; Arabic-Indic digits as 12) or, blank, as a refusal that did not say how."""
    with pytest.raises(LedgerError, match=r"quantity must be a number.*a point for decimals"):
        transaction("x", "BTC-USD", "buy", typed, "1", "0", datetime(2026, 1, 1), KNOWN)


@pytest.mark.parametrize(
    ("typed", "value"),
    [("63,000.50", "63000.50"), ("1,234", "1234"), ("1,234,567.125", "1234567.125"), (" 0.5 ", "0.5"),
     (".5", "0.5"), ("12", "12"), ("1e-8", "0.00000001")],
)  # fmt: skip
def test_a_well_formed_grouping_and_plain_decimals_are_the_amount_typed(typed: str, value: str) -> None:
    assert transaction(
        "x", "BTC-USD", "buy", typed, "1", "0", datetime(2026, 1, 1), KNOWN
    ).quantity == Decimal(value)


def test_symbols_are_normalised_and_thousands_separators_accepted() -> None:
    t = transaction("x", " btc-usd ", "buy", "1", "95,000.50", "", datetime(2026, 1, 1), KNOWN)
    assert (t.symbol, t.price, t.fee) == ("BTC-USD", Decimal("95000.50"), 0)


def test_transactions_at_the_same_time_replay_in_the_order_they_were_entered() -> None:
    # Held 1 @100; then, at one minute, a sell of 1 @200 entered first and a buy of 1 @300.
    held = tx("a", "buy", "1", "100", 1)
    sell, buy = tx("z-sell", "sell", "1", "200", 2), tx("a-buy", "buy", "1", "300", 2)
    ledger = {held.id: entered({}, held)}
    for new in (sell, buy):
        ledger[new.id] = entered(ledger, new)
    btc = positions(ledger.values())["BTC-USD"]
    assert (btc.realized, btc.quantity, btc.average_cost) == (100, 1, 300)
    edited = entered(ledger, dataclasses.replace(sell, price=Decimal(250)))  # an edit keeps its place
    assert edited.entry == ledger[sell.id].entry


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("0.00000000000001", "at most 12 decimal places and less than 10^26"),  # was stored as 0
        ("1e308", "at most 12 decimal places and less than 10^26"),  # was "warehouse not answering"
        ("100000000000000000000000000", "less than 10^26"),
    ],
)
def test_a_quantity_the_warehouse_cannot_hold_exactly_is_refused_naming_the_limit(
    quantity: str, message: str
) -> None:
    with pytest.raises(LedgerError) as refused:
        tx("a", "buy", quantity, "100", 1)
    assert message in str(refused.value)


def test_twelve_decimals_and_twenty_six_digits_are_kept_exactly() -> None:
    assert tx("a", "buy", "0.000000000001", "99999999999999999999999999.5", 1).quantity == Decimal("1e-12")
