"""The Kafka lag sensor: requests a `raw_trades` run when the loader falls behind, and keeps watch
on the producer's, its feeds' and the loader's progress (the checks `producer_progress`,
`<feed>_feed_progress` and `loader_progress`); the trade gaps sensor: requests the repair of each
feed's gaps."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.prices.assets import REPAIR_WINDOW, REPAIRABLE_FEEDS, raw_trades, trade_gap_repairs
from crypto_platform.defs.prices.checks import (
    feed_checks,
    feeds_health,
    loader_progress,
    loader_state,
    producer_progress,
    raw_trades_unique_offsets,
    raw_trades_valid_prices,
    seconds_since_newest,
)
from crypto_platform.defs.prices.resources import KafkaResource, LoaderResource, ProducerResource
from crypto_platform.defs.runs import IN_FLIGHT
from crypto_platform.prices.health import DataHealth, loader_health_from_data, producer_health_from_data
from crypto_platform.prices.loader.lag import Lag
from crypto_platform.prices.repair import NO_HISTORY
from crypto_platform.warehouse.gap_tables import gaps, settle

raw_trades_job = dg.define_asset_job(
    "raw_trades_job",
    selection=dg.AssetSelection.assets(raw_trades).without_checks()
    | dg.AssetSelection.checks(raw_trades_unique_offsets, raw_trades_valid_prices),
    description="Load RAW.TRADES up to the current end of the topic, with its blocking checks.",
)


@dataclass(frozen=True)
class Decision:
    request: bool
    reason: str
    cursor: dict


def decide(
    lag: Lag, stored: dict[int, int], cursor: dict, in_flight: bool, limits: LoaderResource, now: float
) -> Decision:
    """Request a run once per breach: not while a run is in flight, and not again while the stored
    offsets have not moved since the last request (unless that request is `lag_retry_seconds` old)."""
    age = lag.oldest_age_seconds(int(now * 1000))
    if lag.total <= limits.lag_max_messages and age <= limits.lag_max_age_seconds:
        return Decision(False, f"lag {lag.total} messages, oldest {age:.0f}s: within limits", {})
    offsets = {str(p): o for p, o in sorted(stored.items())}
    if in_flight:
        return Decision(False, "over the limits, but a raw_trades run is in flight", cursor)
    same_breach = cursor.get("offsets") == offsets
    if same_breach and now - cursor.get("requested_at", 0) < limits.lag_retry_seconds:
        return Decision(False, "over the limits; already requested a run for this position", cursor)
    reason = f"lag {lag.total} messages (limit {limits.lag_max_messages}), oldest {age:.0f}s"
    return Decision(True, reason, {"offsets": offsets, "requested_at": now})


@dg.sensor(job=raw_trades_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def kafka_lag_sensor(
    context: dg.SensorEvaluationContext,
    snowflake: SnowflakeResource,
    kafka: KafkaResource,
    loader: LoaderResource,
    producer: ProducerResource,
) -> dg.SensorResult:
    """Compares the topic's high watermarks with the offsets the warehouse holds (no consumer group
    is joined) and records the lag as an observation of `raw_trades`; judges from the same data
    whether the producer and the loader progress, and records a change in their checks."""
    stored, lag, offsets_age = loader_state(snowflake, kafka)
    data_health = {
        loader_progress.check_key: loader_health_from_data(lag.total, offsets_age, loader.stall_seconds),
        producer_progress.check_key: producer_health_from_data(
            seconds_since_newest(lag), producer.stall_seconds
        ),
    }
    for feed, health in feeds_health(snowflake, list(feed_checks), producer.stall_seconds).items():
        data_health[feed_checks[feed].check_key] = health
    in_flight = bool(
        context.instance.get_run_ids(dg.RunsFilter(job_name=raw_trades_job.name, statuses=IN_FLIGHT), limit=1)
    )
    now = time.time()
    decision = decide(lag, stored, json.loads(context.cursor or "{}"), in_flight, loader, now)
    observation = dg.AssetObservation(
        asset_key=raw_trades.key,
        metadata={
            "lag": dg.MetadataValue.int(lag.total),
            "lag_per_partition": dg.MetadataValue.json(
                {str(p): n for p, n in sorted(lag.per_partition.items())}
            ),
            "oldest_unloaded_age_seconds": dg.MetadataValue.float(round(lag.oldest_age_seconds(), 1)),
        },
    )
    run_requests = []
    if decision.request:
        run_key = f"lag-{json.dumps(decision.cursor['offsets'], sort_keys=True)}-{int(now)}"
        run_requests.append(dg.RunRequest(run_key=run_key, tags={"crypto_platform/reason": decision.reason}))
    context.log.info(decision.reason)
    return dg.SensorResult(
        run_requests=run_requests,
        skip_reason=None if run_requests else decision.reason,
        cursor=json.dumps(decision.cursor),
        asset_events=[observation, *watch(context.instance, data_health)],
    )


def watch(
    instance: dg.DagsterInstance, data_health: dict[dg.AssetCheckKey, DataHealth]
) -> list[dg.AssetCheckEvaluation]:
    """Evaluations to record: a check never evaluated; a failure the data shows while the check
    passes (the worker cannot say it: it died or hangs); a recovery from a failure recorded from
    the data. A failure the worker recorded itself, with its reason, stays until the worker says
    otherwise."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(list(data_health))
    events = []
    for key, health in data_health.items():
        record = latest.get(key)
        evaluation = record.evaluation if record is not None else None
        if evaluation is None:
            recorded_passed, from_data = None, False
        else:
            recorded_passed = evaluation.passed
            source = evaluation.metadata.get("source")
            from_data = source is not None and source.value == "data"
        if recorded_passed is None or (health.passed != recorded_passed and (not health.passed or from_data)):
            events.append(
                dg.AssetCheckEvaluation(
                    asset_key=key.asset_key,
                    check_name=key.name,
                    passed=health.passed,
                    description=health.description,
                    metadata=health.metadata,
                    severity=dg.AssetCheckSeverity.ERROR,
                )
            )
    return events


