"""Helpers for tests against the running stack."""

from __future__ import annotations

from crypto_platform.local.process import wait_until
from crypto_platform.local.stack import ServiceStatus, status
from crypto_platform.settings import Settings

SERVICES = ["kafka", "s3", "warehouse", "simulator", "producer", "loader", "dashboard", "dagster"]


def wait_all_healthy(settings: Settings, timeout: float = 60) -> None:
    """Wait until every service of the stack reports healthy. A service may wait a moment (the
    loader retries a warehouse busy with another test's work; Kafka may just have been restarted by
    a test), so health is awaited with a deadline, not read at one instant."""
    seen: list[ServiceStatus] = []

    def all_healthy() -> bool:
        seen[:] = status(settings)
        return {s.name: s.state for s in seen} == dict.fromkeys(SERVICES, "healthy")

    assert wait_until(all_healthy, timeout=timeout, interval=1), seen
