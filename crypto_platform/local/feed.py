"""The feed side of the local stack: the Finnhub simulator (when no API key is set) and the producer."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import httpx

from crypto_platform.local.service import LocalService
from crypto_platform.producer.stats import read_status
from crypto_platform.settings import LOCAL_HOST


class SimulatorService(LocalService):
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


class ProducerService(LocalService):
    """Healthy while it reports: its status file is rewritten every `producer_report_interval`."""

    name = "producer"

    @property
    def ports(self) -> list[int]:
        return []

    @property
    def address(self) -> str:
        return f"{self.settings.producer_feed} -> {self.settings.kafka_topic_trades}"

    @property
    def status_file(self) -> Path:
        return self.settings.home / "run" / "producer.status.json"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "crypto_platform.cli", "produce"]

    def healthy(self) -> bool:
        status = read_status(self.status_file)
        if status is None or status.get("pid") != self.process.pid():
            return False
        return time.time() - status["updated_at"] < 3 * self.settings.producer_report_interval + 5
