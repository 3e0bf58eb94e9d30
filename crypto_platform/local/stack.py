"""The embedded local stack: bring every service up healthy, report on it, and stop it by PID.

`up` is all or nothing: it checks every port first, starts the processes together (Dagster is the
slowest, so it does not wait for the others), waits for each to answer a real request, then
initialises them (topics, bucket, `sql/`). If anything fails, it stops what it started and raises
a `StackError` whose message names the cause. Services that settings point elsewhere (MSK, S3,
Snowflake) are health-checked and initialised, never started.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from crypto_platform.local.dagster import DagsterService
from crypto_platform.local.kafka import KafkaService
from crypto_platform.local.process import StackError, port_open, wait_until
from crypto_platform.local.s3 import S3Service
from crypto_platform.local.service import LocalService
from crypto_platform.local.warehouse import WarehouseService
from crypto_platform.local.workers import DashboardWorker, LoaderWorker, ProducerWorker, SimulatorWorker
from crypto_platform.settings import LOCAL_HOST, PROJECT_ROOT, Settings


@dataclass(frozen=True)
class ServiceStatus:
    name: str
    state: str  # healthy | unhealthy | stopped | external | external-unreachable | a worker's: stalled, ...
    address: str
    pid: int | None
    detail: str = ""  # why it is not healthy, and since when


def all_services(settings: Settings) -> list[LocalService]:
    """Every service in start order; the simulator only when the producer needs it."""
    services = [KafkaService(settings), S3Service(settings), WarehouseService(settings)]
    if settings.use_simulator:
        services.append(SimulatorWorker(settings))
    workers = [ProducerWorker(settings), LoaderWorker(settings), DashboardWorker(settings)]
    return [*services, *workers, DagsterService(settings)]


def up(
    settings: Settings, report: Callable[[str], None] = print, only: Collection[str] | None = None
) -> list[ServiceStatus]:
    """Start the stack, or only the services named in `only` (benchmarks use a subset). Services
    that need the others set up (`after_setup`: the producer checks its topics, the loader its
    offsets table) start once every other one is healthy and initialised."""
    services = [s for s in all_services(settings) if only is None or s.name in only]
    to_start = [s for s in services if not s.external and s.process.pid() is None]
    _refuse_taken_ports(to_start)
    started: list[LocalService] = []
    try:
        for service in to_start:
            report(f"preparing {service.name}")
            service.prepare()
        for wave in (False, True):
            for service in to_start:
                if service.after_setup == wave:
                    service.process.start(service.command(), service.env(), cwd=PROJECT_ROOT)
                    started.append(service)
                    report(f"started {service.name} (pid {service.process.pid()}) on {service.address}")
            for service in services:
                if service.after_setup == wave:
                    _wait_healthy(service)
                    service.initialise()
                    report(f"{service.name} is healthy")
    except BaseException:
        for service in reversed(started):
            service.process.stop()
        raise
    return status(settings)


def down(settings: Settings) -> list[str]:
    """Stop every local process this stack started (by PID file); data stays in place."""
    return [s.name for s in reversed(all_services(settings)) if s.process.stop()]


def status(settings: Settings) -> list[ServiceStatus]:
    result = []
    for service in all_services(settings):
        if service.external:
            state = "external" if service.healthy() else "external-unreachable"
            result.append(ServiceStatus(service.name, state, service.address, None))
            continue
        pid = service.process.pid()
        state, detail = ("stopped", "") if pid is None else service.condition()
        result.append(ServiceStatus(service.name, state, service.address, pid, detail))
    return result


def _refuse_taken_ports(services: list[LocalService]) -> None:
    for service in services:
        for port in service.ports:
            if port_open(LOCAL_HOST, port):
                raise StackError(
                    f"port {port} on {LOCAL_HOST} is already in use, so {service.name} cannot start; "
                    "stop whatever holds it or configure another port"
                )


def _wait_healthy(service: LocalService) -> None:
    if service.external:
        if not service.healthy():
            raise StackError(f"{service.name}: the configured service at {service.address} does not answer")
        return
    ok = wait_until(lambda: service.healthy() or service.process.exited(), service.startup_timeout, 0.5)
    if service.process.exited():
        tail = service.process.log_tail(1) or "no output"
        raise StackError(f"{service.name} exited while starting: {tail} (log: {service.process.log_file})")
    if not ok:
        raise StackError(
            f"{service.name} did not become healthy within {service.startup_timeout:.0f}s "
            f"(log: {service.process.log_file})"
        )
