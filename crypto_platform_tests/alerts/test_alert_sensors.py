"""The alert sensors against real checks on the local stack, with a local HTTP receiver standing
in for the webhook endpoint: one POST per failure episode, quiet repeats, a recovery, OPS.ALERTS
holding every alert, price alerts, and a run stopped by a blocking check."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from crypto_platform.alerts.config import AlertsConfig, parse
from crypto_platform.defs.alerts import sensors as alert_sensors
from crypto_platform.defs.alerts.checks import price_alert_check
from crypto_platform.defs.alerts.sensors import build_check_alert_sensor, build_run_failure_sensor
from crypto_platform.defs.prices.assets import processed_assets, raw_trades
from crypto_platform.defs.prices.checks import raw_trades_fresh, raw_trades_valid_prices
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.alerts.receiver import Receiver, receiver
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade

pytestmark = pytest.mark.stack

CONFIG = """
channels:
  hook: {type: webhook, url_env: TEST_ALERTS_WEBHOOK}
  table: {type: table}
rules:
  - {name: stale, checks: ["raw_trades:raw_trades_fresh"], outcomes: [failed_warn], channels: [hook, table],
     quiet_minutes: 60}
  - {name: runs, run_failures: true, channels: [hook]}
price_alerts:
  - {name: btc-100k, symbol: BTC-USD, above: 100000, channels: [hook]}
"""


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with receiver() as found:
        monkeypatch.setenv("TEST_ALERTS_WEBHOOK", f"{found.url}/hook")
        yield found


@pytest.fixture
def config() -> AlertsConfig:
    config = parse(CONFIG)
    keys = {"raw_trades:raw_trades_fresh": "prices", "latest_prices:price_alert_btc_100k": "prices"}
    return config.validate_against(keys)


class Sensor:
    """The check alert sensor as the daemon runs it: one tick at a time, its cursor kept."""

    def __init__(self, config: AlertsConfig, settings: Settings, instance: dg.DagsterInstance) -> None:
        keys = {"raw_trades:raw_trades_fresh": "prices", "latest_prices:price_alert_btc_100k": "prices"}
        self.sensor = build_check_alert_sensor(config, keys, settings.dagster_ui)
        self.instance, self.cursor, self.settings = instance, None, settings

    def tick(self) -> str:
        context = dg.build_sensor_context(
            instance=self.instance, cursor=self.cursor, resources=resources(self.settings)
        )
        result = self.sensor(context)
        self.cursor = context.cursor
        return result.skip_message


def run_freshness_check(settings: Settings, instance: dg.DagsterInstance, limit_seconds: int) -> bool:
    """Evaluate raw_trades_fresh against a limit that its (old) trades either meet or not."""
    limited = settings.model_copy(update={"trades_freshness_seconds": limit_seconds})
    result = dg.materialize(
        [raw_trades, raw_trades_fresh], resources=resources(limited), instance=instance,
        selection=dg.AssetSelection.checks(raw_trades_fresh),
    )  # fmt: skip
    return result.get_asset_check_evaluations()[0].passed


def stored_alerts(settings: Settings) -> list[tuple]:
    with connect(settings) as conn:
        sql = "SELECT RULE, KIND, ASSET_KEY, CHECK_NAME, SEVERITY FROM OPS.ALERTS ORDER BY RAISED_AT"
        return run_query(conn, sql).rows


def test_one_post_per_episode_quiet_repeats_and_a_recovery(
    fresh: Settings, hook: Receiver, config: AlertsConfig
) -> None:
    produce(fresh, [trade("BTC-USD", "95000", "1", T0)])  # a trade from long ago: stale
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([raw_trades], resources=resources(fresh), instance=instance).success
    sensor = Sensor(config, fresh, instance)
    assert sensor.tick() == "nothing new to alert on"

    assert not run_freshness_check(fresh, instance, 60)
    assert sensor.tick() == "sent: failure of raw_trades:raw_trades_fresh (stale)"
    [(path, body)] = hook.posts
    assert path == "/hook"
    fields = ("rule", "kind", "asset", "check", "severity")
    assert tuple(body[k] for k in fields) == ("stale", "failure", "raw_trades", "raw_trades_fresh", "WARN")
    assert body["dagster_url"] == f"{fresh.dagster_ui}/assets/raw_trades?view=checks"
    assert body["message"].startswith("raw_trades:raw_trades_fresh failed (WARN)")

    assert not run_freshness_check(fresh, instance, 60)  # the same episode: no second alert
    assert sensor.tick() == "nothing new to alert on" and len(hook.posts) == 1

    assert run_freshness_check(fresh, instance, 10**9)
    sensor.tick()
    assert [b["kind"] for b in hook.bodies] == ["failure", "recovery"]

    assert not run_freshness_check(fresh, instance, 60)  # fails again within the quiet period
    assert sensor.tick() == "nothing new to alert on" and len(hook.posts) == 2

    assert stored_alerts(fresh) == [
        ("stale", "failure", "raw_trades", "raw_trades_fresh", "WARN"),
        ("stale", "recovery", "raw_trades", "raw_trades_fresh", None),
    ]


def test_a_failure_still_open_after_the_quiet_period_is_announced_without_a_new_evaluation(
    fresh: Settings, hook: Receiver, config: AlertsConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fail, pass, fail again within the quiet period (60 minutes): the channel's last word used to
    stay "passes again" for as long as the check kept failing."""
    clock = [time.time()]
    monkeypatch.setattr(alert_sensors, "time", types.SimpleNamespace(time=lambda: clock[0]))
    produce(fresh, [trade("BTC-USD", "95000", "1", T0)])
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([raw_trades], resources=resources(fresh), instance=instance).success
    sensor = Sensor(config, fresh, instance)
    for fresh_enough in (False, True, False):
        assert run_freshness_check(fresh, instance, 10**9 if fresh_enough else 60) is fresh_enough
        sensor.tick()
    assert [b["kind"] for b in hook.bodies] == ["failure", "recovery"]
    clock[0] += 59 * 60
    assert sensor.tick() == "nothing new to alert on"
    clock[0] += 2 * 60
    assert sensor.tick() == "sent: failure of raw_trades:raw_trades_fresh (stale)"
    assert [b["kind"] for b in hook.bodies] == ["failure", "recovery", "failure"]
    assert sensor.tick() == "nothing new to alert on"


