"""The simulator's frames without a network: determinism, plausibility, faults and their counts."""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import replace
from decimal import Decimal

import pytest

from crypto_platform.prices.producer.feeds import finnhub
from crypto_platform.prices.trade import BadFrame
from crypto_platform.simulator import MALFORMED_KINDS, SimTrade, SimulatorConfig
from crypto_platform.simulator.session import FeedSession, Frame

START = 1_735_689_600_000
CONFIG = SimulatorConfig(rate=200, tick=0.1, ping_interval=1.0, start_ms=START)
SYMBOLS = ("BINANCE:BTCUSDT", "BINANCE:ETHUSDT", "BINANCE:SOLUSDT", "BINANCE:DOGEUSDT")
REFERENCE = {
    "BINANCE:BTCUSDT": 95_000,
    "BINANCE:ETHUSDT": 3_500,
    "BINANCE:SOLUSDT": 200,
    "BINANCE:DOGEUSDT": 0.32,
}


def run(config: SimulatorConfig, symbols: tuple[str, ...], ticks: int, connection: int = 0) -> list[Frame]:
    session = FeedSession(config, connection, START)
    for symbol in symbols:
        session.subscribe(symbol)
    return [frame for _ in range(ticks) for frame in session.next_frames()]


def trades(frames: list[Frame], symbol: str | None = None) -> list[SimTrade]:
    return [trade for frame in frames for trade in frame.trades if symbol in (None, trade.symbol)]


def test_same_seed_same_frames() -> None:
    frames = [frame.text for frame in run(CONFIG, SYMBOLS, 50)]
    assert frames == [frame.text for frame in run(CONFIG, SYMBOLS, 50)]
    assert frames != [frame.text for frame in run(replace(CONFIG, seed=7), SYMBOLS, 50)]
    assert frames != [frame.text for frame in run(CONFIG, SYMBOLS, 50, connection=1)]


def test_a_symbols_trades_do_not_depend_on_other_subscriptions() -> None:
    alone = trades(run(CONFIG, SYMBOLS[:1], 100))
    shared = trades(run(CONFIG, SYMBOLS, 100), SYMBOLS[0])
    assert len(shared) > 50
    assert [(t.price, t.size) for t in shared] == [(t.price, t.size) for t in alone[: len(shared)]]


@pytest.fixture(scope="module")
def minute() -> list[Frame]:
    """A minute of trades in four symbols."""
    return run(CONFIG, SYMBOLS, 600)


def test_prices_and_sizes_are_plausible(minute: list[Frame]) -> None:
    for symbol, reference in REFERENCE.items():
        fills = trades(minute, symbol)
        prices = [float(t.price) for t in fills]
        assert 0.9 * reference < min(prices) and max(prices) < 1.1 * reference, symbol
        assert len(set(prices)) > len(prices) / 10, f"{symbol} does not move"
        median_notional = statistics.median(float(t.price * t.size) for t in fills)
        assert 50 < median_notional < 1_000, symbol
    assert all(t.price == t.price.quantize(Decimal("0.01")) for t in trades(minute, SYMBOLS[0]))


def test_rate_weights_and_bursts(minute: list[Frame]) -> None:
    fills = trades(minute)
    assert 0.9 * 200 < len(fills) / 60 < 1.3 * 200  # bursts add a little to the rate
    per_symbol = Counter(t.symbol for t in fills)
    assert per_symbol["BINANCE:BTCUSDT"] > per_symbol["BINANCE:ETHUSDT"] > per_symbol["BINANCE:DOGEUSDT"]
    biggest_burst = max(Counter((t.symbol, t.ts_ms) for t in fills).values())
    assert biggest_burst >= 5


def test_frames_are_time_ordered_windows_with_pings(minute: list[Frame]) -> None:
    stamps = [t.ts_ms for t in trades(minute)]
    assert stamps == sorted(stamps) and stamps[0] >= START and stamps[-1] < START + 60_000
    assert Counter(frame.kind for frame in minute)["ping"] == 60  # one a second


def test_large_ticks_are_split_into_batches() -> None:
    frames = run(replace(CONFIG, rate=5_000, max_batch=10), SYMBOLS, 5)
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
    assert resumed and min(t.ts_ms for t in resumed) >= START + 21 * 100


def test_each_malformed_thing_is_worth_exactly_one_dead_letter() -> None:
    """What the producer's count check will rely on: valid trades arrive, each fault is one dead letter."""
    frames = run(replace(CONFIG, malformed_ratio=0.6, error_ratio=0.2), SYMBOLS, 200)
    parsed, dead_letters, errors = [], 0, 0
    for frame in frames:
        try:
            result = finnhub.parse(frame.text, START, source="simulator")
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
    assert len({t.trade_id for t in parsed}) == len(parsed)
    malformed = Counter(frame.malformed for frame in frames if frame.malformed)
    assert set(malformed) == set(MALFORMED_KINDS)
    assert dead_letters == malformed.total()
    assert errors == Counter(frame.kind for frame in frames)["error"] > 0


def test_config_is_checked() -> None:
    with pytest.raises(ValueError, match="positive"):
        SimulatorConfig(rate=0)
    with pytest.raises(ValueError, match="unknown malformed kinds"):
        SimulatorConfig(malformed_kinds=("bad_json", "gibberish"))
