"""One simulated market: a price path per asset and, per venue, the trades that follow it.

The path is pure: log price(asset, t) = log(anchor) + a sum of smooth value-noise octaves (knot
spacings 1 s to 36 h, each knot a Gaussian drawn from a hash of (seed, asset, octave, knot)) with
amplitudes sigma*sqrt(spacing), sigma = `DAILY_SIGMA` per sqrt(day), as Brownian motion scales; bounded, so
mean-reverting by construction. A pair's price is base path / quote path (USDT and USDC count as
USD, fiat quotes follow a fixed rate).

A venue sees the path through a constant basis (hash-derived, a few bps), a half-spread (buys at the
ask, sells at the bid) and an arrival delay. Its trades are pure too: each (venue, feed symbol,
minute) draws a fixed count `n` of trades at random milliseconds inside the minute from its own
generator, so a trade's id is closed-form, `minute since the epoch * n + rank`, consecutive per
symbol (for the venues that have ids), and any past range can be regenerated exactly.

Times are ms since the epoch, UTC.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from crypto_platform.prices.symbols import STANDARD
from crypto_platform.prices.trade import BadFrame

MINUTE_MS = 60_000
DAILY_SIGMA = 0.025
"""Daily log-price deviation of the path; sets the size of every octave."""
OCTAVES_MS = tuple(1000 * 2**k for k in range(18))  # knot spacings: 1 s .. 36 h
AMPLITUDES = tuple(0.45 * DAILY_SIGMA * math.sqrt(ms / 86_400_000) for ms in OCTAVES_MS)
"""sigma*sqrt(spacing), scaled so that the sum moves like Brownian motion of DAILY_SIGMA (measured)."""
GRID_MS = 250  # the path is evaluated every 250 ms and interpolated linearly between

# Rough USD prices for the anchors; other assets get a stable pseudo-random price. Fiat and stable
# coins keep their price: they have no path.
USD_PRICES = {
    "BTC": 95_000.0, "ETH": 3_500.0, "SOL": 200.0, "BNB": 650.0, "XRP": 2.3, "DOGE": 0.32, "ADA": 0.9,
    "AVAX": 35.0, "LINK": 20.0, "LTC": 100.0, "DOT": 7.0, "MATIC": 0.5, "TRX": 0.25,
}  # fmt: skip
FIXED_USD = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "JPY": 1 / 150, "TRY": 1 / 34}
ACTIVITY = {"BTC": 10.0, "ETH": 6.0, "SOL": 3.0, "BNB": 2.0, "XRP": 2.0, "DOGE": 2.0}
"""Share of the trade rate by base asset (default 1): bitcoin trades most."""
DEFAULT_WEIGHT = 26.0
"""Sum of ACTIVITY over the default bases BTC ETH SOL BNB XRP ADA DOGE."""

MEDIAN_NOTIONAL_USD = 250.0
NOTIONAL_SIGMA = 1.4  # log-normal spread of trade sizes: mostly small, a fat tail of large ones


@dataclass(frozen=True, slots=True)
class Venue:
    """How one venue sees the market: `delay_ms` from trade time to the websocket send, the
    half-spread in bps, the largest basis in bps, and whether its trades carry ids."""

    name: str
    delay_ms: int
    half_spread_bps: float
    max_basis_bps: float
    has_ids: bool


VENUES = {
    venue.name: venue
    for venue in (
        Venue("finnhub", 150, 0.5, 1.5, has_ids=False),
        Venue("binance", 20, 0.5, 1.5, has_ids=True),
        Venue("coinbase", 50, 0.8, 1.5, has_ids=True),
        Venue("kraken", 80, 1.2, 1.5, has_ids=True),
    )
}


class SimTrade(NamedTuple):
    """One simulated trade; a tuple, because a busy minute makes thousands at once."""

    symbol: str  # the feed symbol, as the venue spells it: BINANCE:BTCUSDT, BTC-USD, BTC/USD, BTCUSDT
    price: Decimal
    size: Decimal
    ts_ms: int
    venue: str  # finnhub, binance, coinbase or kraken: the venue the trade stands for
    trade_id: int | None  # consecutive per (venue, symbol); None where the venue has no ids (finnhub)
    side: str  # the taker's side: "buy" (at the ask) or "sell" (at the bid)


@dataclass(frozen=True, slots=True)
class Instrument:
    """A feed symbol's market: assets, grids and its share of the trade rate."""

    base: str
    quote: str
    price_step: Decimal
    size_step: Decimal
    notional: float  # median trade notional, in the quote currency
    weight: float


