"""One load per day whatever overlaps, with a real Dagster daemon running the sensors (`daemon`: one
of the test's own, on the test's bucket, database and a fresh instance configured as `up` writes it;
its arrival sensor ticks every NEWS_ARRIVAL_INTERVAL = 5 s, see the top-level conftest)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import pytest

from crypto_platform.clients.dagster_api import graphql
from crypto_platform.defs.days import news_days
from crypto_platform.defs.news.assets import WAREHOUSE_POOL, news_landing
from crypto_platform.defs.news.sensors import news_first_start_sensor
from crypto_platform.local.dagster import ensure_instance_dir
from crypto_platform.local.process import wait_until
from crypto_platform.settings import PROJECT_ROOT, Settings
from crypto_platform_tests.news.helpers import (
    FIRST,
    Daemon,
    day_counts,
    expected_items,
    finished_ticks,
    loads_at_once,
    pool_slot_held,
    resources,
    rows,
    runs_loading,
    step_succeeded,
    wait_for_ticks,
)

pytestmark = [pytest.mark.stack, pytest.mark.slow]
ARRIVAL, FIRST_START = "news_arrival_sensor", "news_first_start_sensor"


def one_copy_of_each_item(settings: Settings, days: list[date]) -> None:
    expected = {day: len(expected_items(day)) for day in days}
    assert day_counts(settings, "CORE.NEWS", days) == {day: (n, n) for day, n in expected.items()}
    assert all(n == distinct for n, distinct in day_counts(settings, "RAW.NEWS", days).values())


def test_the_first_start_lands_and_loads_the_last_days_once_and_not_on_a_later_start(
    news_env: Settings, daemon: Daemon, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The daemon started, stopped and started again, as by two `make up`s: the first start lands and
    loads the last days in one run and the arrival sensor adds no load of them; the second start
    asks for none."""
    monkeypatch.setenv("NEWS_FIRST_START_DAYS", "3")
    newest_before = news_days.get_partition_keys()[-1]
    daemon.start()
    with daemon.instance() as dagster:

        def first_start_runs() -> list[dg.DagsterRun]:
            return dagster.get_runs(dg.RunsFilter(tags={"dagster/sensor_name": FIRST_START}))

        finished = wait_until(lambda: any(r.is_finished for r in first_start_runs()), 240, 1.0)
        assert finished, daemon.process.log_tail(30)
        (run,) = first_start_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS and run.job_name == "news_job"
        first, last = (
            date.fromisoformat(run.tags[f"dagster/asset_partition_range_{end}"]) for end in ("start", "end")
        )
        # the newest complete day when the sensor asked (a UTC midnight may have passed since the start)
        assert last.isoformat() in {newest_before, news_days.get_partition_keys()[-1]}
        days = [first + timedelta(days=n) for n in range(3)]
        assert days[-1] == last
        wait_for_ticks(dagster, ARRIVAL, after=dagster.get_run_record_by_id(run.run_id).end_time, count=2)
        assert runs_loading(dagster, {d.isoformat() for d in days}) == [run.run_id]
        one_copy_of_each_item(news_env, days)

        daemon.stop()
        wait_for_ticks(dagster, FIRST_START, after=daemon.start(), count=1)
        assert [r.run_id for r in first_start_runs()] == [run.run_id]
        assert runs_loading(dagster, {d.isoformat() for d in days}) == [run.run_id]

    # Nor on a new instance (its Dagster folder removed) over a warehouse that has news.
    first_start = news_env.model_copy(update={"news_first_start_days": 3})
    context = dg.build_sensor_context(
        instance=dg.DagsterInstance.ephemeral(), resources=resources(first_start)
    )
    fresh_start = news_first_start_sensor(context)
    assert fresh_start.run_requests == [] and fresh_start.cursor == "RAW.NEWS had rows"


def test_a_cli_backfill_overlapping_the_arrival_sensor_loads_each_day_once(
    news_env: Settings, daemon: Daemon, tmp_path: Path
) -> None:
    """docs/news.md's backfill command on the daemon's instance, while its arrival sensor (every 5 s or so)
    sees the files the backfill lands. The test holds the `news_warehouse` pool's one slot, so the
    backfill's run is still in flight after landing its files: the sensor's ticks then hold the
    files back. Once the slot is free and the run has finished, the ticks find the files read, and
    no tick adds a load."""
    days = [FIRST + timedelta(days=n) for n in range(5)]
    partitions = {d.isoformat() for d in days}
    command = [
        str(Path(sys.executable).parent / "dagster"), "asset", "materialize",
        "-m", "crypto_platform.definitions", "--select", "news_landing*",
        "--partition-range", f"{days[0]}...{days[-1]}",
    ]  # fmt: skip
    env = {**os.environ, "DAGSTER_HOME": str(daemon.home)}
    log = tmp_path / "backfill.log"

    with daemon.instance() as dagster, log.open("w") as output:

        def landed() -> bool:
            runs = runs_loading(dagster, partitions)
            return any(step_succeeded(dagster, run, "news_landing") for run in runs)

        wait_for_ticks(dagster, ARRIVAL, after=daemon.start(), count=1)
        with pool_slot_held(dagster, WAREHOUSE_POOL):
            cli = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=output, stderr=output)
            assert wait_until(lambda: landed() or cli.poll() is not None, 240, 0.5), log.read_text()[-3000:]
            assert cli.poll() is None, log.read_text()[-3000:]
            since = time.time()
            wait_for_ticks(dagster, ARRIVAL, after=since, count=2)
            held = [json.loads(t.cursor or "{}").get("held") for t in finished_ticks(dagster, ARRIVAL, since)]
            assert all(held), held
        assert cli.wait(timeout=300) == 0, log.read_text()[-3000:]
        wait_for_ticks(dagster, ARRIVAL, after=time.time(), count=2)
        assert len(runs_loading(dagster, partitions)) == 1  # the backfill's only
    one_copy_of_each_item(news_env, days)


def test_two_loads_of_one_day_started_at_once_leave_one_copy(news_env: Settings, tmp_path: Path) -> None:
    """Two runs of `raw_news` and `news` for one day, in processes of their own on one instance,
    released together: both succeed and the day holds each item once. (Before the pool and the
    warehouse claim, every item was there twice.) Their steps are not asserted to run one after the
    other: on SQLite storage, Dagster's pool claim reads a free slot and then takes it without a
    lock, so two claims in the same milliseconds can both win (seen once in CI). The warehouse
    claim is what keeps one copy then; `test_a_cli_backfill_overlapping_the_arrival_sensor...`
    shows the pool holding a step back."""
    assert dg.materialize(
        [news_landing], resources=resources(news_env), partition_key=FIRST.isoformat()
    ).success
    home = ensure_instance_dir(tmp_path / "dagster")
    first, second = loads_at_once(home, FIRST, tmp_path)
    assert sorted(r[0] for r in rows(news_env, "select ID from CORE.NEWS")) == sorted(
        i["id"] for i in expected_items(FIRST)
    )
    assert rows(news_env, "select count(*) - count(distinct ID) from RAW.NEWS") == [(0,)]
    with dg.DagsterInstance.from_config(str(home)) as dagster:
        for run_id in (first, second):
            assert dagster.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS


def test_the_dagster_ui_does_not_prompt_for_the_newsletter(local_stack: Settings) -> None:
    assert graphql(local_stack.dagster_api, "{ shouldShowNux }", {}, 10) == {"shouldShowNux": False}
