"""The market without a network: one pure price path, per-venue trades with closed-form ids."""

from __future__ import annotations

import statistics

from crypto_platform.simulator import market

START = 1_735_689_600_000  # 2025-01-01T00:00:00Z, a minute boundary
SEED, RATE = 42, 1_000.0
SAME_BTC = {"finnhub": "BINANCE:BTCUSDT", "binance": "BTCUSDT", "coinbase": "BTC-USD", "kraken": "BTC/USD"}


def test_trades_are_a_pure_function_of_seed_and_time() -> None:
    whole = market.trades(SEED, "binance", "BTCUSDT", START + 30_000, START + 150_000, RATE)
    market._minute.cache_clear()
    assert whole == market.trades(SEED, "binance", "BTCUSDT", START + 30_000, START + 150_000, RATE)
    halves = market.trades(SEED, "binance", "BTCUSDT", START + 30_000, START + 90_123, RATE) + market.trades(
        SEED, "binance", "BTCUSDT", START + 90_123, START + 150_000, RATE
    )
    assert whole == halves
    assert whole != market.trades(7, "binance", "BTCUSDT", START + 30_000, START + 150_000, RATE)
    assert all(START + 30_000 <= t.ts_ms < START + 150_000 for t in whole)
    assert [t.ts_ms for t in whole] == sorted(t.ts_ms for t in whole)


def test_ids_are_consecutive_per_symbol_and_closed_form() -> None:
    count = market.per_minute("BTCUSDT", RATE)
    assert count == round(RATE * 10 / 26 * 60)
    minutes = market.trades(SEED, "kraken", "BTC/USD", START, START + 3 * 60_000, RATE)
    assert len(minutes) == 3 * count
    ids = [t.trade_id for t in minutes]
    assert ids == list(range(START // 60_000 * count, START // 60_000 * count + 3 * count))
    some = market.trades_by_id(SEED, "kraken", "BTC/USD", ids[count - 5], ids[count + 5], RATE)
    assert some == minutes[count - 5 : count + 6]
    assert market.last_trade(SEED, "kraken", "BTC/USD", minutes[10].ts_ms, RATE).ts_ms == minutes[10].ts_ms
    finnhub = market.trades(SEED, "finnhub", "BINANCE:BTCUSDT", START, START + 60_000, RATE)
    assert {t.trade_id for t in finnhub} == {None} and {t.venue for t in finnhub} == {"finnhub"}


def test_rates_follow_the_activity_weights() -> None:
    """At 200 trades/s a venue's 7 default symbols share 12,000 trades a minute by weight 10:6:3:...:1."""
    assert [market.per_minute(s, 200) for s in ("BTC-USD", "ETH-USD", "SOL-USD", "ADA-USD")] == [
        4615,
        2769,
        1385,
        462,
    ]
    assert market.per_minute("BTC-USD", 0.001) == 1  # at least one trade a minute


def test_four_venues_see_one_price_path() -> None:
    for second in range(0, 600, 37):
        at = START + second * 1000
        means = [
            statistics.fmean(float(t.price) for t in market.trades(SEED, venue, symbol, at, at + 1000, RATE))
            for venue, symbol in SAME_BTC.items()
        ]
        assert (max(means) - min(means)) / min(means) < 6e-4, second  # within a few bps
    # Quote currencies that count as USD share the path; EUR follows a fixed rate.
    at = START + 3_600_000
    usd = market.mid_price(SEED, "BTC-USD", at)
    assert usd == market.mid_price(SEED, "BTCUSDT", at) == market.mid_price(SEED, "BTC/USDC", at)
    assert abs(market.mid_price(SEED, "BTC-EUR", at) * market.FIXED_USD["EUR"] / usd - 1) < 1e-12


def test_buys_lift_the_ask_and_sells_hit_the_bid() -> None:
    trades = market.trades(SEED, "coinbase", "BTC-USD", START, START + 60_000, RATE)
    for side in ("buy", "sell"):
        assert any(t.side == side for t in trades)
    spread = [
        float(t.price) / market.mid_price(SEED, "BTC-USD", t.ts_ms)
        - 1
        - market.basis(SEED, "coinbase", "BTC")
        for t in trades[:200]
    ]
    assert all((s > 0) == (t.side == "buy") for s, t in zip(spread, trades, strict=False) if abs(s) > 2e-5)


def test_the_path_is_realistic() -> None:
    """Real BTC 1-minute high-low ranges are typically 0.05-0.3%; a day moves a few percent."""
    ranges = []
    for minute in range(120):
        at = START + minute * 60_000
        prices = [float(t.price) for t in market.trades(SEED, "coinbase", "BTC-USD", at, at + 60_000, 200)]
        ranges.append((max(prices) - min(prices)) / min(prices))
    assert 0.0005 <= statistics.fmean(ranges) <= 0.003
    for day in range(5):
        path = [market.mid_price(SEED, "BTC-USD", START + day * 86_400_000 + m * 60_000) for m in range(1440)]
        assert 0.005 < (max(path) - min(path)) / min(path) < 0.12, day
    assert min(path) > 0.8 * 95_000 and max(path) < 1.2 * 95_000


def test_sizes_are_log_normal_around_a_few_hundred_dollars() -> None:
    trades = market.trades(SEED, "binance", "ETHUSDT", START, START + 120_000, RATE)
    notionals = sorted(float(t.price * t.size) for t in trades)
    assert 100 < notionals[len(notionals) // 2] < 600 and notionals[-1] > 10 * notionals[len(notionals) // 2]
    assert all(t.price == t.price.quantize(market.instrument("ETHUSDT").price_step) for t in trades)
