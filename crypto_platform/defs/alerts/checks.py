"""The checks side of alerting: price alerts from the alerts file as asset checks on
`latest_prices` (each fails, with WARN severity, while its symbol's last price is beyond the
threshold), the check keys that alert rules may name, and the sensor that runs checks."""

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


def checks_sensor(checks: Sequence[dg.AssetChecksDefinition], interval_seconds: float) -> dg.SensorDefinition:
    """Runs `checks` on their own every `interval_seconds` (0: never), so they and their alerts keep
    up while `load --follow` materializes `raw_trades` without running them. They run inside the
    sensor's evaluation, in the code server that is already up, and are recorded as evaluations
    outside any run: a run would start a process and load the code location for a few queries (50
    to 75 s of CPU each time, measured). A check that cannot run is recorded as failed, saying why."""

    @dg.sensor(
        name="checks_sensor",
        minimum_interval_seconds=max(30, int(interval_seconds)),
        default_status=dg.DefaultSensorStatus.RUNNING if interval_seconds else dg.DefaultSensorStatus.STOPPED,
        description="Runs the checks of the prices and portfolio domains and the price alerts.",
    )
    def checks_sensor(context: dg.SensorEvaluationContext, snowflake: SnowflakeResource) -> dg.SensorResult:
        evaluations = [_evaluate(check, snowflake) for check in checks]
        failed = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations if not e.passed]
        context.log.info(f"{len(evaluations)} checks run; failed: {', '.join(failed) or 'none'}")
        return dg.SensorResult(asset_events=evaluations)

    return checks_sensor


def _evaluate(check: dg.AssetChecksDefinition, snowflake: SnowflakeResource) -> dg.AssetCheckEvaluation:
    key = check.check_key
    try:
        result = check(snowflake=snowflake)
    except Exception as exc:  # the warehouse away, say: the check could not say anything
        result = dg.AssetCheckResult(passed=False, description=f"could not run: {type(exc).__name__}: {exc}")
    return dg.AssetCheckEvaluation(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=result.passed,
        metadata=result.metadata,
        severity=result.severity,
        description=result.description,
    )