def _hash(*parts: object) -> int:
    text = ":".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest())


def _uniform(*parts: object) -> float:
    return (_hash(*parts) + 0.5) / 2**64


def _gauss(*parts: object) -> float:
    """A standard normal drawn from a hash (Box-Muller)."""
    u1, u2 = _uniform(*parts, "a"), _uniform(*parts, "b")
    return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)


def _reference_usd(asset: str) -> float:
    return FIXED_USD.get(asset) or USD_PRICES.get(asset) or 10 ** (_uniform(asset) * 5 - 2)  # 0.01 .. 1000


def _anchor_usd(seed: int, asset: str) -> float:
    return _reference_usd(asset) * (0.98 + 0.04 * _uniform(seed, asset, "anchor"))


def _grid(value: float, digits_below: int, finest: int) -> Decimal:
    """A power-of-ten step `digits_below` orders under `value`, no finer than 10**-finest and at most 1."""
    exponent = min(0, max(-finest, math.floor(math.log10(value)) - digits_below))
    return Decimal(1).scaleb(exponent)


@functools.lru_cache(maxsize=1024)
def instrument(feed_symbol: str) -> Instrument:
    """The market of `feed_symbol` (a stock ticker or other unmappable symbol trades against USD)."""
    try:
        base, quote = STANDARD.symbol(feed_symbol).split("-", 1)
    except BadFrame:
        base, quote = feed_symbol, "USD"
    reference = _reference_usd(base) / _reference_usd(quote)
    notional = MEDIAN_NOTIONAL_USD / _reference_usd(quote)
    return Instrument(
        base,
        quote,
        _grid(reference, 6, 8),
        _grid(notional / reference, 3, 8),
        notional,
        ACTIVITY.get(base, 1.0),
    )


@functools.lru_cache(maxsize=65_536)
def _knot(seed: int, asset: str, octave: int, index: int) -> float:
    return AMPLITUDES[octave] * _gauss(seed, asset, octave, index)


def _noise(seed: int, asset: str, ts_ms: int) -> float:
    """The sum of the octaves at `ts_ms`, each a smoothstep between its two knots."""
    total = 0.0
    for octave, spacing in enumerate(OCTAVES_MS):
        index, offset = divmod(ts_ms, spacing)
        u = offset / spacing
        left = _knot(seed, asset, octave, index)
        total += left + (_knot(seed, asset, octave, index + 1) - left) * u * u * (3 - 2 * u)
    return total


def usd_price(seed: int, asset: str, ts_ms: int) -> float:
    """The asset's price in USD at `ts_ms` on the path (constant for fiat)."""
    if asset in FIXED_USD:
        return FIXED_USD[asset]
    return _anchor_usd(seed, asset) * math.exp(_noise(seed, asset, ts_ms))


def mid_price(seed: int, feed_symbol: str, ts_ms: int) -> float:
    """The pair's price on the path, before any venue's basis and spread."""
    market = instrument(feed_symbol)
    return usd_price(seed, market.base, ts_ms) / usd_price(seed, market.quote, ts_ms)


def basis(seed: int, venue: str, asset: str) -> float:
    """The venue's constant relative offset from the path for `asset` (a few bps)."""
    return VENUES[venue].max_basis_bps * 1e-4 * (2 * _uniform(seed, venue, asset, "basis") - 1)


def per_minute(feed_symbol: str, rate: float) -> int:
    """Trades per minute of one (venue, feed symbol): `rate` is trades/s on each venue, over its
    default symbol set, shared by ACTIVITY weight."""
    weight = ACTIVITY.get(instrument(feed_symbol).base, 1.0)
    return max(1, round(rate * weight / DEFAULT_WEIGHT * 60))


