"""The portfolio ledger check against the real warehouse: it passes on what the dashboard writes and
fails on a ledger changed by hand so that a sell exceeds what was held."""

from __future__ import annotations

from datetime import datetime

import dagster as dg
import pytest

from crypto_platform.defs.portfolio.assets import portfolio_transactions
from crypto_platform.defs.portfolio.checks import portfolio_ledger_consistent
from crypto_platform.defs.resources import snowflake_resource
from crypto_platform.portfolio.ledger import transaction
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, portfolio_tables, run_query

pytestmark = pytest.mark.stack


def evaluate(settings: Settings) -> dg.AssetCheckEvaluation:
    result = dg.materialize(
        [portfolio_transactions, portfolio_ledger_consistent],
        resources={"snowflake": snowflake_resource(settings)},
        selection=dg.AssetSelection.checks(portfolio_ledger_consistent),
    )
    return result.get_asset_check_evaluations()[0]


def test_the_ledger_check_passes_then_fails_on_a_hand_made_oversell(fresh: Settings) -> None:
    with connect(fresh) as conn:
        for id, side, qty, hour in (("a", "buy", "2", 1), ("b", "sell", "1", 2)):
            tx = transaction(id, "BTC-USD", side, qty, "90000", "0", datetime(2026, 1, 1, hour), ["BTC-USD"])
            portfolio_tables.change(conn, upsert=tx)
    passed = evaluate(fresh)
    assert passed.passed and passed.metadata["symbols_held"].value == 1
    with connect(fresh) as conn:
        run_query(conn, "UPDATE PORTFOLIO.TRANSACTIONS SET QUANTITY = 3 WHERE ID = 'b'")
    failed = evaluate(fresh)
    assert not failed.passed and "Cannot sell 3 BTC-USD" in failed.description
