"""Positions from a list of buy and sell transactions, by the average-cost method.

Replaying the whole ledger in time order is also how a change is validated: an added, edited or
deleted transaction is accepted only if every sell still finds enough of the coin held at its time.
Transactions at the same time replay in the order they were entered (`entry`), as the user typed
them: a sell entered before a buy at the same minute sells from what was held before both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from crypto_platform.common.numbers import NotStorable, exact_value, typed_number

SIDES = ["buy", "sell"]


def plain(value: Decimal) -> str:
    """A decimal as people write it: 1.5, not 1.500000000000 or 1.5E+1."""
    return f"{value.normalize():f}"


class LedgerError(ValueError):
    """A transaction or a change to the ledger that cannot be accepted; the message says why."""


@dataclass(frozen=True)
class Transaction:
    id: str
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal
    fee: Decimal
    trade_ts: datetime  # UTC, naive as stored
    entry: int | None = None  # the order it was entered in (ENTRY_SEQ); None until stored

    def describe(self) -> str:
        when = f"{self.trade_ts:%Y-%m-%d %H:%M}"
        return f"{when} {self.side} {plain(self.quantity)} {self.symbol} @ {plain(self.price)}"


@dataclass
class Position:
    symbol: str
    quantity: Decimal = Decimal(0)
    cost: Decimal = Decimal(0)  # cost basis of what is held, fees included
    realized: Decimal = Decimal(0)  # realized profit and loss, net of fees
    fees: Decimal = Decimal(0)

    @property
    def average_cost(self) -> Decimal | None:
        return self.cost / self.quantity if self.quantity else None


def number(text: str | Decimal | float, what: str, *, allow_zero: bool = False) -> Decimal:
    """Parse a user-entered amount by the one rule for typed numbers (`typed_number`: a point for
    decimals, commas only in a thousands grouping): positive (or zero if allowed), and held exactly
    by the warehouse's NUMBER(38,12) (never stored as a different number). Raises LedgerError."""
    try:
        value = typed_number(text, what)
        if value < 0 or (value == 0 and not allow_zero):
            raise LedgerError(f"The {what} must be {'zero or more' if allow_zero else 'more than zero'}.")
        return exact_value(value, what)
    except NotStorable as exc:
        raise LedgerError(str(exc)) from None


def transaction(
    id: str, symbol: str, side: str, quantity: str, price: str, fee: str, trade_ts: datetime,
    known_symbols: Iterable[str],
) -> Transaction:  # fmt: skip
    """Build a transaction from the user's input, refusing anything that is not well formed."""
    symbol = symbol.strip().upper()
    known = sorted(known_symbols)
    if symbol not in known:
        choices = ", ".join(known) or "none (no trades yet)"
        raise LedgerError(f"Unknown symbol {symbol!r}: choose one of {choices}.")
    if side not in SIDES:
        raise LedgerError(f"The side must be buy or sell, not {side!r}.")
    return Transaction(
        id, symbol, side, number(quantity, "quantity"), number(price, "price"),
        number(fee or "0", "fee", allow_zero=True), trade_ts,
    )  # fmt: skip


def replay_order(tx: Transaction) -> tuple:
    """Time, then the order of entry (one not stored yet comes last), then id."""
    return tx.trade_ts, tx.entry is None, tx.entry or 0, tx.id


def positions(transactions: Iterable[Transaction]) -> dict[str, Position]:
    """Replay the ledger in time order; raises LedgerError at the first sell of more than is held."""
    book: dict[str, Position] = {}
    for tx in sorted(transactions, key=replay_order):
        pos = book.setdefault(tx.symbol, Position(tx.symbol))
        pos.fees += tx.fee
        if tx.side == "buy":
            pos.quantity += tx.quantity
            pos.cost += tx.quantity * tx.price + tx.fee
            continue
        if tx.quantity > pos.quantity:
            raise LedgerError(
                f"Cannot sell {plain(tx.quantity)} {tx.symbol} on {tx.trade_ts:%Y-%m-%d %H:%M}: "
                f"only {plain(pos.quantity)} held then."
            )
        released = pos.cost * tx.quantity / pos.quantity
        pos.realized += tx.quantity * tx.price - tx.fee - released
        pos.cost -= released
        pos.quantity -= tx.quantity
    return book


def with_change(
    ledger: Mapping[str, Transaction], *, upsert: Transaction | None = None, delete: str | None = None
) -> dict[str, Position]:
    """Positions after adding or replacing `upsert` or removing `delete`; LedgerError if that would
    leave any sell uncovered."""
    changed = dict(ledger)
    if delete is not None:
        removed = changed.pop(delete, None)
        if removed is None:
            raise LedgerError("That transaction no longer exists.")
    if upsert is not None:
        changed[upsert.id] = upsert
    return positions(changed.values())


def entered(ledger: Mapping[str, Transaction], tx: Transaction) -> Transaction:
    """`tx` with its place in the order of entry: the one it had when it is an edit, else the next."""
    stored = ledger.get(tx.id)
    if stored is not None:
        return dataclasses.replace(tx, entry=stored.entry)
    return dataclasses.replace(tx, entry=max((t.entry or 0 for t in ledger.values()), default=0) + 1)
