"""Gaps: the whole stack with every feed simulated, each venue's connection cut for 5 to 30 s once a
minute, and how complete the trades are once Dagster has repaired what it can.

The stack starts in a temporary home with the simulator at `--rate` trades/s in all. Once every feed
produces, for `--minutes` minutes each venue is silenced for a random 5 to 30 s (seeded) and its
connection dropped, once a minute. Then the outages stop, and the benchmark waits until every feed
symbol has a trade loaded from after them (so every gap is found), then (up to `--settle` seconds)
until no gap of a feed with a history is open.
The reference, from the same run: the simulator's own trades over the outage period (a pure
function of its seed and time), against CORE.TRADES. It prints per feed the gaps, the seconds
missing, the trades recovered and the repair delay (from the end of a gap to its repair), and last:

    completeness <pct>% of the simulator's trades in CORE.TRADES, gaps repaired in p95 <s> s

the percentage over the feeds with a history (Coinbase, Kraken, Binance); Finnhub's gaps are
counted as flagged, against its outages long enough to make one.

    python -m bench.gaps [--minutes 10] [--rate 1000] [--settle 300]
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime

import httpx

from bench.common import arguments, print_table, services, simulator_rate
from crypto_platform.local.process import wait_until
from crypto_platform.local.stack import all_services
from crypto_platform.prices.health import health_file, read_health
from crypto_platform.prices.loader.trades_loader import GAP_RULES
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.repair import has_history
from crypto_platform.settings import LOCAL_HOST, Settings
from crypto_platform.simulator import market
from crypto_platform.warehouse import connect, query, run_query
from crypto_platform.warehouse.gap_tables import Gap, gaps

HISTORY = [name for name, feed in FEEDS.items() if has_history(feed)]


def cut(settings: Settings, venue: str, seconds: float) -> None:
    """Silence `venue` for `seconds` and drop its connections: no trade reaches the producer meanwhile."""
    base = f"http://{LOCAL_HOST}:{settings.simulator_port}/control"
    httpx.get(f"{base}/silence", params={"venue": venue, "seconds": seconds}, timeout=10).raise_for_status()
    httpx.get(f"{base}/drop", params={"venue": venue}, timeout=10).raise_for_status()


def now_to_the_ms() -> datetime:
    """Now (UTC) to the millisecond, as the simulator's trade times are: the window compared in
    CORE.TRADES is then exactly the one counted from the simulator (a trade in the first
    millisecond is in both)."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def producing(settings: Settings) -> bool:
    status = read_health(health_file(settings.home, "producer")) or {}
    return all(feed.get("produced", 0) > 0 for feed in status.get("feeds", {}).values()) and bool(status)


def loaded(settings: Settings, since: datetime, until: datetime) -> dict[tuple[str, str], int]:
    """CORE.TRADES per (source, feed symbol) with a trade time in [since, until) (UTC)."""
    sql = (
        "SELECT SOURCE, FEED_SYMBOL, COUNT(*) FROM CORE.TRADES WHERE TRADE_TS >= ? AND TRADE_TS < ? "
        "GROUP BY SOURCE, FEED_SYMBOL"
    )
    with connect(settings) as conn:
        rows = run_query(conn, sql, [since.replace(tzinfo=None), until.replace(tzinfo=None)]).rows
    return {(source, symbol): int(n) for source, symbol, n in rows}


def all_found(settings: Settings, end: datetime, symbols: int) -> bool:
    """Whether each of the `symbols` feed symbols has a live trade loaded from after `end` (UTC): a
    gap is found when the next trade after it loads, so then every gap before `end` is known."""
    with connect(settings) as conn:
        oldest, count = run_query(conn, query("bench_feed_sequences_oldest")).rows[0]
    return count == symbols and oldest is not None and oldest > end.timestamp() * 1000


def complete(counts: dict[tuple[str, str], int], expected: dict[tuple[str, str], int]) -> bool:
    """Whether every (feed, symbol) with a history has all its expected trades loaded."""
    return all(counts.get(key, 0) >= n for key, n in expected.items() if key[0] in HISTORY)


def settled(settings: Settings, since: datetime) -> list[Gap]:
    with connect(settings) as conn:
        return gaps(conn, since)


