"""A connection's frames without a network: exactly the market's trades, faults and their counts."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace

import pytest

from crypto_platform.prices.producer.feeds import finnhub
from crypto_platform.prices.trade import BadFrame
from crypto_platform.simulator import MALFORMED_KINDS, SimTrade, SimulatorConfig, market
from crypto_platform.simulator.session import FeedSession
from crypto_platform.simulator.venues import PROTOCOLS, Frame

START = 1_735_689_600_000
CONFIG = SimulatorConfig(rate=200, tick=0.1, ping_interval=1.0, start_ms=START)
SYMBOLS = ("BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:DOGEUSDT")


def run(
    config: SimulatorConfig, symbols: tuple[str, ...], ticks: int, connection: int = 0, venue: str = "finnhub"
) -> list[Frame]:
    session = FeedSession(config, connection, START, PROTOCOLS[venue])
    for symbol in symbols:
        session.subscribe(symbol)
    return [frame for _ in range(ticks) for frame in session.next_frames()]


def trades(frames: list[Frame], symbol: str | None = None) -> list[SimTrade]:
    return [trade for frame in frames for trade in frame.trades if symbol in (None, trade.symbol)]


def test_a_session_streams_exactly_the_markets_trades() -> None:
    frames = run(CONFIG, SYMBOLS, 600)  # one minute
    delay = market.VENUES["finnhub"].delay_ms
    for symbol in SYMBOLS:
        expected = market.trades(
            CONFIG.seed, "finnhub", symbol, START - delay, START + 60_000 - delay, CONFIG.rate
        )
        assert trades(frames, symbol) == expected and expected
    stamps = [t.ts_ms for t in trades(frames)]
    assert stamps == sorted(stamps)


def test_trades_do_not_depend_on_the_connection_or_other_subscriptions() -> None:
    alone = trades(run(CONFIG, SYMBOLS[:1], 100))
    assert alone == trades(run(CONFIG, SYMBOLS, 100, connection=3), SYMBOLS[0])
    assert [f.text for f in run(CONFIG, SYMBOLS, 50)] != [
        f.text for f in run(replace(CONFIG, seed=7), SYMBOLS, 50)
    ]


def test_pings_and_batches() -> None:
    minute = run(CONFIG, SYMBOLS, 600)
    assert Counter(frame.kind for frame in minute)["ping"] == 60  # one a second
    frames = run(replace(CONFIG, rate=20_000, max_batch=10), SYMBOLS, 5)
    assert all(0 < len(frame.trades) <= 10 for frame in frames if frame.kind == "trade")
    assert len(trades(frames)) > 100


def test_unsubscribe_stops_and_resubscribe_resumes_without_backlog() -> None:
    session = FeedSession(CONFIG, 0, START)
    session.subscribe(SYMBOLS[0])
    session.next_frames()
    session.unsubscribe(SYMBOLS[0])
    assert session.symbols == []
    assert trades([frame for _ in range(20) for frame in session.next_frames()]) == []
    session.subscribe(SYMBOLS[0])
    resumed = trades([frame for _ in range(10) for frame in session.next_frames()])
    delay = market.VENUES["finnhub"].delay_ms
    assert resumed and min(t.ts_ms for t in resumed) >= START + 21 * 100 - delay


def test_omitted_windows_are_skipped() -> None:
    session = FeedSession(CONFIG, 0, START, PROTOCOLS["binance"])
    session.subscribe("BTCUSDT")
    window = (START + 1_000, START + 2_000)
    sent = trades([frame for n in range(1, 31) for frame in session.next_frames(START + n * 100, [window])])
    delay = market.VENUES["binance"].delay_ms
    every = market.trades(
        CONFIG.seed, "binance", "BTCUSDT", START - delay, START + 3_000 - delay, CONFIG.rate
    )
    assert sent == [t for t in every if not window[0] <= t.ts_ms + delay < window[1]]
    assert len(sent) < len(every)


def test_kraken_heartbeats_each_second_without_trades() -> None:
    frames = run(replace(CONFIG, rate=0.001), ("BTC/USD",), 100, venue="kraken")  # ten seconds, ~no trades
    assert 9 <= sum(frame.text == '{"channel":"heartbeat"}' for frame in frames) <= 10


def test_each_malformed_thing_is_worth_exactly_one_dead_letter() -> None:
    """What the producer's count check will rely on: valid trades arrive, each fault is one dead letter."""
    frames = run(replace(CONFIG, malformed_ratio=0.6, error_ratio=0.2), SYMBOLS, 200)
    parsed, dead_letters, errors = [], 0, 0
    for frame in frames:
        try:
            result = finnhub.parse(frame.text, START)
        except BadFrame:
            dead_letters += 1
            continue
        parsed.extend(result.trades)
        dead_letters += len(result.rejected)
        errors += result.kind == "error"
    sent = trades(frames)
    assert [(t.feed_symbol, t.price, t.size, t.trade_ts_ms) for t in parsed] == [
        (t.symbol, t.price, t.size, t.ts_ms) for t in sent
    ]
    malformed = Counter(frame.malformed for frame in frames if frame.malformed)
    assert set(malformed) == set(MALFORMED_KINDS)
    assert dead_letters == malformed.total()
    assert errors == Counter(frame.kind for frame in frames)["error"] > 0
    assert frames != run(replace(CONFIG, malformed_ratio=0.6, error_ratio=0.2), SYMBOLS, 200, connection=1)


def test_finnhub_items_are_finnhubs_shape() -> None:
    frame = next(frame for frame in run(CONFIG, SYMBOLS[:1], 10) if frame.kind == "trade")
    item = json.loads(frame.text)["data"][0]
    assert set(item) == {"c", "p", "s", "t", "v"} and item["s"] == SYMBOLS[0]


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="positive"):
        SimulatorConfig(rate=0)
    with pytest.raises(ValueError, match="unknown malformed kinds"):
        SimulatorConfig(malformed_kinds=("bad_json", "gibberish"))
