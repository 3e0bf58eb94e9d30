"""The portfolio domain: the transactions users enter on the dashboard."""

from __future__ import annotations

import dagster as dg

portfolio_transactions = dg.AssetSpec(
    "portfolio_transactions",
    group_name="portfolio",
    kinds={"snowflake"},
    description=(
        "PORTFOLIO.TRANSACTIONS: the buy and sell transactions users add, edit and delete on the "
        "dashboard's Portfolio page. Written by the dashboard, not by Dagster; positions and P/L are "
        "computed from it by the average-cost ledger (crypto_platform/portfolio/ledger.py)."
    ),
)