def main() -> None:
    args = arguments(
        __doc__,
        minutes=(10.0, "minutes of outages"),
        rate=(1000.0, "trades per second, in all"),
        settle=(300.0, "seconds to wait for the repairs afterwards"),
    )
    names = [s.name for s in all_services(Settings())]
    rng = random.Random(7)
    with services(names, SIMULATOR_RATE=simulator_rate(args.rate)) as settings:
        assert wait_until(lambda: producing(settings), 120), "the feeds did not start producing"
        start = now_to_the_ms()
        outages: dict[str, list[float]] = {venue: [] for venue in FEEDS}
        for minute in range(int(args.minutes)):
            plan = sorted((rng.uniform(0, 30), venue, rng.uniform(5, 30)) for venue in FEEDS)
            began = time.monotonic()
            for offset, venue, seconds in plan:
                time.sleep(max(0.0, began + offset - time.monotonic()))  # the benchmark's own schedule
                cut(settings, venue, seconds)
                outages[venue].append(seconds)
            time.sleep(max(0.0, began + 60 - time.monotonic()))
            print(f"minute {minute + 1}: " + ", ".join(f"{v} {s:.0f} s" for _, v, s in plan), flush=True)
        end = now_to_the_ms()
        symbols = sum(len(feed.DEFAULT_SYMBOLS) for feed in FEEDS.values())
        found_all = wait_until(lambda: all_found(settings, end, symbols), 120)
        repaired = wait_until(
            lambda: not [g for g in settled(settings, start) if g.source in HISTORY and g.state == "open"],
            args.settle,
        )
        seed, rate = settings.simulator_seed, settings.simulator_rate
        start_ms, end_ms = int(start.timestamp() * 1000), int(end.timestamp() * 1000)
        expected = {
            (venue, symbol): len(market.trades(seed, venue, symbol, start_ms, end_ms, rate))
            for venue in FEEDS
            for symbol in FEEDS[venue].DEFAULT_SYMBOLS
        }
        # The repaired trades are in Kafka once their gaps are settled: wait until the loader has them.
        all_loaded = wait_until(lambda: complete(loaded(settings, start, end), expected), 120)
        found = settled(settings, start)
        counts = loaded(settings, start, end)
    rows, delays = [], []
    for venue in FEEDS:
        mine = [g for g in found if g.source == venue]
        want = sum(n for (v, _), n in expected.items() if v == venue)
        got = sum(min(counts.get(key, 0), n) for key, n in expected.items() if key[0] == venue)
        waits = [
            (g.settled_at - g.end_ts).total_seconds() for g in mine if g.state == "repaired" and g.settled_at
        ]
        delays += waits if venue in HISTORY else []
        long = sum(seconds > GAP_RULES.silence_seconds for seconds in outages[venue])
        cuts = f"{len(outages[venue])} outages" + (
            "" if venue in HISTORY else f" ({long} over the {GAP_RULES.silence_seconds:g} s that make a gap)"
        )
        rows.append((
            venue,
            f"{cuts}: {len(mine)} gaps, "
            f"{sum((g.end_ts - g.start_ts).total_seconds() for g in mine):.0f} s missing, "
            f"{sum(g.recovered or 0 for g in mine):,} recovered, "
            f"{sum(g.state == 'unrepairable' for g in mine)} flagged unrepairable; "
            f"{got:,} of {want:,} trades ({100 * got / want if want else 100:.2f}%)"
            + (f"; repair delay p50 {statistics.median(waits):.0f} s" if waits else ""),
        ))  # fmt: skip
    done = f"every gap found: {found_all}, repairs done: {repaired}, all loaded: {all_loaded}"
    print_table(f"gaps over {args.minutes:.0f} min at {args.rate:g} trades/s ({done})", rows)
    want = sum(n for (v, _), n in expected.items() if v in HISTORY)
    got = sum(min(counts.get(key, 0), n) for key, n in expected.items() if key[0] in HISTORY)
    p95 = (
        statistics.quantiles(delays, n=20)[18]
        if len(delays) >= 2
        else (delays[0] if delays else float("nan"))
    )
    print(
        f"completeness {100 * got / want:.2f}% of the simulator's trades in CORE.TRADES, "
        f"gaps repaired in p95 {p95:.0f} s"
    )


if __name__ == "__main__":
    main()
