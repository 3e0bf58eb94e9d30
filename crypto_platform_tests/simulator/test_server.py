"""The simulator over real websocket connections, through `websocket-client` as the producer uses it."""

from __future__ import annotations

import contextlib
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import replace

import websocket

from crypto_platform.prices.trade import BadFrame
from crypto_platform.simulator import SimulatorConfig, market, run_in_thread
from crypto_platform_tests.simulator.wsclient import (
    TIMEOUT,
    connect,
    parse,
    receive_until,
    receive_until_closed,
)

FAST = SimulatorConfig(rate=1_000, tick=0.02, ping_interval=0.1, record=True)
BTC, ETH, SOL = "BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT"


def kinds(frames: list[str]) -> Counter[str]:
    return Counter(json.loads(frame)["type"] for frame in frames)


def feed_symbols(frames: list[str]) -> set[str]:
    return {trade.feed_symbol for frame in frames for trade in parse(frame).trades}


def test_subscribed_trades_and_pings_arrive() -> None:
    with run_in_thread(FAST) as simulator:
        ws = connect(simulator, BTC, ETH)
        frames = receive_until(ws, lambda got: kinds(got)["ping"] >= 2 and feed_symbols(got) == {BTC, ETH})
        ws.close()
        received = [trade for frame in frames for trade in parse(frame).trades]
        sent = simulator.counters.sent_trades()[: len(received)]
        assert [(t.feed_symbol, t.price, t.size, t.trade_ts_ms) for t in received] == [
            (t.symbol, t.price, t.size, t.ts_ms) for t in sent
        ]
        assert {t.symbol for t in received} == {"BTC-USD", "ETH-USD"}
        assert {t.venue for t in sent} == {"finnhub"}


def test_an_empty_token_gets_an_error_frame_and_a_close() -> None:
    with run_in_thread(FAST) as simulator:
        ws = connect(simulator, BTC, token="")
        assert receive_until_closed(ws) == ['{"type":"error","msg":"Invalid API key"}']


def test_bad_client_messages_get_error_frames() -> None:
    with run_in_thread(replace(FAST, ping_interval=60)) as simulator:
        ws = connect(simulator)
        for message in (
            "not json",
            '{"type":"subscribe"}',
            '{"type":"subscribe","symbol":""}',
            '{"type":"hi","symbol":"X"}',
        ):
            ws.send(message)
        errors = [parse(ws.recv()).error for _ in range(4)]
        ws.close()
    assert errors == ["Invalid message", "Invalid message", "Invalid symbol", "Unknown message type 'hi'"]


def test_unsubscribe_stops_a_symbol() -> None:
    with run_in_thread(FAST) as simulator:
        ws = connect(simulator, BTC)
        receive_until(ws, lambda got: BTC in feed_symbols(got[-1:]))
        ws.send('{"type":"unsubscribe","symbol":"BINANCE:BTCUSDT"}')
        ws.send('{"type":"subscribe","symbol":"BINANCE:ETHUSDT"}')
        receive_until(ws, lambda got: ETH in feed_symbols(got[-1:]))
        # Messages are handled in order, so no tick after ETH's subscription can hold BTC.
        after = receive_until(ws, lambda got: kinds(got)["trade"] >= 10)
        ws.close()
    assert feed_symbols(after) == {ETH}


def test_drop_mid_stream_then_reconnect() -> None:
    with run_in_thread(replace(FAST, drop_after_frames=7)) as simulator:
        first = receive_until_closed(connect(simulator, BTC))
        assert len(first) == 7  # every counted frame arrived before the drop
        second = receive_until_closed(connect(simulator, BTC))
        snapshot = simulator.counters.snapshot()
    assert len(second) == 7
    assert (snapshot["connections"], snapshot["drops"], snapshot["frames_sent"]) == (2, 2, 14)
    prices = [
        [trade.price for frame in frames for trade in parse(frame).trades] for frames in (first, second)
    ]
    assert prices[0] and prices[1] and prices[0] != prices[1]  # a new connection is a new stream


def test_the_stream_is_the_markets_trades_at_the_configured_clock() -> None:
    """With `start_ms`, the clock starts there: the stream holds exactly the market's trades of its span."""
    start_ms = 1_735_689_600_000
    with run_in_thread(replace(FAST, start_ms=start_ms)) as simulator:
        ws = connect(simulator, BTC)
        frames = receive_until(ws, lambda got: sum(len(parse(f).trades) for f in got) >= 200)
        ws.close()
    got = [(t.price, t.size, t.trade_ts_ms) for frame in frames for t in parse(frame).trades]
    assert start_ms - 1_000 < got[0][2] and got[-1][2] < start_ms + 60_000
    expected = market.trades(FAST.seed, "finnhub", BTC, got[0][2], got[-1][2] + 1, FAST.rate)
    every = [(t.price, t.size, t.ts_ms) for t in expected]
    first = every.index(got[0])  # trades sharing the first ms may precede the connection
    assert got == every[first : first + len(got)]


def test_counters_equal_what_a_client_parses_and_dead_letters() -> None:
    """The rehearsal of the producer's check: trades sent == trades parsed + dead letters."""
    config = replace(FAST, rate=2_000, tick=0.01, error_ratio=0.2, malformed_ratio=0.5, drop_after_frames=120)
    with run_in_thread(config) as simulator:
        frames = receive_until_closed(connect(simulator, BTC, ETH, SOL))
        sent = simulator.counters.snapshot()
    trades, dead_letters, errors, pings = [], 0, 0, 0
    for frame in frames:
        try:
            result = parse(frame)
        except BadFrame:
            dead_letters += 1
            continue
        trades += result.trades
        dead_letters += len(result.rejected)
        errors += result.kind == "error"
        pings += result.kind == "ping"
    assert len(frames) == sent["frames_sent"] == 120
    assert Counter(t.feed_symbol for t in trades) == sent["trades_sent"]
    assert len({t.trade_id for t in trades}) == len(trades) == sent["trades_total"] > 0
    assert dead_letters == sent["malformed_total"] > 0
    assert (errors, pings) == (sent["errors_sent"], sent["pings_sent"])


def test_module_runs_in_the_foreground_and_stops_on_sigterm() -> None:
    command = [sys.executable, "-m", "crypto_platform.simulator", "--port", "0", "--ping-interval", "0.1"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as process:
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True)
        reader.start()
        try:
            url = _wait_for_line(lines, "listening: websocket ").split("websocket ")[1].split(",")[0]
            ws = websocket.create_connection(url.replace("TOKEN", "t"), timeout=TIMEOUT)
            assert json.loads(ws.recv()) == {"type": "ping"}
            ws.close()
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0
            _wait_for_line(lines, "stopped; sent")
        finally:
            if process.poll() is None:
                process.kill()
            reader.join(timeout=TIMEOUT)  # before the pipe is closed under it


def _wait_for_line(lines: queue.Queue[str], text: str) -> str:
    deadline = time.monotonic() + 60  # a new interpreter's start on a busy machine
    while (remaining := deadline - time.monotonic()) > 0:
        with contextlib.suppress(queue.Empty):
            if text in (line := lines.get(timeout=remaining)):
                return line
    raise AssertionError(f"no line with {text!r} in time")
