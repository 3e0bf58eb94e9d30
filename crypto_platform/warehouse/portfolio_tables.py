"""PORTFOLIO.TRANSACTIONS: reading the ledger and changing it, each change validated against the
whole ledger (see crypto_platform/portfolio/ledger.py) inside the transaction that writes it."""

from __future__ import annotations

import dataclasses

from snowflake.connector import SnowflakeConnection

from crypto_platform.portfolio.ledger import Transaction, entered, with_change
from crypto_platform.warehouse.connection import transaction
from crypto_platform.warehouse.sql import bind, query


def transactions(conn: SnowflakeConnection) -> dict[str, Transaction]:
    with conn.cursor() as cur:
        cur.execute(query("portfolio_select"))
        return {row[0]: Transaction(*row) for row in cur.fetchall()}


def change(
    conn: SnowflakeConnection, *, upsert: Transaction | None = None, delete: str | None = None
) -> None:
    """Add or replace `upsert`, or remove the transaction `delete`. Raises LedgerError, writing
    nothing, if the ledger would then sell more of a coin than it holds."""
    with transaction(conn) as cur:
        ledger = transactions(conn)
        upsert = upsert and entered(ledger, upsert)
        with_change(ledger, upsert=upsert, delete=delete)
        if delete is not None:
            cur.execute(*bind(query("portfolio_delete"), {"id": delete}))
        if upsert is not None:
            statement = "portfolio_update" if upsert.id in ledger else "portfolio_insert"
            cur.execute(*bind(query(statement), dataclasses.asdict(upsert)))