trade_gap_repairs_job = dg.define_asset_job(
    "trade_gap_repairs_job",
    selection=[trade_gap_repairs],
    partitions_def=REPAIRABLE_FEEDS,
    description="Repair one feed's open gaps from its trade history.",
)
GAP_RETRY_SECONDS = 300.0
"""The same open gaps are asked to be repaired again after this long (a run that failed left them)."""


@dg.sensor(
    job=trade_gap_repairs_job, minimum_interval_seconds=15, default_status=dg.DefaultSensorStatus.RUNNING
)
def trade_gaps_sensor(context: dg.SensorEvaluationContext, snowflake: SnowflakeResource) -> dg.SensorResult:
    """Watches OPS.TRADE_GAPS: requests a `trade_gap_repairs` run for each feed with open gaps (not
    while one of that feed is in flight; for the same gaps again after GAP_RETRY_SECONDS), and settles
    the gaps of feeds without a trade history (Finnhub) as unrepairable, saying so."""
    with snowflake.get_connection() as conn:
        found = gaps(conn, datetime.now(UTC) - REPAIR_WINDOW, state="open")
        without = [g for g in found if g.source not in REPAIRABLE_FEEDS.get_partition_keys()]
        settle(conn, [(g.gap_id, "unrepairable", None, f"{g.source}: {NO_HISTORY}") for g in without])
    cursor, now, requests = json.loads(context.cursor or "{}"), time.time(), []
    for feed in sorted({g.source for g in found} & set(REPAIRABLE_FEEDS.get_partition_keys())):
        ids = sorted(g.gap_id for g in found if g.source == feed)
        asked = cursor.get(feed, {})
        in_flight = context.instance.get_run_ids(
            dg.RunsFilter(
                job_name=trade_gap_repairs_job.name, statuses=IN_FLIGHT, tags={"dagster/partition": feed}
            ),
            limit=1,
        )
        if in_flight or (asked.get("gaps") == ids and now - asked.get("at", 0) < GAP_RETRY_SECONDS):
            continue
        cursor[feed] = {"gaps": ids, "at": now}
        requests.append(
            dg.RunRequest(partition_key=feed, tags={"crypto_platform/reason": f"{len(ids)} open gap(s)"})
        )
    reason = f"{len(found)} open gap(s), {len(without)} without a history settled unrepairable"
    return dg.SensorResult(
        run_requests=requests, skip_reason=None if requests else reason, cursor=json.dumps(cursor)
    )
