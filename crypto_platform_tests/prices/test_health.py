"""Healthy means progressing: a loader kept failing is said to be failing, with the reason and since
when, by `crypto-platform status`, the dashboard's Pipeline page and Dagster, and an alert goes out."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import dagster as dg
import pytest

from crypto_platform.alerts.config import parse
from crypto_platform.defs.alerts.sensors import build_check_alert_sensor
from crypto_platform.local import stack
from crypto_platform.local.process import wait_until
from crypto_platform.local.workers import LoaderWorker
from crypto_platform.prices.health import read_health
from crypto_platform.settings import PROJECT_ROOT, Settings
from crypto_platform.warehouse import connect, run_query
from crypto_platform_tests.alerts.receiver import Receiver, receiver
from crypto_platform_tests.local.helpers import wait_all_healthy
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade
from crypto_platform_tests.streamlit_app.helpers import run_app

pytestmark = pytest.mark.stack

ALERTS = """
channels: {hook: {type: webhook, url_env: TEST_ALERTS_WEBHOOK}}
rules: [{name: loader, checks: ["raw_trades:loader_progress"], outcomes: [failed_error], channels: [hook]}]
"""
LOADER_PROGRESS = dg.AssetCheckKey(dg.AssetKey("raw_trades"), "loader_progress")


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    with receiver() as found:
        monkeypatch.setenv("TEST_ALERTS_WEBHOOK", f"{found.url}/hook")
        yield found


def _env(settings: Settings) -> dict[str, str]:
    return {
        "CRYPTO_PLATFORM_HOME": str(settings.home),
        "KAFKA_TOPIC_TRADES": settings.kafka_topic_trades,
        "SNOWFLAKE_DATABASE": settings.snowflake_database,
        "LOADER_REPORT_INTERVAL": "1",
        "LOADER_FOLLOW_INTERVAL": "0.2",
    }


def test_a_loader_kept_failing_is_said_by_status_the_pipeline_page_dagster_and_an_alert(
    local_stack: Settings, fresh: Settings, tmp_path: Path, hook: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stack's own loader steady (it reports to the same Dagster check), also after a test before
    # restarted Kafka under it (its retries back off up to 30 s).
    wait_all_healthy(local_stack, timeout=120)
    produce(fresh, [trade("BTC-USD", "95000", "0.1", T0 + i) for i in range(10)])
    with connect(fresh) as conn:
        run_query(conn, "DROP TABLE RAW.TRADES")  # the warehouse now refuses every batch
    settings = fresh.model_copy(update={"home": tmp_path})
    loader = LoaderWorker(settings)
    loader.process.start(loader.command(), {**loader.env(), **_env(settings)}, cwd=PROJECT_ROOT)
    try:
        assert wait_until(lambda: (read_health(loader.status_file) or {}).get("state") == "failing", 90)

        [status] = [s for s in stack.status(settings) if s.name == "loader"]
        assert status.state == "failing"
        assert status.detail.startswith("failing since ") and "TRADES does not exist" in status.detail
        cli = subprocess.run(
            [sys.executable, "-m", "crypto_platform.cli", "status"],
            env={**os.environ, **_env(settings)}, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert cli.returncode == 1
        assert "loader: failing since " in cli.stdout

        monkeypatch.setenv("CRYPTO_PLATFORM_HOME", str(tmp_path))
        app = run_app(monkeypatch, fresh)
        app.switch_page("views/pipeline.py").run()
        assert any(e.value.startswith("The loader is failing since ") for e in app.error), app.error

        instance = dg.DagsterInstance.from_config(str(fresh.dagster_home))  # the stack's, as the loader's
        storage = instance.event_log_storage

        def recorded_failing() -> bool:  # by this test's loader (the stack's own reports there too)
            record = storage.get_latest_asset_check_execution_by_key([LOADER_PROGRESS]).get(LOADER_PROGRESS)
            if record is None or record.evaluation is None or record.evaluation.passed:
                return False
            description = record.evaluation.metadata.get("description")
            return description is not None and "TRADES does not exist" in str(description.value)

        assert wait_until(recorded_failing, 30)
        alert_config = parse(ALERTS).validate_against({LOADER_PROGRESS.to_user_string(): "prices"})
        keys = {LOADER_PROGRESS.to_user_string(): "prices"}
        sensor = build_check_alert_sensor(alert_config, keys, fresh.dagster_ui)
        sensor(dg.build_sensor_context(instance=instance, resources=resources(fresh)))
    finally:
        loader.process.stop()
    [alert] = hook.bodies
    assert (alert["kind"], alert["check"], alert["severity"]) == ("failure", "loader_progress", "ERROR")
    assert alert["message"].startswith("raw_trades:loader_progress failed (ERROR): failing since ")
