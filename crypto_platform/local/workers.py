"""The platform's own processes in the local stack: the feed simulator, the producer and the loader."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx

from crypto_platform.local.service import LocalService
from crypto_platform.prices.health import health_file, health_of, is_current, read_health
from crypto_platform.settings import LOCAL_HOST, PROJECT_ROOT


class SimulatorWorker(LocalService):
    name = "simulator"

    @property
    def ports(self) -> list[int]:
        return [self.settings.simulator_port]

    def command(self) -> list[str]:
        s = self.settings
        options = {
            "--host": LOCAL_HOST,
            "--port": s.simulator_port,
            "--rate": s.simulator_rate,
            "--seed": s.simulator_seed,
            "--error-ratio": s.simulator_error_ratio,
            "--malformed-ratio": s.simulator_malformed_ratio,
        }
        return [
            sys.executable,
            "-m",
            "crypto_platform.simulator",
            *(str(x) for kv in options.items() for x in kv),
        ]

    def healthy(self) -> bool:
        try:
            return httpx.get(f"http://{self.address}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False


class CliWorker(LocalService):
    """A `crypto-platform` command running in the background. Started once it writes its status file
    (`.local/run/<name>.health.json`); healthy while it keeps rewriting it every report interval and
    says it is progressing (`crypto_platform.prices.health`). Started after the others are
    set up: the producer refuses to start without its topics, the loader needs the warehouse's."""

    cli_args: tuple[str, ...]
    after_setup = True

    @property
    def ports(self) -> list[int]:
        return []

    @property
    def report_interval(self) -> float:
        raise NotImplementedError

    @property
    def status_file(self) -> Path:
        return health_file(self.settings.home, self.name)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "crypto_platform.cli", *self.cli_args]

    def env(self) -> dict[str, str]:
        return {
            "CRYPTO_PLATFORM_HOME": str(self.settings.home),
            "DAGSTER_HOME": str(self.settings.dagster_home),
        }

    def healthy(self) -> bool:
        return is_current(read_health(self.status_file), self.process.pid(), self._max_age)

    def condition(self) -> tuple[str, str]:
        status = read_health(self.status_file)
        if not is_current(status, self.process.pid(), self._max_age):
            return "unhealthy", f"no status written for {self._max_age:.0f} s (hung?)"
        assert status is not None
        health = health_of(status)
        return ("healthy", "") if health.progressing else (health.state, health.describe())

    @property
    def _max_age(self) -> float:
        return 3 * self.report_interval + 5


class ProducerWorker(CliWorker):
    name = "producer"
    cli_args = ("produce",)

    @property
    def report_interval(self) -> float:
        return self.settings.producer_report_interval

    @property
    def address(self) -> str:
        return f"{','.join(self.settings.producer_feeds)} -> {self.settings.kafka_topic_trades}"


class LoaderWorker(CliWorker):
    """`load --follow`: the Kafka -> RAW.TRADES loader in continuous mode."""

    name = "loader"
    cli_args = ("load", "--follow")

    @property
    def report_interval(self) -> float:
        return self.settings.loader_report_interval

    @property
    def address(self) -> str:
        return f"{self.settings.kafka_topic_trades} -> RAW.TRADES"


class DashboardWorker(LocalService):
    """The Streamlit dashboard (`streamlit_app/app.py`)."""

    name = "dashboard"

    @property
    def ports(self) -> list[int]:
        return [self.settings.dashboard_port]

    def command(self) -> list[str]:
        # Other options are in .streamlit/config.toml, read from the working directory (PROJECT_ROOT).
        return [
            sys.executable, "-m", "streamlit", "run", str(PROJECT_ROOT / "streamlit_app" / "app.py"),
            "--server.address", LOCAL_HOST, "--server.port", str(self.ports[0]),
            "--server.headless", "true",
        ]  # fmt: skip

    def healthy(self) -> bool:
        try:
            return httpx.get(f"http://{self.address}/_stcore/health", timeout=2).text == "ok"
        except httpx.HTTPError:
            return False
