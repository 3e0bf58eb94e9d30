"""The code location: every definition under `crypto_platform/defs/` (Dagster's `dg` project
layout: one folder per domain), and what the alerts file asks for on top of them: a check per price
alert, the sensor that runs the scheduled checks, and the sensors that send alerts.

The alerts file is validated here, against every check the location defines: a rule that names
what does not exist raises AlertsConfigError, which the Dagster UI (and `dg check defs`) shows as
the location's load error; an alerts file it accepts always loads.
"""

from __future__ import annotations

import dagster as dg

from crypto_platform.alerts import config as alerts
from crypto_platform.alerts.config import AlertsConfig
from crypto_platform.defs.alerts.checks import check_groups, checks_sensor, price_alert_check
from crypto_platform.defs.alerts.sensors import build_check_alert_sensor, build_run_failure_sensor
from crypto_platform.defs.portfolio.checks import checks as portfolio_checks
from crypto_platform.defs.prices.checks import checks as price_checks
from crypto_platform.defs.structure import SETTINGS
from crypto_platform.settings import PROJECT_ROOT


def build(alerts_config: AlertsConfig) -> tuple[dg.Definitions, dict[str, str | None]]:
    """The code location for `alerts_config`, and its check keys ("asset:check" -> group). Raises
    AlertsConfigError when the alerts file names what does not exist."""
    found = dg.load_from_defs_folder(path_within_project=PROJECT_ROOT)
    check_keys = check_groups(found, alerts_config.price_alerts)
    alerts_config.validate_against(check_keys)
    price_alert_checks = [price_alert_check(p) for p in alerts_config.price_alerts]
    scheduled_checks = [*price_checks, *portfolio_checks, *price_alert_checks]
    defs = dg.Definitions.merge(
        found,
        dg.Definitions(
            asset_checks=price_alert_checks,
            sensors=[
                checks_sensor(scheduled_checks, SETTINGS.checks_interval_seconds),
                build_check_alert_sensor(alerts_config, check_keys, SETTINGS.dagster_ui),
                build_run_failure_sensor(alerts_config, SETTINGS.dagster_ui),
            ],
            # Steps run one after another in the run's own process: a subprocess per step (the
            # default) spent 5-7 s importing the code location for each, most of a news backfill's time.
            executor=dg.in_process_executor,
        ),
    )
    return defs, check_keys


alerts_config = alerts.load(SETTINGS.alerts_file)
defs, check_keys = build(alerts_config)
