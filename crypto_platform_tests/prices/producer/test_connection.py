"""The feed connection against real websocket servers: silent feeds, backoff, sessions renewed."""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from websockets.asyncio.server import ServerConnection, serve

from crypto_platform.clients.backoff import Backoff
from crypto_platform.clients.redaction import redact
from crypto_platform.local.process import wait_until
from crypto_platform.prices.producer.connection import FeedConnection
from crypto_platform.prices.producer.counters import ProducerCounters


@contextmanager
def server(talks: bool = False) -> Iterator[tuple[int, list[str]]]:
    """A websocket server that accepts and records what it is sent; it never says a word, or when
    `talks`, says `"n"` every 10 ms from the first message on."""
    received: list[str] = []
    ready = threading.Event()
    state: dict = {}

    async def talk(ws: ServerConnection) -> None:
        for n in range(1_000_000):
            await ws.send(str(n))
            await asyncio.sleep(0.01)

    async def handler(ws: ServerConnection) -> None:
        talking = None
        try:
            async for message in ws:
                received.append(str(message))
                if talks and talking is None:
                    talking = asyncio.create_task(talk(ws))
        finally:
            if talking is not None:
                talking.cancel()

    async def main() -> None:
        state["loop"], state["stop"] = asyncio.get_running_loop(), asyncio.Event()
        async with serve(handler, "127.0.0.1", 0, close_timeout=0.5) as server:
            state["port"] = server.sockets[0].getsockname()[1]
            ready.set()
            await state["stop"].wait()

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        yield state["port"], received
    finally:
        state["loop"].call_soon_threadsafe(state["stop"].set)
        thread.join(10)


def test_a_silent_feed_is_reconnected_and_resubscribed(caplog: pytest.LogCaptureFixture) -> None:
    counters = ProducerCounters()
    with server() as (port, received):
        connection = FeedConnection(
            f"ws://127.0.0.1:{port}/?token=secret-token", ['{"type":"subscribe","symbol":"X"}'],
            lambda raw, ts: None, counters, silence_timeout=0.3, backoff=Backoff(0.01, 0.05),
        )  # fmt: skip
        thread = threading.Thread(target=connection.run, daemon=True)
        thread.start()
        assert wait_until(lambda: counters.reconnects >= 2 and len(received) >= 3, 20)
        connection.stop()
        thread.join(5)
    assert not thread.is_alive()
    assert set(received) == {'{"type":"subscribe","symbol":"X"}'}
    assert "no frame for 0.3s" in caplog.text
    assert "secret-token" not in caplog.text


def test_a_session_is_renewed_at_once_at_its_limit(caplog: pytest.LogCaptureFixture) -> None:
    """Binance closes a connection after 24 hours: the producer renews it ahead of that, without
    the failure backoff (here 30 s: two renewals within the deadline prove it is not waited)."""
    counters, frames = ProducerCounters(), []
    with server(talks=True) as (port, received):
        connection = FeedConnection(
            f"ws://127.0.0.1:{port}/", ["subscribe"], lambda raw, ts: frames.append(raw), counters,
            silence_timeout=5, backoff=Backoff(30, 30), max_session_seconds=0.3,
        )  # fmt: skip
        thread = threading.Thread(target=connection.run, daemon=True)
        thread.start()
        assert wait_until(lambda: counters.reconnects >= 2 and counters.gaps >= 2, 20), counters.summary()
        connection.stop()
        thread.join(5)
    assert received == ["subscribe"] * len(received) and len(received) >= 3
    assert "renewed after 0.3s, the feed's limit" in caplog.text
    assert counters.gap_seconds < 5 and len(frames) > 40


def test_backoff_grows_exponentially_with_full_jitter_and_resets() -> None:
    backoff = Backoff(0.5, 8.0, random.Random(1))
    delays = [backoff.next_delay() for _ in range(8)]
    ceilings = [0.5, 1, 2, 4, 8, 8, 8, 8]
    assert all(0 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert max(delays[4:]) > 2  # it does grow past the first ceilings
    backoff.reset()
    assert backoff.next_delay() <= 0.5


def test_redact_hides_the_api_token() -> None:
    assert redact("wss://ws.finnhub.io?token=abc123&x=1") == "wss://ws.finnhub.io?token=***&x=1"
