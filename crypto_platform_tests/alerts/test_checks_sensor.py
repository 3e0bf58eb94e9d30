"""checks_sensor runs the checks in its own evaluation, no run started, and records what they found."""

from __future__ import annotations

import dagster as dg
import pytest

from crypto_platform.defs.alerts.checks import checks_sensor
from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.defs.prices.checks import raw_trades_fresh, raw_trades_valid_prices
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade

pytestmark = pytest.mark.stack


def test_every_check_is_recorded_and_one_that_cannot_run_fails_saying_why(fresh: Settings) -> None:
    produce(fresh, [trade("BTC-USD", "95000", "1", T0)])  # a trade from long ago: not fresh
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    instance = dg.DagsterInstance.ephemeral()
    sensor = checks_sensor([raw_trades_fresh, raw_trades_valid_prices], 300)
    context = dg.build_sensor_context(instance=instance, resources=resources(fresh))
    found = {e.check_name: e for e in sensor.evaluate_tick(context).asset_events}
    assert (found["raw_trades_fresh"].passed, found["raw_trades_fresh"].severity) == (
        False,
        dg.AssetCheckSeverity.WARN,
    )
    assert found["raw_trades_valid_prices"].passed
    assert instance.get_runs() == []

    with connect(fresh) as conn:
        run_query(conn, "DROP TABLE RAW.TRADES")
    found = {e.check_name: e for e in sensor.evaluate_tick(context).asset_events}
    assert not found["raw_trades_valid_prices"].passed
    assert found["raw_trades_valid_prices"].description.startswith("could not run: ProgrammingError")
