"""News backfill: the 30-day command in docs/news.md with the local stack up, and where its time goes.

The whole stack as `make up` starts it (simulator, producer, the loader loading, Dagster's daemon
and its sensors), in a temporary home, without the first-start landing so the backfill runs alone.
Then `dagster asset materialize --select 'news_landing*' --partition-range 2026-10-01...2026-10-30`
in a process of its own, timed wall to wall. The split comes from the run's events (process start
to run start, each step) and the seconds each asset reports for its stages. The reference, measured
in the same run, is what every command of the code location pays first: importing it in a fresh
process. The last line is `news backfill: 30 days in <seconds> s`.

    python -m bench.news
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import dagster as dg

from bench.common import print_table, services
from crypto_platform.local.stack import all_services
from crypto_platform.settings import PROJECT_ROOT, Settings

FIRST, LAST, DAYS = "2026-10-01", "2026-10-30", 30
COMMAND = [
    str(Path(sys.executable).parent / "dagster"), "asset", "materialize", "-m", "crypto_platform.definitions",
    "--select", "news_landing*", "--partition-range", f"{FIRST}...{LAST}",
]  # fmt: skip
IMPORT = [sys.executable, "-c", "import crypto_platform.definitions"]
STAGES = {  # step -> the seconds it reports (metadata key, what they measure)
    "news_landing": {"fetch_seconds": "HTTP paging (2 requests a day)", "s3_write_seconds": "S3 writes"},
    "raw_news": {"s3_read_seconds": "S3 reads, parsing", "warehouse_seconds": "PUT + COPY, one transaction"},
    "news": {
        "read_and_process_seconds": "read RAW.NEWS, tag, score",
        "warehouse_write_seconds": "PUT + COPY",
    },
}
START, SUCCESS = dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS
PLANNED = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
}


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, env=env, cwd=PROJECT_ROOT, check=True, capture_output=True)
    return time.perf_counter() - started


def reported(events: list[dg.EventLogEntry], step: str, key: str) -> float:
    """Seconds a step's (first) materialization reports under `key`."""
    metadata = next(
        e.asset_materialization.metadata for e in events if e.step_key == step and e.asset_materialization
    )
    return float(metadata[key].value)


def stages(instance: dg.DagsterInstance, launched_at: float, wall: float) -> list[tuple[str, float]]:
    """(stage, seconds) of the backfill's run, in order; they add up to `wall`."""
    (run,) = instance.get_runs(dg.RunsFilter(tags={"dagster/asset_partition_range_start": FIRST}))
    events = [record.event_log_entry for record in instance.get_records_for_run(run.run_id).records]
    at = {}
    for event in events:
        at.setdefault((event.dagster_event_type, event.step_key), event.timestamp)
    first_event, run_start = events[0].timestamp, at[(dg.DagsterEventType.RUN_START, None)]
    planned = sum(e.dagster_event_type in PLANNED for e in events)
    split = [
        ("process start: imports, code location", first_event - launched_at),
        (f"run created: {planned} planned events (one per asset and day)", run_start - first_event),
    ]
    steps = sorted({e.step_key for e in events if e.step_key}, key=lambda step: at[(START, step)])
    for step in steps:
        parts = [
            (f"{step}: {what}", reported(events, step, key)) for key, what in STAGES.get(step, {}).items()
        ]
        rest = at[(SUCCESS, step)] - at[(START, step)] - sum(seconds for _, seconds in parts)
        split += [*parts, (f"{step}: {'the rest (events, clients)' if parts else 'the step'}", rest)]
    split.append(("between steps, run end, process exit", wall - sum(seconds for _, seconds in split)))
    return split


def main() -> None:
    names = [service.name for service in all_services(Settings())]
    with services(names, NEWS_FIRST_START_DAYS="0") as settings:
        env = {**os.environ, "DAGSTER_HOME": str(settings.dagster_home)}
        reference = timed(IMPORT, env)
        launched_at = time.time()
        wall = timed(COMMAND, env)
        with dg.DagsterInstance.from_config(str(settings.dagster_home)) as instance:
            split = stages(instance, launched_at, wall)
    rows = [(name, f"{seconds:6.2f} s") for name, seconds in split]
    rows += [
        ("total, wall", f"{wall:6.2f} s"),
        (
            "reference: import the code location",
            f"{reference:6.2f} s (backfill / reference {wall / reference:.1f})",
        ),
    ]
    print_table(f"news backfill of {FIRST}...{LAST}, the stack up and the loader loading", rows)
    print(f"news backfill: {DAYS} days in {wall:.1f} s")


if __name__ == "__main__":
    main()
