"""What the platform reports to Dagster outside runs: `load --follow` reports raw_trades and every
table its batch transactions keep, `up` reports the views it (re)creates."""

from __future__ import annotations

from crypto_platform.definitions import defs
from crypto_platform.defs.prices.assets import VIEWS, views_created
from crypto_platform.prices.loader.follower import materializations
from crypto_platform.prices.loader.trades_loader import LoadReport


def test_the_follower_reports_raw_trades_and_the_tables_its_transactions_keep() -> None:
    report = LoadReport(rows=120, batches=2, next_offsets={0: 120}, end_offsets={0: 125})
    events = materializations(report)
    assert set(events) == {"raw_trades", "ohlcv", "market_state"}
    assert {key.to_user_string() for key in defs.resolve_asset_graph().get_all_asset_keys()} >= set(events)
    assert events["raw_trades"]["rows_loaded"] == 120
    assert events["raw_trades"]["lag_left"] == 5
    assert events["ohlcv"]["trades_loaded"] == 120


def test_up_reports_every_view_as_created() -> None:
    created = {m.asset_key.to_user_string() for m in views_created()}
    assert created == {"core_trades", "latest_prices", "market_stats_24h"} == {v.name for v in VIEWS}