def test_a_price_alert_fires_when_the_price_crosses(
    fresh: Settings, hook: Receiver, config: AlertsConfig
) -> None:
    instance = dg.DagsterInstance.ephemeral()
    check = price_alert_check(config.price_alerts[0])
    sensor = Sensor(config, fresh, instance)
    now_ms = time.time_ns() // 1_000_000
    for price in ("99000", "100500.5"):
        produce(fresh, [trade("BTC-USD", price, "1", now_ms)])
        now_ms += 1000
        assets = [raw_trades, *processed_assets, check]
        assert dg.materialize(assets, resources=resources(fresh), instance=instance).success
        sensor.tick()
    [body] = hook.bodies
    assert (body["rule"], body["check"], body["severity"]) == (
        "price-btc-100k",
        "price_alert_btc_100k",
        "WARN",
    )
    assert "BTC-USD is 100,500.50: above 100,000" in body["message"]


def test_a_run_stopped_by_a_blocking_check_alerts(
    fresh: Settings, hook: Receiver, config: AlertsConfig
) -> None:
    produce(fresh, [trade("BTC-USD", "95000", "1", T0)])
    instance = dg.DagsterInstance.ephemeral()
    assert dg.materialize([raw_trades], resources=resources(fresh), instance=instance).success
    with connect(fresh) as conn:
        run_query(conn, "UPDATE RAW.TRADES SET PRICE = 0")  # data made to fail the blocking check
    result = dg.materialize(
        [raw_trades, raw_trades_valid_prices, *processed_assets], resources=resources(fresh),
        instance=instance, raise_on_error=False,
    )  # fmt: skip
    assert not result.success
    run = instance.get_run_by_id(result.run_id)
    failure = instance.get_records_for_run(result.run_id, of_type=dg.DagsterEventType.RUN_FAILURE).records[0]
    sensor = build_run_failure_sensor(config, fresh.dagster_ui)
    context = dg.build_run_status_sensor_context(
        sensor_name=sensor.name, dagster_event=failure.event_log_entry.dagster_event,
        dagster_instance=instance, dagster_run=run, resources=resources(fresh),
    )  # fmt: skip
    sensor(context.for_run_failure())
    [body] = hook.bodies
    assert (body["rule"], body["kind"]) == ("runs", "run_failure")
    assert "failed checks: raw_trades:raw_trades_valid_prices" in body["message"]
    assert body["dagster_url"] == f"{fresh.dagster_ui}/runs/{result.run_id}"


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "crypto_platform.cli", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


def test_alerts_test_sends_to_every_channel_and_a_bad_file_is_refused(
    fresh: Settings, hook: Receiver, tmp_path: Path
) -> None:
    good = tmp_path / "alerts.yaml"
    good.write_text(CONFIG.replace("btc-100k", "btc-test"))
    env = {**os.environ, "ALERTS_FILE": str(good), "SNOWFLAKE_DATABASE": fresh.snowflake_database}
    sent = cli("alerts", "test", env=env)
    assert sent.returncode == 0, sent.stderr
    assert {tuple(line.split()) for line in sent.stdout.splitlines()} >= {("hook", "sent"), ("table", "sent")}
    assert [b["kind"] for b in hook.bodies] == ["test"]
    assert [row[1] for row in stored_alerts(fresh)] == ["test"]

    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIG.replace("raw_trades:raw_trades_fresh", "raw_trades:no_such_check"))
    refused = cli("alerts", "test", env={**env, "ALERTS_FILE": str(bad)})
    assert refused.returncode == 1
    assert "rule 'stale': unknown check 'raw_trades:no_such_check'" in refused.stderr
    assert len(hook.posts) == 1
