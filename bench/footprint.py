"""The local platform's footprint: memory and CPU of everything `make up` starts, at rest.

The whole stack is started in a temporary home (the simulator at `--rate` trades/s), left to settle
for `--settle` seconds, then every process it started, and every child of those (Dagster's runs
included: each service is a session of its own, so its children are found by session id), is
sampled once a second for `--seconds` seconds with psutil: resident memory (RSS) and CPU time.
Per service it prints the peak RSS and the CPU used over the window as a percentage of one core;
the last line is the stack's:

    stack: RSS <MiB> MiB peak, CPU <percent>% of one core over <seconds> s at <rate> trades/s

(the peak of the sum of all services' RSS at one sampling instant, and all their CPU time over the
window, including processes that ended within it). No browser tab is open, so the dashboard serves
nothing but its health checks.

    python -m bench.footprint [--seconds 300] [--settle 120] [--rate 200]
"""

from __future__ import annotations

import os
import time
from collections import defaultdict

import psutil

from bench.common import arguments, print_table, services, simulator_rate
from crypto_platform.local.stack import all_services
from crypto_platform.settings import Settings

MIB = 1024 * 1024


def sessions(settings: Settings) -> dict[int, str]:
    """Session id -> service name, for every service of the stack that is running."""
    return {pid: s.name for s in all_services(settings) if (pid := s.process.pid()) is not None}


def sample(owners: dict[int, str]) -> tuple[dict[str, int], dict[int, tuple[str, float]]]:
    """RSS per service (bytes), and CPU seconds so far of each process (pid -> (service, seconds))."""
    rss: dict[str, int] = defaultdict(int)
    cpu: dict[int, tuple[str, float]] = {}
    for process in psutil.process_iter(["pid"]):
        try:
            service = owners.get(os.getsid(process.pid))
            if service is None:
                continue
            with process.oneshot():
                rss[service] += process.memory_info().rss
                times = process.cpu_times()
                cpu[process.pid] = (service, times.user + times.system)
        except (psutil.Error, ProcessLookupError):
            continue  # ended while it was read
    return rss, cpu


def measure(settings: Settings, seconds: float) -> tuple[dict[str, int], int, dict[str, float]]:
    """Peak RSS per service, the stack's peak RSS (bytes), and CPU seconds per service over the window."""
    owners = sessions(settings)
    peaks: dict[str, int] = defaultdict(int)
    stack_peak = 0
    _, start = sample(owners)
    last: dict[int, tuple[str, float]] = dict(start)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(1.0)
        rss, cpu = sample(owners)
        for service, used in rss.items():
            peaks[service] = max(peaks[service], used)
        stack_peak = max(stack_peak, sum(rss.values()))
        last.update(cpu)  # a process that ended keeps its last reading
    used_cpu: dict[str, float] = defaultdict(float)
    for pid, (service, seconds_used) in last.items():
        used_cpu[service] += seconds_used - start.get(pid, (service, 0.0))[1]
    return peaks, stack_peak, used_cpu


def main() -> None:
    args = arguments(
        __doc__,
        seconds=(300.0, "the sampling window"),
        settle=(120.0, "seconds after start-up before sampling"),
        rate=(200.0, "trades per second, in all"),
    )
    names = [s.name for s in all_services(Settings())]
    with services(names, SIMULATOR_RATE=simulator_rate(args.rate)) as settings:
        time.sleep(args.settle)  # a benchmark's warm-up, not a synchronisation
        peaks, stack_peak, cpu = measure(settings, args.seconds)

    def share(name: str) -> float:
        return 100 * cpu.get(name, 0.0) / args.seconds

    rows = [(name, f"RSS {peaks.get(name, 0) / MIB:,.0f} MiB peak, CPU {share(name):.1f}%") for name in names]
    print_table(f"footprint over {args.seconds:.0f} s at {args.rate:g} trades/s", rows)
    print(
        f"stack: RSS {stack_peak / MIB:,.0f} MiB peak, CPU {100 * sum(cpu.values()) / args.seconds:.0f}% "
        f"of one core over {args.seconds:.0f} s at {args.rate:g} trades/s"
    )


if __name__ == "__main__":
    main()
