"""Helpers for the news tests: resources and warehouse reads, what CORE.NEWS should hold for a day,
a Dagster daemon of the test's own and its sensors' ticks and runs, and loads of one day started at
once in processes of their own.

`python -m crypto_platform_tests.news.helpers DAY READY GO` is one such load: it prepares, touches
READY, waits for GO to exist, then materializes `raw_news` and `news` for DAY on the instance in
DAGSTER_HOME and prints the run id.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
from dagster._core.scheduler.instigation import InstigatorTick, InstigatorType, TickStatus

from crypto_platform.defs.news.assets import news, news_landing, raw_news
from crypto_platform.defs.news.checks import checks
from crypto_platform.defs.news.sensors import planned_days
from crypto_platform.defs.resources import resources
from crypto_platform.local.process import ManagedProcess, wait_until
from crypto_platform.news.processing import deduplicate
from crypto_platform.news.records import BadNewsItem, normalise
from crypto_platform.settings import PROJECT_ROOT, Settings
from crypto_platform.simulator.news_archive import news_for_date
from crypto_platform.warehouse import connect, run_query

SEED = 42
FIRST = date(2026, 10, 5)


@dataclass
class Daemon:
    """A Dagster daemon of the test's own, on a fresh instance (`home`, configured as `up` writes it),
    running the code location's sensors against the test's bucket, database and topic."""

    home: Path
    process: ManagedProcess

    def start(self) -> float:
        """Start it (the environment as it is now); when, in epoch seconds."""
        started = time.time()
        command = [
            str(Path(sys.executable).parent / "dagster-daemon"),
            "run",
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
        ]
        self.process.start(command, {"DAGSTER_HOME": str(self.home)}, cwd=PROJECT_ROOT)
        return started

    def stop(self) -> None:
        self.process.stop()

    def instance(self) -> dg.DagsterInstance:
        return dg.DagsterInstance.from_config(str(self.home))


def rows(settings: Settings, sql: str) -> list[tuple]:
    with connect(settings) as conn:
        return run_query(conn, sql).rows


def backfill(settings: Settings, first: date, last: date) -> dg.ExecuteInProcessResult:
    """`news_landing*` over first..last in one in-process run, as a single-run backfill does."""
    return dg.materialize(
        [news_landing, raw_news, news, *checks],
        resources=resources(settings),
        tags={"dagster/asset_partition_range_start": first.isoformat(),
              "dagster/asset_partition_range_end": last.isoformat()},
    )  # fmt: skip


def expected_items(day: date) -> list[dict]:
    """What CORE.NEWS should hold for a day, computed from the simulator's archive directly."""
    usable = []
    for item in sorted(news_for_date(day, SEED), key=lambda i: (i.get("datetime") or 0, i.get("id") or 0)):
        try:
            record = normalise(item)
        except BadNewsItem:
            continue
        if record.published_at.date() == day:
            usable.append({"id": record.id, "url": record.url, "text": f"{record.headline} {record.summary}"})
    return deduplicate(usable)


def sensor_ticks(instance: dg.DagsterInstance, sensor: str) -> list[InstigatorTick]:
    """The sensor's ticks recorded in the instance, newest first (none before its first tick)."""
    states = instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
    state = next((s for s in states if s.name == sensor), None)
    return list(instance.get_ticks(state.instigator_origin_id, state.selector_id)) if state else []


def finished_ticks(instance: dg.DagsterInstance, sensor: str, after: float) -> list[InstigatorTick]:
    """The sensor's ticks that started after `after` (epoch s) and have finished, newest first."""
    ticks = sensor_ticks(instance, sensor)
    return [t for t in ticks if t.timestamp > after and t.status != TickStatus.STARTED]


def wait_for_ticks(
    instance: dg.DagsterInstance, sensor: str, after: float, count: int, timeout: float = 180
) -> None:
    """Wait until the sensor has finished `count` ticks that started after `after` (epoch s)."""
    ticked = wait_until(lambda: len(finished_ticks(instance, sensor, after)) >= count, timeout, 1.0)
    assert ticked, f"{sensor} did not tick {count} times within {timeout:.0f}s"


def runs_loading(instance: dg.DagsterInstance, days: set[str]) -> list[str]:
    """Ids of every run, finished or not, that planned to materialize `raw_news` for any of `days`."""
    return [run.run_id for run in instance.get_runs() if planned_days(instance, run.run_id) & days]


def day_counts(settings: Settings, table: str, days: list[date]) -> dict[date, tuple[int, int]]:
    """Day -> (rows, distinct ids) of a news table over `days`."""
    with connect(settings) as conn:
        found = run_query(
            conn,
            f"select PARTITION_DATE, count(*), count(distinct ID) from {table} "
            "where PARTITION_DATE between %(first)s and %(last)s group by 1",
            {"first": min(days), "last": max(days)},
        ).rows
    return {day: (n, distinct) for day, n, distinct in found}


def step_succeeded(instance: dg.DagsterInstance, run_id: str, step: str) -> bool:
    """Whether a step of a run has succeeded."""
    events = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS).records
    return any(e.event_log_entry.step_key == step for e in events)


@contextmanager
def pool_slot_held(instance: dg.DagsterInstance, pool: str) -> Iterator[None]:
    """Hold a slot of a concurrency pool (its only one, as `up` configures it) for the block, as a
    step would: steps of that pool wait until the block ends."""
    storage, holder = instance.event_log_storage, "test-holding-the-pool"
    storage.initialize_concurrency_limit_to_default(pool)
    assert storage.claim_concurrency_slot(pool, holder, "hold").is_claimed, storage.get_concurrency_info(pool)
    try:
        yield
    finally:
        storage.free_concurrency_slots_for_run(holder)


def loads_at_once(home: Path, day: date, folder: Path, count: int = 2) -> list[str]:
    """Start `count` loads of `day` in processes of their own, each on the instance in `home`, and
    let them go at one signal once all are ready; their run ids once all have finished."""
    with dg.DagsterInstance.from_config(str(home)):
        pass  # its storage created here: two processes creating it at once collide in SQLite
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    go = folder / "go"
    ready = [folder / f"ready-{n}" for n in range(count)]
    loads = [
        subprocess.Popen(
            [sys.executable, "-m", __name__, day.isoformat(), str(flag), str(go)],
            env=env, stdout=subprocess.PIPE, text=True,
        )
        for flag in ready
    ]  # fmt: skip
    wait_until(lambda: all(f.exists() for f in ready) or any(p.poll() is not None for p in loads), 120, 0.05)
    assert all(flag.exists() for flag in ready), [load.poll() for load in loads]
    go.touch()
    outputs = [load.communicate(timeout=300)[0] for load in loads]
    assert all(load.returncode == 0 for load in loads), outputs
    return [output.split()[-1] for output in outputs]


def _load_on_signal(day: str, ready: Path, go: Path) -> None:
    settings = Settings()
    with dg.DagsterInstance.get() as dagster:
        ready.touch()
        assert wait_until(go.exists, 120, 0.01), "no signal to go"
        result = dg.materialize(
            [raw_news, news, *checks], resources=resources(settings), partition_key=day, instance=dagster
        )
    print(result.run_id)


if __name__ == "__main__":
    _load_on_signal(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
