"""websocket-client sessions against the simulator, as the producer holds them, and frame readers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime

import websocket

from crypto_platform.prices.producer.feeds import finnhub
from crypto_platform.prices.producer.feeds.base import ParseResult
from crypto_platform.simulator import MarketSimulator

TIMEOUT = 5.0  # every receive has this deadline
SUBSCRIBE = {
    "coinbase": lambda symbols: {"type": "subscribe", "product_ids": symbols, "channels": ["matches"]},
    "kraken": lambda symbols: {"method": "subscribe", "params": {"channel": "trade", "symbol": symbols}},
    "binance": lambda symbols: {
        "method": "SUBSCRIBE",
        "params": [f"{s.lower()}@trade" for s in symbols],
        "id": 1,
    },
}
"""Each venue's subscribe message, as its documentation gives it."""


def connect(simulator: MarketSimulator, *symbols: str, token: str = "test") -> websocket.WebSocket:
    """A Finnhub session subscribed to `symbols`."""
    ws = websocket.create_connection(simulator.ws_url(token), timeout=TIMEOUT)
    for message in finnhub.subscribe_messages(symbols):
        ws.send(message)
    return ws


def connect_venue(simulator: MarketSimulator, venue: str, *symbols: str) -> websocket.WebSocket:
    """A Coinbase, Kraken or Binance session subscribed to `symbols` (the venue's spelling)."""
    ws = websocket.create_connection(simulator.venue_ws_url(venue), timeout=TIMEOUT)
    ws.send(json.dumps(SUBSCRIBE[venue](list(symbols))))
    return ws


def parse(raw: str) -> ParseResult:
    return finnhub.parse(raw, int(time.time() * 1000))


def trade_items(venue: str, raw: str) -> list[tuple[int, str, str, int, str]]:
    """The live trades of one venue frame as (trade_id, price, size, ts_ms, taker side); Kraken's
    snapshot and Coinbase's last_match (history, not live) are left out."""
    frame = json.loads(raw)
    if venue == "coinbase" and frame.get("type") == "match":
        side = {"buy": "sell", "sell": "buy"}[frame["side"]]
        return [(frame["trade_id"], frame["price"], frame["size"], iso_ms(frame["time"]), side)]
    if venue == "kraken" and frame.get("channel") == "trade" and frame["type"] == "update":
        return [
            (d["trade_id"], repr(d["price"]), repr(d["qty"]), iso_ms(d["timestamp"]), d["side"])
            for d in frame["data"]
        ]
    if venue == "binance" and "stream" in frame:
        d = frame["data"]
        return [(d["t"], d["p"], d["q"], d["T"], "sell" if d["m"] else "buy")]
    return []


def iso_ms(text: str) -> int:
    """ms since the epoch of an ISO 8601 UTC time."""
    return round(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)


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
