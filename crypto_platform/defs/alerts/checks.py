"""The checks side of alerting: price alerts from the alerts file as asset checks on
`latest_prices` (each fails, with WARN severity, while its symbol's last price is beyond the
threshold), the check keys that alert rules may name, and the schedule that runs checks."""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.alerts.config import PriceAlert
from crypto_platform.warehouse.sql import bind, query


def price_alert_check(alert: PriceAlert) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset="latest_prices", name=alert.check_name, description=f"Alert: {alert.describe()}.")
    def _check(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
        with snowflake.get_connection() as conn, conn.cursor() as cur:
            cur.execute(*bind(query("price_alert_latest"), {"symbol": alert.symbol}))
            row = cur.fetchone()
        if row is None:
            return dg.AssetCheckResult(passed=True, description=f"No price for {alert.symbol} yet.")
        price, trade_ts = row
        crossed = alert.crossed(price)
        return dg.AssetCheckResult(
            passed=not crossed,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{alert.symbol} is {price:,.2f}: {'' if crossed else 'not '}{alert.threshold}.",
            metadata={"price": float(price), "trade_ts": str(trade_ts)},
        )

    return _check


def check_groups(
    assets: Sequence[dg.AssetsDefinition | dg.AssetSpec], checks: Sequence[dg.AssetChecksDefinition]
) -> dict[str, str | None]:
    """Every "asset:check" key of the code location (checks defined apart or on an asset) with the
    group of its asset: what alert rules may name."""
    groups: dict[dg.AssetKey, str | None] = {}
    keys: list[dg.AssetCheckKey] = []
    for asset in assets:
        if isinstance(asset, dg.AssetSpec):
            groups[asset.key] = asset.group_name
        else:
            groups.update(asset.group_names_by_key)
            keys += asset.check_keys
    keys += [key for c in checks for key in c.check_keys]
    return {f"{k.asset_key.to_user_string()}:{k.name}": groups.get(k.asset_key) for k in keys}


def checks_schedule(checks: Sequence[dg.AssetChecksDefinition], cron: str) -> dg.ScheduleDefinition:
    """Runs the checks on their own, so they (and their alerts) keep up while `load --follow`
    materializes `raw_trades` without running them."""
    job = dg.define_asset_job(
        "checks_job",
        selection=dg.AssetSelection.checks(*checks),
        description="Run the checks of the prices and portfolio domains and the price alerts.",
    )
    return dg.ScheduleDefinition(
        name="checks_schedule", job=job, cron_schedule=cron, default_status=dg.DefaultScheduleStatus.RUNNING
    )
