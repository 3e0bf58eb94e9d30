"""The code location: one `Definitions` object for every domain."""

from __future__ import annotations

import dagster as dg

from crypto_platform.alerts import config as alerts
from crypto_platform.alerts.config import AlertsConfig
from crypto_platform.defs.alerts.checks import check_groups, checks_sensor, price_alert_check
from crypto_platform.defs.alerts.sensors import build_check_alert_sensor, build_run_failure_sensor
from crypto_platform.defs.news.assets import news, news_landing, raw_news
from crypto_platform.defs.news.checks import checks as news_checks
from crypto_platform.defs.news.sensors import (
    news_arrival_sensor,
    news_daily_schedule,
    news_first_start_sensor,
    news_job,
    news_landing_job,
    news_load_job,
)
from crypto_platform.defs.portfolio.assets import portfolio_transactions
from crypto_platform.defs.portfolio.checks import checks as portfolio_checks
from crypto_platform.defs.prices.assets import crypto_trades_topic, processed_assets, raw_trades
from crypto_platform.defs.prices.checks import checks as price_checks
from crypto_platform.defs.prices.checks import progress_checks
from crypto_platform.defs.prices.resources import kafka_resource
from crypto_platform.defs.prices.sensors import kafka_lag_sensor, raw_trades_job
from crypto_platform.defs.resources import s3_resource, snowflake_resource
from crypto_platform.settings import Settings, get_settings

ASSETS = [
    crypto_trades_topic,
    raw_trades,
    *processed_assets,
    news_landing,
    raw_news,
    news,
    portfolio_transactions,
]


def build(settings: Settings, alerts_config: AlertsConfig) -> tuple[dg.Definitions, dict[str, str | None]]:
    """The code location for `alerts_config`, and its check keys ("asset:check" -> group). Raises
    AlertsConfigError when the alerts file names what does not exist: the code location then shows
    why in the Dagster UI; an alerts file it accepts always loads."""
    price_alert_checks = [price_alert_check(p) for p in alerts_config.price_alerts]
    scheduled_checks = [*price_checks, *portfolio_checks, *price_alert_checks]
    asset_checks = [*scheduled_checks, *news_checks, *progress_checks]  # progress: by kafka_lag_sensor
    check_keys = check_groups(ASSETS, asset_checks)
    alerts_config.validate_against(check_keys)
    defs = dg.Definitions(
        assets=ASSETS,
        asset_checks=asset_checks,
        jobs=[raw_trades_job, news_landing_job, news_load_job, news_job],
        schedules=[news_daily_schedule],
        sensors=[
            kafka_lag_sensor,
            checks_sensor(scheduled_checks, settings.checks_interval_seconds),
            news_arrival_sensor,
            news_first_start_sensor,
            build_check_alert_sensor(alerts_config, check_keys, settings),
            build_run_failure_sensor(alerts_config, settings),
        ],
        # Steps run one after another in the run's own process: a subprocess per step (the default)
        # spent 5-7 s importing the code location for each step, most of a news backfill's time.
        executor=dg.in_process_executor,
        resources={
            "snowflake": snowflake_resource(settings),
            "s3": s3_resource(settings),
            "kafka": kafka_resource(settings),
        },
    )
    return defs, check_keys


settings = get_settings()
alerts_config = alerts.load(settings.alerts_file)
defs, check_keys = build(settings, alerts_config)
