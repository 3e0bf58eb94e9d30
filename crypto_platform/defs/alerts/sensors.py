"""Alerts on asset checks and failed runs, for open-source Dagster where check alerting is not
built in: a sensor reads each watched check's new executions since its cursor and sends what the
rules of the alerts file ask for; a run failure sensor reports failed runs (a blocking check that
fails stops its run); a schedule runs the checks, since `load --follow` loads without them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping

import dagster as dg
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)
from dagster_snowflake import SnowflakeResource

from crypto_platform.alerts import episodes
from crypto_platform.alerts.alert import Alert
from crypto_platform.alerts.channels import send_all
from crypto_platform.alerts.config import AlertsConfig, Rule
from crypto_platform.clients.dagster_api import asset_url

HISTORY_LIMIT = 100
RUN_FAILED = (dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED)


def outcome(instance: dg.DagsterInstance, record: AssetCheckExecutionRecord) -> str:
    """passed, failed_warn, failed_error, errored (its run failed before it ended), skipped (its
    run succeeded without it), or pending (its run is still going)."""
    if record.status is AssetCheckExecutionRecordStatus.SUCCEEDED:
        return "passed"
    if record.status is AssetCheckExecutionRecordStatus.FAILED:
        severity = record.evaluation.severity if record.evaluation else dg.AssetCheckSeverity.ERROR
        return "failed_warn" if severity == dg.AssetCheckSeverity.WARN else "failed_error"
    run = instance.get_run_by_id(record.run_id)
    if run is None or run.status in RUN_FAILED:
        return "errored"
    return "skipped" if run.is_finished else "pending"


def new_executions(
    instance: dg.DagsterInstance, key: dg.AssetCheckKey, last_id: int | None
) -> Iterator[AssetCheckExecutionRecord]:
    """Executions after `last_id`, oldest first; on first sight of a check, only its latest."""
    history = instance.event_log_storage.get_asset_check_execution_history(key, limit=HISTORY_LIMIT)
    fresh = history[:1] if last_id is None else [r for r in history if r.id > last_id]
    yield from sorted(fresh, key=lambda r: r.id)


def check_alert(
    rule: Rule, event: str, key: str, result: str, record: AssetCheckExecutionRecord, ui: str
) -> Alert:
    asset, check = key.split(":", 1)
    evaluation = record.evaluation
    severity = result.removeprefix("failed_").upper() if result.startswith("failed_") else None
    if event == "recovery":
        message = f"{key} passes again"
    elif result == "errored":
        message = f"{key} could not run: its run {record.run_id[:8]} failed"
    else:
        message = f"{key} failed ({severity})"
    if described := evaluation and (evaluation.description or _text(evaluation.metadata.get("description"))):
        message += f": {described}"
    return Alert(
        rule=rule.name, kind=event, message=message, asset_key=asset, check_name=check,
        severity=severity,
        dagster_url=asset_url(ui, asset) + "?view=checks",
    )  # fmt: skip


def _text(value: dg.MetadataValue | None) -> str | None:
    """A text metadata value (what workers report through the REST API, which takes no description)."""
    return value.value if isinstance(value, dg.TextMetadataValue) else None


def build_check_alert_sensor(
    config: AlertsConfig, checks: Mapping[str, str | None], dagster_ui: str
) -> dg.SensorDefinition:
    """`checks` maps each "asset:check" key the code location defines to its asset's group;
    `dagster_ui` is the UI's address as users reach it, for the links in alerts."""
    all_rules = config.all_rules
    watched = {key: [r for r in all_rules if r.matches(key, group)] for key, group in checks.items()}
    watched = {key: rules for key, rules in watched.items() if rules}
    check_keys = {key: dg.AssetCheckKey.from_user_string(key) for key in watched}

    @dg.sensor(
        name="check_alert_sensor", minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING
    )
    def check_alert_sensor(
        context: dg.SensorEvaluationContext, snowflake: SnowflakeResource
    ) -> dg.SkipReason:
        """Sends an alert once per failure episode of each watched check, and one on recovery,
        to the channels its rules name (see the alerts file)."""

        def announce(rule: Rule, event: str, key: str, result: str, record: AssetCheckExecutionRecord) -> str:
            alert = check_alert(rule, event, key, result, record, dagster_ui)
            results = send_all(config.channels, rule.channels, alert, snowflake.get_connection)
            context.log.info("%s %s via %s: %s", event, key, rule.name, results)
            return f"{event} of {key} ({rule.name})"

        cursor = json.loads(context.cursor or "{}")
        last_ids, states = cursor.setdefault("last_ids", {}), cursor.setdefault("episodes", {})
        sent = []
        # One query for every watched check's latest execution; a check's history is read only when
        # something is newer than what the cursor has seen.
        storage = context.instance.event_log_storage
        latest = storage.get_latest_asset_check_execution_by_key(list(check_keys.values()))
        for key, rules in watched.items():
            newest = latest.get(check_keys[key])
            if newest is None or newest.id <= last_ids.get(key, -1):
                continue
            for record in new_executions(context.instance, check_keys[key], last_ids.get(key)):
                result = outcome(context.instance, record)
                if result == "pending":
                    break
                last_ids[key] = record.id
                for rule in rules:
                    if result not in (*rule.outcomes, "passed"):
                        continue
                    state_key = f"{rule.name}|{key}"
                    states[state_key], event = episodes.step(
                        states.get(state_key, {}), result != "passed", rule.quiet_seconds, time.time(),
                        rule.repeat_seconds,
                    )  # fmt: skip
                    if event:
                        sent.append(announce(rule, event, key, result, record))
        # Open episodes owed an announcement with no new evaluation: a quiet period that ended, or
        # a repeat interval that passed, while the check kept failing.
        for key, rules in watched.items():
            for rule in rules:
                state_key = f"{rule.name}|{key}"
                if episodes.due(
                    states.get(state_key, {}), rule.quiet_seconds, time.time(), rule.repeat_seconds
                ):
                    record = latest[check_keys[key]]
                    states[state_key], _ = episodes.step(
                        states[state_key], True, rule.quiet_seconds, time.time(), rule.repeat_seconds
                    )
                    sent.append(announce(rule, "failure", key, outcome(context.instance, record), record))
        context.update_cursor(json.dumps(cursor))
        return dg.SkipReason(f"sent: {'; '.join(sent)}" if sent else "nothing new to alert on")

    return check_alert_sensor


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    records = instance.all_logs(run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION)
    evaluations = [r.dagster_event.event_specific_data for r in records if r.dagster_event]
    return [f"{e.asset_key.to_user_string()}:{e.check_name}" for e in evaluations if not e.passed]


def build_run_failure_sensor(config: AlertsConfig, dagster_ui: str) -> dg.SensorDefinition:
    rules = [r for r in config.rules if r.run_failures]

    @dg.run_failure_sensor(
        name="run_failure_alert_sensor",
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
    )
    def run_failure_alert_sensor(context: dg.RunFailureSensorContext, snowflake: SnowflakeResource) -> None:
        """Sends an alert for every failed run to the rules with `run_failures: true`, naming the
        checks that failed in it (a failing blocking check stops the run)."""
        run = context.dagster_run
        reason = context.failure_event.message or "no reason given"
        message = f"run {run.run_id[:8]} of {run.job_name} failed: {reason}"
        if failed := failed_checks(context.instance, run.run_id):
            message += f"; failed checks: {', '.join(failed)}"
        for rule in rules:
            alert = Alert(
                rule=rule.name,
                kind="run_failure",
                message=message,
                dagster_url=f"{dagster_ui}/runs/{run.run_id}",
            )
            context.log.info(
                "run failure via %s: %s",
                rule.name,
                send_all(config.channels, rule.channels, alert, snowflake.get_connection),
            )

    return run_failure_alert_sensor
