"""The portfolio ledger's check: the dashboard refuses a change that breaks it, so a failure means
the table was changed some other way (by hand in SQL, or by another tool)."""

from __future__ import annotations

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.portfolio.ledger import LedgerError, positions
from crypto_platform.warehouse.portfolio_tables import transactions


@dg.asset_check(asset="portfolio_transactions", description="No sell exceeds what is held at its time.")
def portfolio_ledger_consistent(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
    with snowflake.get_connection() as conn:
        ledger = transactions(conn)
    try:
        held = positions(ledger.values())
    except LedgerError as exc:
        return dg.AssetCheckResult(passed=False, description=str(exc), metadata={"transactions": len(ledger)})
    return dg.AssetCheckResult(
        passed=True,
        metadata={"transactions": len(ledger), "symbols_held": sum(1 for p in held.values() if p.quantity)},
    )


checks = [portfolio_ledger_consistent]
