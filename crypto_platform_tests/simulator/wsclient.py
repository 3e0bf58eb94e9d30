"""A websocket-client session against the simulator, as the producer will hold one."""

from __future__ import annotations

import time
from collections.abc import Callable

import websocket

from crypto_platform.prices.producer.feeds import finnhub
from crypto_platform.prices.producer.feeds.base import ParseResult
from crypto_platform.simulator import FinnhubSimulator

TIMEOUT = 5.0  # every receive has this deadline


def connect(simulator: FinnhubSimulator, *symbols: str, token: str = "test") -> websocket.WebSocket:
    ws = websocket.create_connection(simulator.ws_url(token), timeout=TIMEOUT)
    for message in finnhub.subscribe_messages(symbols):
        ws.send(message)
    return ws


def parse(raw: str) -> ParseResult:
    return finnhub.parse(raw, int(time.time() * 1000), source="simulator")


def receive_until_closed(ws: websocket.WebSocket, limit: int = 10_000) -> list[str]:
    """Every frame until the server closes (with or without a close frame)."""
    frames: list[str] = []
    try:
        while (frame := ws.recv()) != "":  # "" is the close frame
            frames.append(frame)
            assert len(frames) <= limit, "the server did not close"
    except websocket.WebSocketConnectionClosedException:
        pass
    finally:
        ws.shutdown()  # close() would skip the socket once the close handshake is done
    return frames


def receive_until(
    ws: websocket.WebSocket, done: Callable[[list[str]], bool], limit: int = 2_000
) -> list[str]:
    frames: list[str] = []
    while not done(frames):
        assert len(frames) < limit, "condition not met within the frame limit"
        frames.append(ws.recv())
    return frames
