"""Portfolio: positions with average cost and profit and loss, allocation, value over time, and the
buy and sell transactions behind them, which the user adds, edits and deletes here."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pandas as pd
import plotly.express as px
import streamlit as st

from crypto_platform.portfolio.ledger import (
    SIDES,
    LedgerError,
    Position,
    Transaction,
    plain,
    positions,
    transaction,
)
from streamlit_app import data
from streamlit_app.timezone import NotALocalTime, ambiguity, local, stored, zone_name

st.title("Portfolio")


def holdings(book: dict[str, Position], prices: dict[str, float]) -> pd.DataFrame:
    rows = []
    for p in book.values():
        price = prices.get(p.symbol)
        value = float(p.quantity) * price if price is not None else None
        rows.append({
            "symbol": p.symbol, "quantity": float(p.quantity),
            "average cost": float(p.average_cost) if p.average_cost is not None else None,
            "price": price, "market value": value,
            "unrealized P/L": value - float(p.cost) if value is not None else None,
            "unrealized %": 100 * (value / float(p.cost) - 1) if value is not None and p.cost else None,
            "realized P/L": float(p.realized),
        })  # fmt: skip
    return pd.DataFrame(rows)


def summary(table: pd.DataFrame, book: dict[str, Position], change_24h: dict[str, float]) -> None:
    value = table["market value"].sum()
    unrealized = table["unrealized P/L"].sum()
    day = sum(float(p.quantity) * change_24h.get(p.symbol, 0.0) for p in book.values())
    a, b, c, d = st.columns(4)
    a.metric("Total value", f"{value:,.2f}", f"{day:+,.2f} (24h)")
    b.metric("Unrealized P/L", f"{unrealized:+,.2f}")
    c.metric("Realized P/L", f"{table['realized P/L'].sum():+,.2f}")
    d.metric("Cost basis", f"{sum(float(p.cost) for p in book.values()):,.2f}")


def value_over_time(ledger: dict[str, Transaction]) -> None:
    first = min(t.trade_ts for t in ledger.values())
    closes = data.hourly_closes(first.replace(minute=0, second=0, microsecond=0))
    if closes.empty:
        st.info("No hourly candles since the first transaction yet.")
        return
    prices = closes.pivot_table(index="bucket_start", columns="symbol", values="close", aggfunc="last")
    prices = prices.ffill()
    held = pd.DataFrame(0.0, index=prices.index, columns=prices.columns)
    for t in ledger.values():  # the quantity held at the end of each hour
        if t.symbol in held:
            sign = 1 if t.side == "buy" else -1
            held.loc[held.index + timedelta(hours=1) > t.trade_ts, t.symbol] += sign * float(t.quantity)
    value = (held * prices).sum(axis=1).rename("value").reset_index()
    value["time"] = [local(ts) for ts in value.pop("bucket_start")]
    st.caption("Value over time (hourly closes)")
    st.area_chart(value, x="time", y="value", height=260)


def transaction_fields(key: str, known: list[str], current: Transaction | None = None) -> dict:
    """The inputs of one transaction, as the user typed them (validated by the ledger on submit)."""
    a, b, c = st.columns(3)
    if current is None:
        side, symbol, when, quantity, price, fee = (
            "buy",
            "",
            datetime.now().replace(microsecond=0),
            "",
            "",
            "0",
        )
    else:
        side, symbol, when = current.side, current.symbol, local(current.trade_ts).replace(tzinfo=None)
        quantity, price, fee = plain(current.quantity), plain(current.price), plain(current.fee)
    return {
        "side": a.selectbox("Side", SIDES, index=SIDES.index(side), key=f"{key}-side"),
        "symbol": b.text_input("Symbol", symbol, help=f"One of: {', '.join(known)}", key=f"{key}-symbol"),
        "trade_ts": c.datetime_input(f"Time ({zone_name()})", when, key=f"{key}-time"),
        "quantity": a.text_input("Quantity", quantity, key=f"{key}-quantity"),
        "price": b.text_input("Price", price, key=f"{key}-price"),
        "fee": c.text_input("Fee", fee, key=f"{key}-fee"),
    }


def submit(fields: dict, known: list[str], tx_id: str, form: str) -> None:
    """Save the transaction or say why not; a saved form starts empty again, a refused one keeps
    what the user typed."""
    try:
        tx = transaction(tx_id, known_symbols=known, **{**fields, "trade_ts": stored(fields["trade_ts"])})
        data.change_portfolio(upsert=tx)
    except (LedgerError, NotALocalTime) as exc:
        st.error(f"Not saved: {exc}")
    else:
        for key in [k for k in st.session_state if str(k).startswith(f"{form}-")]:
            del st.session_state[key]
        note = ambiguity(fields["trade_ts"])
        st.session_state["portfolio_saved"] = f"Saved: {tx.describe()}" + (f" {note}" if note else "")
        st.rerun()


def delete(tx: Transaction) -> None:
    try:
        data.change_portfolio(delete=tx.id)
    except LedgerError as exc:
        st.error(f"Not deleted: {exc}")
    else:
        st.session_state["portfolio_saved"] = f"Deleted: {tx.describe()}"
        st.rerun()


def editor(ledger: dict[str, Transaction], known: list[str]) -> None:
    with st.form("add", clear_on_submit=False):
        st.subheader("Add a transaction")
        fields = transaction_fields("add", known)
        if st.form_submit_button("Add"):
            submit(fields, known, uuid.uuid4().hex, "add")
    if not ledger:
        return
    st.subheader("Transactions")
    rows = [
        {"time": local(t.trade_ts), "side": t.side, "symbol": t.symbol, "quantity": float(t.quantity),
         "price": float(t.price), "fee": float(t.fee)}
        for t in sorted(ledger.values(), key=lambda t: t.trade_ts)
    ]  # fmt: skip
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    chosen = st.selectbox(
        "Edit or delete", list(ledger), format_func=lambda i: ledger[i].describe(), key="edit-choice"
    )
    with st.form("edit"):
        fields = transaction_fields(f"edit-{chosen}", known, ledger[chosen])
        save, remove = st.columns(2)
        if save.form_submit_button("Save changes"):
            submit(fields, known, chosen, f"edit-{chosen}")
        if remove.form_submit_button("Delete", type="secondary"):
            delete(ledger[chosen])


@data.says_when_unavailable
def page() -> None:
    latest = data.latest_prices()
    known = latest.symbol.tolist()
    ledger = data.transactions()
    if message := st.session_state.pop("portfolio_saved", None):
        st.success(message)
    if ledger:
        book = {s: p for s, p in positions(ledger.values()).items() if p.quantity or p.realized}
        prices = dict(zip(latest.symbol, latest.price, strict=True))
        table = holdings(book, prices)
        summary(table, book, dict(zip(latest.symbol, latest.change_24h, strict=True)))
        st.dataframe(table, hide_index=True, width="stretch")
        left, right = st.columns([1, 2])
        held = table[table["market value"].fillna(0) > 0]
        if not held.empty:
            donut = px.pie(held, names="symbol", values="market value", hole=0.55, title="Allocation")
            left.plotly_chart(donut.update_layout(margin={"t": 40, "b": 10}, height=300), width="stretch")
        with right:
            value_over_time(ledger)
    else:
        st.info("No transactions yet: add your first buy below.")
    editor(ledger, known)


page()
