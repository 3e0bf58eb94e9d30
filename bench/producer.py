"""Producer throughput: trades per second from simulator frames into Kafka, against kcat's ceiling.

The frames come from the simulator's own generator (seeded), served as fast as a websocket can
carry them by a replay server in a separate process, and read by the real producer service (the
websocket client, parsing, validation, the idempotent aiokafka sink) until Kafka has acknowledged
every trade. The reference is `kcat -P` writing the same keyed messages with the same guarantees
(acks=all, idempotence, the producer's compression codec) to the same broker in the same run.

Half a million trades by default: with fewer, kcat's fixed start-up cost is a large part of its
time and the ratio looks better than the steady state. A first round, not counted, warms the broker
up: against a freshly started JVM kcat writes at well under half its later rate, which flattered the
producer (measured after it) in earlier versions of this benchmark. Then `--rounds` rounds of kcat and
the producer; the figures are the medians.

    python -m bench.producer [--trades 500000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from websockets.asyncio.server import serve

from bench.common import print_table, services
from crypto_platform.clients.kafka import ensure_topics
from crypto_platform.local.process import wait_until
from crypto_platform.prices.producer.feeds import finnhub
from crypto_platform.prices.producer.service import ProducerService
from crypto_platform.settings import Settings
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.session import FeedSession

SYMBOLS = ["BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:BNBUSDT", "BINANCE:XRPUSDT"]


def simulator_frames(trades: int, seed: int = 42) -> list[str]:
    """Trade frames (up to 100 trades each) from the simulator's generator, totalling `trades`."""
    session = FeedSession(SimulatorConfig(seed=seed, rate=20_000, max_batch=100), 0, 1_767_225_600_000)
    for symbol in SYMBOLS:
        session.subscribe(symbol)
    frames, count = [], 0
    while count < trades:
        for frame in session.next_frames():
            if frame.kind == "trade" and count < trades:
                frames.append(frame.text)
                count += len(frame.trades)
    return frames


def _replay(frames: list[str], port: int, ready: multiprocessing.Event) -> None:
    async def handler(websocket) -> None:
        for _ in SYMBOLS:  # the subscribe messages
            await websocket.recv()
        for frame in frames:
            await websocket.send(frame)
        await websocket.wait_closed()

    async def main() -> None:
        async with serve(handler, "127.0.0.1", port, max_size=None, compression=None):
            ready.set()
            await asyncio.Future()

    asyncio.run(main())


def measure_producer(settings: Settings, frames: list[str], trades: int, port: int) -> float:
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_replay, args=(frames, port, ready), daemon=True)
    server.start()
    try:
        ready.wait(30)
        service = ProducerService(settings)
        started = time.perf_counter()
        thread = threading.Thread(target=asyncio.run, args=(service.run(),))
        thread.start()
        done = wait_until(
            lambda: service.counters.produced >= trades or not thread.is_alive(), 600, interval=0.01
        )
        if not done or service.counters.produced < trades:
            raise RuntimeError(f"producer stopped short: {service.counters.summary()}")
        elapsed = time.perf_counter() - started
        service.stop()
        thread.join(60)
        return elapsed
    finally:
        server.terminate()


def kcat_lines(frames: list[str]) -> bytes:
    """The producer's own output for these frames, as `key TAB value` lines for `kcat -K`."""
    trades = [trade for frame in frames for trade in finnhub.parse(frame, 1).trades]
    return b"\n".join(trade.key() + b"\t" + trade.to_json() for trade in trades) + b"\n"


def measure_kcat(settings: Settings, data: Path, topic: str) -> float:
    """Seconds for kcat to write the lines in `data` with the producer's guarantees and codec."""
    codec = settings.producer_compression or "none"
    command = [
        "kcat", "-P", "-b", settings.kafka.bootstrap_servers, "-t", topic, "-K", "\t", "-z", codec,
        "-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=20", "-l", str(data),
    ]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trades", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of kcat then the producer, counted")
    parser.add_argument("--port", type=int, default=18090, help="the replay server's port on 127.0.0.1")
    args = parser.parse_args()
    if shutil.which("kcat") is None:
        raise SystemExit("kcat is not installed: apt-get install kcat (make bench does this)")
    frames = simulator_frames(args.trades)
    run = uuid.uuid4().hex[:8]
    producer_rates, kcat_rates = [], []
    with services(["kafka"]) as base, tempfile.TemporaryDirectory(prefix="bench-producer-") as folder:
        settings = base.model_copy(
            update={
                "kafka_topic_trades": f"bench.producer.{run}",
                "kafka_topic_dlq": f"bench.producer.dlq.{run}",
                "producer_feeds": ["finnhub"],
                "producer_feed_url": f"ws://127.0.0.1:{args.port}/",
                "producer_symbols": SYMBOLS,
                "home": Path(folder),
            }
        )
        ensure_topics(settings.kafka, settings.kafka_topics)
        kcat_topic = f"bench.kcat.{run}"
        ensure_topics(settings.kafka, {kcat_topic: settings.kafka_trades_partitions})
        data = Path(folder) / "kcat.tsv"
        data.write_bytes(kcat_lines(frames))
        for round_number in range(-1, args.rounds):  # round -1 warms the broker up and is not counted
            kcat_rate = args.trades / measure_kcat(settings, data, kcat_topic)
            producer_rate = args.trades / measure_producer(settings, frames, args.trades, args.port)
            if round_number >= 0:
                kcat_rates.append(kcat_rate)
                producer_rates.append(producer_rate)
    producer_rate, kcat_rate = statistics.median(producer_rates), statistics.median(kcat_rates)
    rounds = zip(producer_rates, kcat_rates, strict=True)
    print_table(
        f"producer: {args.trades:,} trades in {len(frames):,} simulator frames, 3 partitions, "
        f"{settings.producer_compression or 'no'} compression, acks=all, idempotent; "
        f"median of {args.rounds} rounds after one to warm up",
        [
            ("producer (websocket -> parse -> aiokafka)", _rates(producer_rates, "trades/s")),
            ("kcat -P, same messages (reference)", _rates(kcat_rates, "msgs/s")),
            ("ratio producer / kcat", f"{producer_rate / kcat_rate:.3f} (goal >= 0.50)"),
            ("ratio in each round", ", ".join(f"{p / k:.3f}" for p, k in rounds)),
        ],
    )


def _rates(rates: list[float], unit: str) -> str:
    return f"{statistics.median(rates):,.0f} {unit}; each: " + ", ".join(f"{rate:,.0f}" for rate in rates)


if __name__ == "__main__":
    main()