@functools.lru_cache(maxsize=256)
def _minute(seed: int, venue: str, feed_symbol: str, minute: int, count: int) -> tuple[SimTrade, ...]:
    """The `count` trades of one minute (index since the epoch), in (time, id) order."""
    market = instrument(feed_symbol)
    spec = VENUES[venue]
    rng = random.Random(_hash(seed, venue, feed_symbol, minute))
    start = minute * MINUTE_MS
    offsets = sorted(rng.randrange(MINUTE_MS) for _ in range(count))
    scale = 1 + basis(seed, venue, market.base)
    path = [mid_price(seed, feed_symbol, start + at) * scale for at in range(0, MINUTE_MS + GRID_MS, GRID_MS)]
    spread = spec.half_spread_bps * 1e-4
    price_step, size_step = float(market.price_step), float(market.size_step)
    price_exp, size_exp = market.price_step.as_tuple().exponent, market.size_step.as_tuple().exponent
    log_notional = math.log(market.notional)
    first_id = minute * count if spec.has_ids else None
    random_, lognorm = rng.random, rng.lognormvariate
    trades = []
    for rank, offset in enumerate(offsets):
        cell, within = divmod(offset, GRID_MS)
        mid = path[cell] + (path[cell + 1] - path[cell]) * within / GRID_MS
        buy = random_() < 0.5
        price_units = max(1, round(mid * (1 + spread if buy else 1 - spread) / price_step))
        size_units = max(
            1, round(lognorm(log_notional, NOTIONAL_SIGMA) / (price_units * price_step) / size_step)
        )
        trades.append(
            SimTrade(
                feed_symbol,
                Decimal(price_units).scaleb(price_exp),
                Decimal(size_units).scaleb(size_exp),
                start + offset,
                venue,
                None if first_id is None else first_id + rank,
                "buy" if buy else "sell",
            )
        )
    return tuple(trades)


def trade_time(trade: SimTrade) -> int:
    """The sort key of trades: ts_ms."""
    return trade.ts_ms


def trades(
    seed: int, venue: str, feed_symbol: str, start_ms: int, end_ms: int, rate: float
) -> list[SimTrade]:
    """Every trade of (venue, feed symbol) with start_ms <= ts_ms < end_ms, in (time, id) order;
    `rate` is the simulator's trades/s per venue (see `per_minute`)."""
    count = per_minute(feed_symbol, rate)
    found: list[SimTrade] = []
    for minute in range(start_ms // MINUTE_MS, -(-end_ms // MINUTE_MS)):
        trades_ = _minute(seed, venue, feed_symbol, minute, count)
        found.extend(
            trades_[
                bisect.bisect_left(trades_, start_ms, key=trade_time) : bisect.bisect_left(
                    trades_, end_ms, key=trade_time
                )
            ]
        )
    return found


def trades_by_id(
    seed: int, venue: str, feed_symbol: str, first_id: int, last_id: int, rate: float
) -> list[SimTrade]:
    """The trades with first_id <= trade_id <= last_id, ascending (venues with ids only)."""
    count = per_minute(feed_symbol, rate)
    first_id = max(first_id, 0)
    found: list[SimTrade] = []
    for minute in range(first_id // count, last_id // count + 1):
        base = minute * count
        found.extend(
            _minute(seed, venue, feed_symbol, minute, count)[max(0, first_id - base) : last_id - base + 1]
        )
    return found


def last_trade(seed: int, venue: str, feed_symbol: str, at_ms: int, rate: float) -> SimTrade:
    """The latest trade with ts_ms <= at_ms (every minute has one, so the search is short)."""
    count = per_minute(feed_symbol, rate)
    minute = at_ms // MINUTE_MS
    while True:
        trades_ = _minute(seed, venue, feed_symbol, minute, count)
        index = bisect.bisect_right(trades_, at_ms, key=trade_time)
        if index:
            return trades_[index - 1]
        minute -= 1
