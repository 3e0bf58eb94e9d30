"""`dagster dev`: the webserver on 127.0.0.1 and the daemon, with SQLite storage under `.local/`."""

from __future__ import annotations

import sys
from pathlib import Path

from crypto_platform.clients.dagster_api import DagsterUnavailable, graphql
from crypto_platform.local.service import LocalService
from crypto_platform.settings import LOCAL_HOST, PROJECT_ROOT

LOCATIONS_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries {
    name loadStatus locationOrLoadError { __typename ... on PythonError { message } } } } } }
"""

WRITTEN_BY_UP = "# Written by `crypto-platform up`"
INSTANCE_CONFIG = f"""\
{WRITTEN_BY_UP} (and rewritten by it while this line starts so): local SQLite storage
# (the default), no telemetry, no newsletter prompt in the UI, at most two runs at once, one slot
# per concurrency pool (news_warehouse: one news write at a time), and the slots of a run that
# died freed 30 s after it is marked failed.
telemetry:
  enabled: false
nux:
  enabled: false
concurrency:
  runs:
    max_concurrent_runs: 2
  pools:
    default_limit: 1
run_monitoring:
  enabled: true
  free_slots_after_run_end_seconds: 30
"""


def ensure_instance_dir(home: Path) -> Path:
    """The Dagster instance folder with its `dagster.yaml`: written when missing or still ours (so
    an existing instance gets new settings), left alone once a user has made it their own."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or config.read_text().startswith(WRITTEN_BY_UP):
        config.write_text(INSTANCE_CONFIG)
    return home


def fail_interrupted_runs(home: Path) -> list[str]:
    """Mark as failed the runs a previous `down` stopped mid-way (their workers died with `dagster
    dev`) and free their concurrency pool slots; left STARTED they would hold the run queue's and
    the pools' slots for ever. Called only while Dagster is not running, so no such run can still
    be alive."""
    import dagster as dg  # here, not at the top: every CLI command imports this module

    interrupted = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
    instance = dg.DagsterInstance.from_config(str(home))
    try:
        stuck = instance.get_runs(dg.RunsFilter(statuses=interrupted))
        for run in stuck:
            instance.report_run_failed(
                run, "interrupted: Dagster was stopped (crypto-platform down) during the run"
            )
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        return [run.run_id for run in stuck]
    finally:
        instance.dispose()


def locations(base_url: str, timeout: float = 5.0) -> dict[str, str | None]:
    """Each code location the webserver knows and loaded, with None, or with its load error; a
    location still loading is left out."""
    workspace = graphql(base_url, LOCATIONS_QUERY, {}, timeout)["workspaceOrError"]
    return {
        entry["name"]: (entry["locationOrLoadError"] or {}).get("message")
        for entry in workspace.get("locationEntries", [])
        if entry["loadStatus"] == "LOADED"
    }


def loaded_locations(base_url: str, timeout: float = 5.0) -> list[str]:
    """Names of the code locations the webserver has loaded without error."""
    return [name for name, error in locations(base_url, timeout).items() if error is None]


class DagsterService(LocalService):
    name = "dagster"
    startup_timeout = 180.0

    @property
    def ports(self) -> list[int]:
        return [self.settings.dagster_port]

    @property
    def url(self) -> str:
        return f"http://{self.address}"

    def prepare(self) -> None:
        fail_interrupted_runs(ensure_instance_dir(self.settings.dagster_home))

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "dagster",
            "dev",
            "-h",
            LOCAL_HOST,
            "-p",
            str(self.ports[0]),
            "-w",
            str(PROJECT_ROOT / "workspace.yaml"),
        ]

    def env(self) -> dict[str, str]:
        return {"DAGSTER_HOME": str(self.settings.dagster_home)}

    def healthy(self) -> bool:
        try:
            return bool(loaded_locations(self.url, timeout=3))
        except (DagsterUnavailable, KeyError):
            return False

    def condition(self) -> tuple[str, str]:
        """Failing, with Dagster's own message, when the code location does not load (a bad alerts
        file, for one); unhealthy when the webserver does not answer."""
        try:
            loaded = locations(self.url, timeout=3)
            errors = [f"{name}: {error.strip().splitlines()[0]}" for name, error in loaded.items() if error]
        except (DagsterUnavailable, KeyError):
            return "unhealthy", "the webserver does not answer"
        if errors:
            return "failing", "code location does not load: " + "; ".join(errors)
        return super().condition()

    def initialise(self) -> None:
        """Record the views `up` (re)created from `sql/` as materialized, as they are."""
        import dagster as dg

        from crypto_platform.defs.prices.assets import views_created

        instance = dg.DagsterInstance.from_config(str(self.settings.dagster_home))
        try:
            for materialization in views_created():
                instance.report_runless_asset_event(materialization)
        finally:
            instance.dispose()
