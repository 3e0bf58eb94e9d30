"""The checks side of alerting: price alerts from the alerts file as asset checks on
`latest_prices` (each fails, with WARN severity, while its symbol's last price is beyond the
threshold), the check keys that alert rules may name, and the sensor that runs checks."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.alerts.config import PriceAlert
from crypto_platform.common.price_format import price_text
from crypto_platform.warehouse.sql import bind, query

PRICE_ALERT_ASSET = "latest_prices"


def price_alert_check(alert: PriceAlert, now: Callable[[], float] = time.time) -> dg.AssetChecksDefinition:
    """The check of one price alert. With no price for its symbol at all it passes for the alert's
    `no_price_minutes` from the first evaluation without one in this process (the checks sensor's
    code server, which lives as long as the code location), then fails (WARN) saying since when: an
    alert on a symbol the feeds never bring must not pass forever. `now`: epoch seconds."""
    first_without_price: list[float] = []  # when the symbol was first seen without a price

    @dg.asset_check(asset=PRICE_ALERT_ASSET, name=alert.check_name, description=f"Alert: {alert.describe()}.")
    def _check(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
        with snowflake.get_connection() as conn, conn.cursor() as cur:
            cur.execute(*bind(query("price_alert_latest"), {"symbol": alert.symbol}))
            row = cur.fetchone()
        if row is None:
            if not first_without_price:
                first_without_price.append(now())
            since = first_without_price[0]
            return dg.AssetCheckResult(
                passed=now() - since < alert.no_price_minutes * 60,
                severity=dg.AssetCheckSeverity.WARN,
                description=f"No price for {alert.symbol} since {utc_text(since)}.",
            )
        first_without_price.clear()
        price, trade_ts = row
        crossed = alert.crossed(price)
        side = alert.threshold if crossed else f"not {alert.threshold}"
        return dg.AssetCheckResult(
            passed=not crossed,
            severity=dg.AssetCheckSeverity.WARN,
            description=f"{alert.symbol} is {price_text(price)}: {side}.",
            metadata={"price": float(price), "trade_ts": str(trade_ts)},
        )

    return _check


def utc_text(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def check_groups(defs: dg.Definitions, price_alerts: Sequence[PriceAlert]) -> dict[str, str | None]:
    """Every "asset:check" key of `defs` (checks defined apart or on an asset) and of the checks the
    price alerts will make, with the group of its asset: what alert rules may name. Taken before
    the price alerts' checks exist, so that two alerts making one check are refused by name."""
    graph = defs.resolve_asset_graph()
    keys = [
        *graph.asset_check_keys,
        *(dg.AssetCheckKey(dg.AssetKey(PRICE_ALERT_ASSET), p.check_name) for p in price_alerts),
    ]
    return {
        f"{key.asset_key.to_user_string()}:{key.name}": graph.get(key.asset_key).group_name for key in keys
    }


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
        required_resource_keys=set().union(*(resource_keys(check) for check in checks)),
        description="Runs the checks of the prices and portfolio domains and the price alerts.",
    )
    def checks_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
        evaluations = [_evaluate(check, context.resources) for check in checks]
        failed = [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations if not e.passed]
        context.log.info(f"{len(evaluations)} checks run; failed: {', '.join(failed) or 'none'}")
        return dg.SensorResult(asset_events=evaluations)

    return checks_sensor


def resource_keys(check: dg.AssetChecksDefinition) -> set[str]:
    """The resources `check` takes: its required keys but the IO manager, which a check run in the
    sensor's evaluation never uses (no asset value is loaded into it)."""
    return set(check.required_resource_keys) - {"io_manager"}


def _evaluate(check: dg.AssetChecksDefinition, resources: Any) -> dg.AssetCheckEvaluation:
    """Run `check` with the resources it names, from the sensor's `resources`."""
    key = check.check_key
    try:
        result = check(**{name: getattr(resources, name) for name in resource_keys(check)})
    except Exception as exc:  # the warehouse away, say: the check could not say anything
        result = dg.AssetCheckResult(passed=False, description=f"could not run: {type(exc).__name__}: {exc}")
    return dg.AssetCheckEvaluation(
        asset_key=key.asset_key, check_name=key.name, passed=result.passed, metadata=result.metadata,
        severity=result.severity, description=result.description,
    )  # fmt: skip
