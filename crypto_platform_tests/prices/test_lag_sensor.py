"""kafka_lag_sensor against the real broker and warehouse, and its decision rule on its own."""

from __future__ import annotations

import json

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.defs.prices.sensors import decide, kafka_lag_sensor
from crypto_platform.prices.loader.lag import Lag
from crypto_platform.settings import Settings
from crypto_platform_tests.prices.helpers import T0, produce, resources, trade


def tick(settings: Settings, instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(settings))
    return kafka_lag_sensor(context)


@pytest.mark.stack
def test_requests_one_run_per_breach_and_records_the_lag(fresh: Settings) -> None:
    fresh = fresh.model_copy(update={"lag_max_messages": 100, "lag_max_age_seconds": 10**9})  # the count only
    instance = dg.DagsterInstance.ephemeral()

    produce(fresh, [trade("BTC-USD", "95000", "0.1", T0 + i) for i in range(100)])
    quiet = tick(fresh, instance, None)
    assert quiet.run_requests == []
    assert quiet.asset_events[0].metadata["lag"].value == 100

    produce(fresh, [trade("BTC-USD", "95000", "0.1", T0 + 100 + i) for i in range(50)])
    breach = tick(fresh, instance, quiet.cursor)
    assert len(breach.run_requests) == 1
    assert breach.asset_events[0].metadata["lag"].value == 150

    same_breach = tick(fresh, instance, breach.cursor)
    assert same_breach.run_requests == [] and "already requested" in same_breach.skip_reason.skip_message

    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    caught_up = tick(fresh, instance, same_breach.cursor)
    assert caught_up.run_requests == [] and json.loads(caught_up.cursor) == {}
    assert caught_up.asset_events[0].metadata["lag"].value == 0


def test_old_messages_breach_even_when_few() -> None:
    limits = loader_resource(Settings(lag_max_messages=1000, lag_max_age_seconds=60))
    lag = Lag({0: 3}, oldest_unloaded_ts_ms=1_000_000)
    assert decide(lag, {0: 7}, {}, in_flight=False, limits=limits, now=1_000 + 61).request
    assert not decide(lag, {0: 7}, {}, in_flight=False, limits=limits, now=1_000 + 59).request


def test_no_request_while_a_run_is_in_flight_and_a_retry_after_the_retry_period() -> None:
    limits = loader_resource(Settings(lag_max_messages=10, lag_retry_seconds=600))
    lag = Lag({0: 50}, None)
    assert not decide(lag, {0: 0}, {}, in_flight=True, limits=limits, now=0).request
    first = decide(lag, {0: 0}, {}, in_flight=False, limits=limits, now=0)
    assert first.request
    assert not decide(lag, {0: 0}, first.cursor, in_flight=False, limits=limits, now=599).request
    assert decide(lag, {0: 0}, first.cursor, in_flight=False, limits=limits, now=601).request
    assert decide(lag, {0: 20}, first.cursor, in_flight=False, limits=limits, now=1).request  # progress made
