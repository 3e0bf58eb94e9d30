"""docker-compose.yml is valid compose: it cannot run here (no Docker engine), so it is parsed and
checked against the rules `docker compose config` would enforce for this file."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from crypto_platform.settings import PROJECT_ROOT

REQUIRED_SERVICES = {
    "kafka",
    "s3",
    "warehouse",
    "postgres",
    "dagster-webserver",
    "dagster-daemon",
    "producer",
    "dashboard",
}
SERVICE_KEYS = {
    "image",
    "build",
    "command",
    "environment",
    "env_file",
    "ports",
    "volumes",
    "depends_on",
    "healthcheck",
    "restart",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def test_has_every_platform_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) >= REQUIRED_SERVICES


def test_services_are_well_formed(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        assert set(service) <= SERVICE_KEYS, f"{name}: unknown keys {set(service) - SERVICE_KEYS}"
        assert "image" in service or "build" in service, name
        assert set(service.get("depends_on", {})) <= set(services), name
        for condition in service.get("depends_on", {}).values():
            assert condition["condition"] in {"service_started", "service_healthy"}, name
        command = service.get("command", [])
        assert isinstance(command, list) and all(isinstance(a, str) for a in command), name


def test_healthy_dependencies_have_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, service in services.items():
        for dep, condition in service.get("depends_on", {}).items():
            if condition["condition"] == "service_healthy":
                assert "healthcheck" in services[dep], f"{name} waits for {dep} to be healthy"


def test_ports_are_published_on_loopback_only(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for port in service.get("ports", []):
            assert isinstance(port, str) and port.startswith("127.0.0.1:"), f"{name}: {port}"


def test_named_volumes_are_declared(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in compose["volumes"], f"{name}: volume {source} not declared"
