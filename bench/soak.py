"""Soak: the whole stack for an hour in a temporary home, and whether any service's memory grows.

Every service `make up` starts runs with the simulator at `--rate` trades/s. The first
`--warmup` minutes (caches filling, the JIT of the broker's JVM) are not judged. After them,
each service's resident memory (RSS, its processes and their children, as `bench.footprint`
counts them) is sampled every `--interval` seconds until `--minutes` have passed since the start;
its growth per hour is the least-squares slope of those samples. Then the stack is stopped as
`make down` stops it, and the producer's spool is counted: with Kafka up, a clean stop must spool
nothing. The reference, from the same run: the trades the simulator sent, against those that
reached RAW.TRADES. The last line:

    soak: <minutes> min at <rate> trades/s, worst growth <MiB> MiB/h (<service>)

    python -m bench.soak [--minutes 60] [--rate 1000] [--warmup 5] [--interval 30]
"""

from __future__ import annotations

import statistics
import time

from bench.common import arguments, print_table, services, simulator_rate
from bench.footprint import MIB, sample, sessions
from crypto_platform.local import stack
from crypto_platform.local.stack import all_services
from crypto_platform.prices.producer import spool
from crypto_platform.prices.producer.spool import spool_dir
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query


def growth_per_hour(samples: list[tuple[float, int]]) -> float:
    """The least-squares slope of (monotonic seconds, RSS bytes) samples, in MiB per hour."""
    if len(samples) < 2:
        return 0.0
    times, sizes = zip(*samples, strict=True)
    return statistics.linear_regression(times, sizes).slope * 3600 / MIB


def main() -> None:
    args = arguments(
        __doc__,
        minutes=(60.0, "the whole run, warm-up included"),
        rate=(1000.0, "trades per second, in all"),
        warmup=(5.0, "minutes not judged at the start"),
        interval=(30.0, "seconds between samples"),
    )
    names = [s.name for s in all_services(Settings())]
    series: dict[str, list[tuple[float, int]]] = {name: [] for name in names}
    with services(names, SIMULATOR_RATE=simulator_rate(args.rate)) as settings:
        started = time.monotonic()
        end = started + args.minutes * 60
        time.sleep(args.warmup * 60)  # a benchmark's warm-up, not a synchronisation
        owners = sessions(settings)
        while True:
            now = time.monotonic()
            rss, _ = sample(owners)
            for name in names:
                series[name].append((now, rss.get(name, 0)))
            if now >= end:
                break
            time.sleep(min(args.interval, max(0.0, end - now)))
        minutes = (time.monotonic() - started) / 60
        with connect(settings) as conn:
            (loaded,) = run_query(conn, "select count(*) from RAW.TRADES").rows[0]
        stack.down(settings)  # as `make down`: SIGTERM, the producer flushes and spools what is left
        spooled = sum(len(spool.load(path)) for path in spool.files(spool_dir(settings.home)))

    growth = {name: growth_per_hour(points) for name, points in series.items() if points}
    rows = [
        (name, f"RSS {points[0][1] / MIB:,.0f} -> {points[-1][1] / MIB:,.0f} MiB, {growth[name]:+,.1f} MiB/h")
        for name, points in series.items()
        if points
    ]
    print_table(f"resident memory after the first {args.warmup:g} min, every {args.interval:g} s", rows)
    print(f"\ntrades in RAW.TRADES: {loaded:,} (simulator at {args.rate:g}/s for {minutes:.1f} min: "
          f"{args.rate * minutes * 60:,.0f})")  # fmt: skip
    print(f"records spooled by the clean stop: {spooled:,}")
    worst = max(growth, key=lambda name: growth[name])
    print(
        f"soak: {minutes:.0f} min at {args.rate:g} trades/s, worst growth {growth[worst]:.1f} MiB/h ({worst})"
    )


if __name__ == "__main__":
    main()
