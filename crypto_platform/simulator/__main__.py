"""`python -m crypto_platform.simulator --host 127.0.0.1 --port 8090 --rate 50 --seed 42`

Runs in the foreground, logs to stdout (counters every `--stats-interval` seconds) and stops cleanly on
SIGTERM or Ctrl-C.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys

from crypto_platform.simulator.config import MALFORMED_KINDS, SimulatorConfig
from crypto_platform.simulator.server import MarketSimulator

log = logging.getLogger("crypto_platform.simulator")


def parse_args(argv: list[str] | None = None) -> tuple[SimulatorConfig, float]:
    parser = argparse.ArgumentParser(
        prog="python -m crypto_platform.simulator",
        description="The local market: Finnhub, Coinbase, Kraken and Binance trade websockets and REST "
        "histories over one simulated market, and Finnhub news, on one port, seeded.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090, help="0 picks a free port (logged)")
    parser.add_argument("--rate", type=float, default=50.0, help="trades per second on each venue")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--tick", type=float, default=0.1, help="seconds between trade frames")
    parser.add_argument("--ping-interval", type=float, default=15.0)
    parser.add_argument("--error-ratio", type=float, default=0.0, help="chance of an error frame per tick")
    parser.add_argument("--malformed-ratio", type=float, default=0.0, help="chance of a bad frame per tick")
    parser.add_argument("--malformed-kinds", type=_kinds, default=MALFORMED_KINDS, help="comma-separated")
    parser.add_argument("--drop-after-frames", type=int, default=None)
    parser.add_argument("--stats-interval", type=float, default=10.0)
    args = vars(parser.parse_args(argv))
    stats_interval = args.pop("stats_interval")
    try:
        return SimulatorConfig(**args), stats_interval
    except ValueError as exc:
        parser.error(str(exc))


def _kinds(text: str) -> tuple[str, ...]:
    return tuple(kind for kind in text.split(",") if kind)


async def serve(config: SimulatorConfig, stats_interval: float) -> None:
    simulator = MarketSimulator(config)
    await simulator.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    log.info("listening: websocket %s, news %s/news", simulator.ws_url("TOKEN"), simulator.http_url)
    for venue in ("coinbase", "kraken", "binance"):
        log.info("%s: websocket %s, REST %s", venue, simulator.venue_ws_url(venue), simulator.rest_url(venue))
    while not stop.is_set():
        try:
            await asyncio.wait_for(stop.wait(), stats_interval)
        except TimeoutError:
            log.info("sent %s", simulator.counters.snapshot())
    await simulator.stop()
    log.info("stopped; sent %s", simulator.counters.snapshot())


def main(argv: list[str] | None = None) -> None:
    config, stats_interval = parse_args(argv)
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    asyncio.run(serve(config, stats_interval))


if __name__ == "__main__":
    main()
