"""Producer throughput: trades per second from simulator frames into Kafka, against kcat's ceiling.

The frames come from the simulator's own generator (seeded), served as fast as a websocket can
carry them by a replay server in a separate process, and read by the real producer service (the
websocket client, parsing, validation, the idempotent aiokafka sink) until Kafka has acknowledged
every trade. The reference is `kcat -P` writing the same keyed messages with the same guarantees
(acks=all, idempotence, the producer's compression codec) to the same broker in the same run.

Half a million trades by default: with fewer, kcat's fixed start-up cost is a large part of its
time and the ratio looks better than the steady state.

    python -m bench.producer [--trades 500000]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

from websockets.asyncio.server import serve

from bench.common import print_table, services
from crypto_platform.kafka_client import ensure_topics
from crypto_platform.local.process import wait_until
from crypto_platform.producer.feeds import finnhub
from crypto_platform.producer.service import ProducerService
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
            lambda: service.stats.produced >= trades or not thread.is_alive(), 600, interval=0.01
        )
        if not done or service.stats.produced < trades:
            raise RuntimeError(f"producer stopped short: {service.stats.summary()}")
        elapsed = time.perf_counter() - started
        service.stop()
        thread.join(60)
        return elapsed
    finally:
        server.terminate()


def measure_kcat(settings: Settings, frames: list[str], topic: str) -> tuple[float, int]:
    """Write the producer's own output (key TAB value per trade) with kcat; returns seconds and count."""
    lines = []
    for frame in frames:
        for trade in finnhub.parse(frame, 1).trades:
            lines.append(trade.key() + b"\t" + trade.to_json())
    with tempfile.NamedTemporaryFile(suffix=".tsv") as data:
        Path(data.name).write_bytes(b"\n".join(lines) + b"\n")
        codec = settings.producer_compression or "none"
        command = [
            "kcat", "-P", "-b", settings.kafka_bootstrap, "-t", topic, "-K", "\t", "-z", codec,
            "-X", "acks=all", "-X", "enable.idempotence=true", "-X", "linger.ms=20", "-l", data.name,
        ]  # fmt: skip
        started = time.perf_counter()
        subprocess.run(command, check=True)
        return time.perf_counter() - started, len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trades", type=int, default=500_000)
    parser.add_argument("--port", type=int, default=18090, help="the replay server's port on 127.0.0.1")
    args = parser.parse_args()
    if shutil.which("kcat") is None:
        raise SystemExit("kcat is not installed: apt-get install kcat (make bench does this)")
    frames = simulator_frames(args.trades)
    run = uuid.uuid4().hex[:8]
    with services(["kafka"]) as base:
        settings = base.model_copy(
            update={
                "kafka_topic_trades": f"bench.producer.{run}",
                "kafka_topic_dlq": f"bench.producer.dlq.{run}",
                "producer_feed_url": f"ws://127.0.0.1:{args.port}/",
                "producer_symbols": SYMBOLS,
                "home": Path(tempfile.mkdtemp(prefix="bench-producer-")),
            }
        )
        ensure_topics(settings)
        kcat_topic = f"bench.kcat.{run}"
        ensure_topics(settings.model_copy(update={"kafka_topic_trades": kcat_topic}))
        kcat_seconds, kcat_count = measure_kcat(settings, frames, kcat_topic)
        producer_seconds = measure_producer(settings, frames, args.trades, args.port)
    producer_rate, kcat_rate = args.trades / producer_seconds, kcat_count / kcat_seconds
    print_table(
        f"producer: {args.trades:,} trades in {len(frames):,} simulator frames, 3 partitions, "
        f"{settings.producer_compression or 'no'} compression, acks=all, idempotent",
        [
            (
                "producer (websocket -> parse -> aiokafka)",
                f"{producer_rate:,.0f} trades/s ({producer_seconds:.2f} s)",
            ),
            ("kcat -P, same messages (reference)", f"{kcat_rate:,.0f} msgs/s ({kcat_seconds:.2f} s)"),
            ("ratio producer / kcat", f"{producer_rate / kcat_rate:.2f} (goal >= 0.50)"),
        ],
    )


if __name__ == "__main__":
    main()
