"""The Pipeline page, driven by AppTest against the running local stack: Dagster's webserver for
assets and checks, the broker for lag, the workers' status files, OPS.ALERTS."""

from __future__ import annotations

import dataclasses
import socket

import dagster as dg
import pytest
from streamlit.testing.v1 import AppTest

from crypto_platform.alerts.alert import Alert
from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.defs.prices.checks import raw_trades_unique_offsets, raw_trades_valid_prices
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform.warehouse.alert_tables import record
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade
from crypto_platform_tests.streamlit_app.helpers import run_app

pytestmark = pytest.mark.stack


def open_pipeline(monkeypatch: pytest.MonkeyPatch, settings: Settings, **env: str) -> AppTest:
    monkeypatch.setenv("KAFKA_TOPIC_TRADES", settings.kafka_topic_trades)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = run_app(monkeypatch, settings)
    app.switch_page("views/pipeline.py").run()
    assert not app.exception, app.exception
    return app


def test_assets_checks_lag_counters_and_alerts(fresh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    produce(fresh, [trade("BTC-USD", "100", "1", T0 + i) for i in range(3)])
    instance = dg.DagsterInstance.from_config(str(fresh.dagster_home))  # the stack's own instance
    loaded = dg.materialize(
        [raw_trades, raw_trades_unique_offsets, raw_trades_valid_prices],
        resources=resources(fresh),
        instance=instance,
    )
    assert loaded.success
    produce(fresh, [trade("BTC-USD", "101", "1", T0 + 10 + i) for i in range(4)])  # left unloaded
    with connect(fresh) as conn:
        alert = Alert("prices-errors", "failure", "raw_trades_fresh failed", "raw_trades", "raw_trades_fresh")
        record(conn, dataclasses.asdict(alert))

    app = open_pipeline(monkeypatch, fresh)

    assets = app.dataframe[0].value.set_index("asset")
    assert assets.loc["raw_trades", "age"].endswith("s ago")
    assert assets.loc["raw_trades", "Dagster"] == f"{fresh.dagster_ui}/assets/raw_trades"
    assert assets.loc["news", "age"] == "never"
    assert assets.loc["core_trades", "age"] != "never"  # a view: reported created by `up`
    checks = app.dataframe[1].value.set_index("check")
    assert checks.loc["raw_trades_unique_offsets", "result"] == "succeeded"
    summary = assets.loc["raw_trades", "checks"]  # loader_progress: whatever the stack's loader reports
    assert "5 not run yet" in summary and "succeeded" in summary  # fresh, and each feed's completeness
    assert checks.loc["raw_trades_valid_prices", "severity"] == "ERROR"
    assert bool(checks.loc["raw_trades_valid_prices", "blocking"]) is True
    assert checks.loc["raw_trades_fresh", "result"] == "not run yet"
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["messages not loaded"] == "4"
    captions = " ".join(c.value for c in app.caption)  # the stack's own producer: every feed, simulated
    assert "(feeds: finnhub, coinbase, kraken, binance; simulated)" in captions
    assert int(metrics["produced"].replace(",", "")) >= 0
    feeds = app.dataframe[2].value.set_index("feed")
    assert feeds.index.tolist() == ["finnhub", "coinbase", "kraken", "binance"]
    assert feeds["simulated"].all() and {"trades", "gaps", "gap seconds", "reconnects"} <= set(feeds.columns)
    alerts = app.dataframe[3].value
    assert alerts.rule.tolist() == ["prices-errors"]
    assert alerts.message.tolist() == ["raw_trades_fresh failed"]


def test_dagster_or_kafka_not_answering_is_said_plainly(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    app = open_pipeline(
        monkeypatch,
        fresh,
        DAGSTER_URL=f"http://127.0.0.1:{closed}",
        KAFKA_BOOTSTRAP_SERVERS=f"127.0.0.1:{closed}",
    )
    errors = [e.value for e in app.error]
    assert errors[0].startswith(f"Dagster is not answering at http://127.0.0.1:{closed}")
    assert errors[1].startswith("Kafka is not answering")
    assert "No alerts sent yet." in [i.value for i in app.info]
