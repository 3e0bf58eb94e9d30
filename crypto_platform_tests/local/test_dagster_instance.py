"""Runs cut off by `down` do not hold the run queue for ever."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
from dagster._core.storage.dagster_run import DagsterRun

from crypto_platform.local.dagster import ensure_instance_dir, fail_interrupted_runs


def test_runs_left_started_by_a_stop_are_marked_failed(tmp_path: Path) -> None:
    home = ensure_instance_dir(tmp_path / "dagster")
    with dg.DagsterInstance.from_config(str(home)) as instance:
        for run_id, status in (
            ("a" * 8, dg.DagsterRunStatus.STARTED),
            ("b" * 8, dg.DagsterRunStatus.SUCCESS),
        ):
            instance.add_run(DagsterRun(job_name="news_load_job", run_id=run_id, status=status))
    assert fail_interrupted_runs(home) == ["a" * 8]
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_run_by_id("a" * 8).status == dg.DagsterRunStatus.FAILURE
        assert instance.get_run_by_id("b" * 8).status == dg.DagsterRunStatus.SUCCESS
