"""raw_trades against the real broker and warehouse: exactly once, whatever happens."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading

import dagster as dg
import pytest

from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.local.process import wait_until
from crypto_platform.prices.loader.trades_loader import LoadReport, TradesLoader
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, price_tables, run_query
from crypto_platform.warehouse.price_tables import stored_offsets
from crypto_platform_tests.prices.dying_loader import DIES_WITH
from crypto_platform_tests.prices.helpers import T0, produce, produce_raw, resources, trade

pytestmark = pytest.mark.stack


def known_trades() -> list:
    """A burst of 300 trades in one millisecond, a steady stream, and a feed duplicate."""
    burst = [trade("BTC-USD", f"{95000 + i}", "0.01", T0, f"burst-{i}") for i in range(300)]
    steady = [trade("ETH-USD", f"{3500 + i / 10:.1f}", "0.5", T0 + 1000 * i) for i in range(200)]
    return [*burst, *steady, steady[7]]


def rows(settings: Settings, sql: str) -> list[tuple]:
    with connect(settings) as conn:
        return run_query(conn, sql).rows


def loaded_ids(settings: Settings) -> list[str]:
    return sorted(r[0] for r in rows(settings, "select TRADE_ID from RAW.TRADES"))


def materialize(settings: Settings) -> dg.ExecuteInProcessResult:
    return dg.materialize([raw_trades], resources=resources(settings))


def test_loads_exactly_the_trades_on_the_topic_and_nothing_twice(fresh: Settings) -> None:
    sent = known_trades()
    produce(fresh, sent)
    result = materialize(fresh)
    assert result.success
    metadata = result.asset_materializations_for_node("raw_trades")[0].metadata
    assert metadata["rows_loaded"].value == len(sent) and metadata["lag_left"].value == 0
    assert loaded_ids(fresh) == sorted(t.trade_id for t in sent)
    assert rows(fresh, "select count(*) from CORE.TRADES") == [(len(sent) - 1,)]  # the feed duplicate

    again = materialize(fresh)
    assert again.asset_materializations_for_node("raw_trades")[0].metadata["rows_loaded"].value == 0
    produce(fresh, [trade("SOL-USD", "200", "1", T0)])
    materialize(fresh)
    assert len(loaded_ids(fresh)) == len(sent) + 1
    assert rows(
        fresh, "select count(*) from (select distinct KAFKA_PARTITION, KAFKA_OFFSET from RAW.TRADES)"
    ) == [(len(sent) + 1,)]


def test_invalid_messages_are_kept_with_their_reason(fresh: Settings) -> None:
    produce(fresh, [trade("BTC-USD", "95000", "0.1", T0)])
    produce_raw(fresh, [b"not json", b'{"source":"finnhub","symbol":"BTC-USD"}'])
    assert materialize(fresh).success
    assert loaded_ids(fresh) == ["BTC-USD-" + str(T0)]
    rejected = rows(fresh, "select REASON, RAW from RAW.TRADES_REJECTED order by RAW")
    assert [raw for _, raw in rejected] == ["not json", '{"source":"finnhub","symbol":"BTC-USD"}']
    assert "invalid JSON" in rejected[0][0] and "missing field" in rejected[1][0]


def test_a_loader_killed_between_copy_and_commit_loses_and_doubles_nothing(fresh: Settings) -> None:
    sent = known_trades()
    produce(fresh, sent)
    env = {
        **os.environ,
        "KAFKA_TOPIC_TRADES": fresh.kafka_topic_trades,
        "SNOWFLAKE_DATABASE": fresh.snowflake_database,
    }
    killed = subprocess.run(
        [sys.executable, "-m", "crypto_platform_tests.prices.dying_loader"], env=env, check=False
    )
    assert killed.returncode == DIES_WITH
    assert loaded_ids(fresh) == []
    assert rows(fresh, "select count(*) from RAW.TRADES_STAGE") == [(len(sent),)]  # staged, never committed
    with connect(fresh) as conn:
        assert set(stored_offsets(conn, fresh.kafka_topic_trades).values()) == {0}

    assert materialize(fresh).success
    assert loaded_ids(fresh) == sorted(t.trade_id for t in sent)


def test_a_failure_inside_the_transaction_rolls_everything_back(
    fresh: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = known_trades()
    produce(fresh, sent)

    def crash(*_args: object) -> None:  # the last statements of the batch's transaction
        raise RuntimeError("simulated crash before COMMIT")

    monkeypatch.setattr(price_tables, "refresh", crash)
    assert not dg.materialize([raw_trades], resources=resources(fresh), raise_on_error=False).success
    assert loaded_ids(fresh) == []
    monkeypatch.undo()
    assert materialize(fresh).success
    assert loaded_ids(fresh) == sorted(t.trade_id for t in sent)


def test_follower_and_runs_at_the_same_time_duplicate_nothing(fresh: Settings) -> None:
    loader = TradesLoader(
        fresh.kafka, fresh.kafka_topic_trades, lambda: connect(fresh), batch_size=150,
        time_bound=loader_resource(fresh).time_bound,
    )  # fmt: skip
    reports: list[LoadReport] = []
    stop = asyncio.Event()
    loop = asyncio.new_event_loop()
    follower = threading.Thread(
        target=loop.run_until_complete,
        args=(loader.load_continuously(stop, reports.append, interval=0.05),),
    )
    follower.start()
    try:
        total = 0
        for round_ in range(5):
            batch = [trade("BTC-USD", "95000", "0.01", T0 + round_ * 10_000 + i) for i in range(400)]
            total += produce(fresh, batch)
            assert materialize(fresh).success
        assert wait_until(lambda: len(loaded_ids(fresh)) >= total, 60)
    finally:
        loop.call_soon_threadsafe(stop.set)
        follower.join(30)
    assert len(loaded_ids(fresh)) == total == len(set(loaded_ids(fresh)))
    assert reports, "the follower loaded nothing: the test did not exercise concurrency"


def test_a_tombstone_and_over_scaled_sizes_between_valid_trades(fresh: Settings) -> None:
    """One partition: valid, tombstone, a float artefact (rounded by the numeric rule), a size
    NUMBER(38,12) cannot hold (refused, never stored as 0), valid. Nothing stops; offsets reach the end."""
    good = trade("BTC-USD", "95000", "0.1", T0, "first").to_json()
    artefact = good.replace(b'"0.1"', b'"0.30000000000000004"').replace(b"first", b"artefact")
    tiny = good.replace(b'"0.1"', b'"0.0000000000001"').replace(b"first", b"tiny")
    last = good.replace(b"first", b"last")
    produce_raw(fresh, [good, None, artefact, tiny, last], key=b"BTC-USD")
    assert materialize(fresh).success
    loaded = rows(fresh, "select TRADE_ID, SIZE from RAW.TRADES order by KAFKA_OFFSET")
    assert [(i, float(s)) for i, s in loaded] == [("first", 0.1), ("artefact", 0.3), ("last", 0.1)]
    assert str(loaded[1][1].normalize()) == "0.3"
    rejected = rows(fresh, "select KAFKA_OFFSET, REASON, RAW from RAW.TRADES_REJECTED order by KAFKA_OFFSET")
    assert [(offset, raw) for offset, _, raw in rejected] == [(1, None), (3, tiny.decode())]
    assert "tombstone" in rejected[0][1] and "12th decimal" in rejected[1][1]
    with connect(fresh) as conn:
        assert sum(stored_offsets(conn, fresh.kafka_topic_trades).values()) == 5
