"""Plausible trades for one symbol: Poisson arrivals, a mean-reverting random walk on the price grid,
log-normal trade sizes and occasional bursts (one aggressive order sweeping several levels).

Each symbol draws from its own generator seeded by (seed, symbol), so a symbol's trades do not depend
on which other symbols are subscribed.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from crypto_platform.prices.symbols import STANDARD
from crypto_platform.prices.trade import BadFrame

# Rough USD prices to start the walks from; other assets get a stable pseudo-random price.
USD_PRICES = {
    "BTC": 95_000.0, "ETH": 3_500.0, "SOL": 200.0, "BNB": 650.0, "XRP": 2.3, "DOGE": 0.32, "ADA": 0.9,
    "AVAX": 35.0, "LINK": 20.0, "LTC": 100.0, "DOT": 7.0, "MATIC": 0.5, "TRX": 0.25, "USD": 1.0,
    "EUR": 1.08,
}  # fmt: skip
# Share of the trade rate by base asset (default 1): bitcoin trades most.
ACTIVITY = {"BTC": 10.0, "ETH": 6.0, "SOL": 3.0, "BNB": 2.0, "XRP": 2.0, "DOGE": 2.0}

VOLATILITY = 0.0002  # per-trade log-return deviation: 2 basis points
REVERSION = 0.001  # pull per trade back toward the starting price, so long runs stay plausible
MEDIAN_NOTIONAL_USD = 250.0
NOTIONAL_SIGMA = 1.4  # log-normal spread of trade sizes: mostly small, a fat tail of large ones
BURST_CHANCE = 0.004  # per arrival
BURST_TRADES = (5, 40)


@dataclass(frozen=True, slots=True)
class SimTrade:
    symbol: str  # the feed symbol as subscribed, e.g. BINANCE:BTCUSDT
    price: Decimal
    size: Decimal
    ts_ms: int


def _pseudo_price(asset: str) -> float:
    digest = hashlib.sha256(asset.encode()).digest()
    return 10 ** (int.from_bytes(digest[:4]) / 2**32 * 5 - 2)  # 0.01 .. 1000


def _usd(asset: str) -> float:
    return USD_PRICES.get(asset) or _pseudo_price(asset)


def _grid(value: float, digits_below: int, finest: int) -> Decimal:
    """A power-of-ten step `digits_below` orders under `value`, no finer than 10**-finest and at most 1."""
    exponent = min(0, max(-finest, math.floor(math.log10(value)) - digits_below))
    return Decimal(1).scaleb(exponent)


def _on_grid(value: float, step: Decimal) -> Decimal:
    return step * max(1, round(value / float(step)))


class SymbolStream:
    """The trades of one symbol; `trades_until` advances its clock."""

    def __init__(self, symbol: str, seed: str, start_ms: float) -> None:
        self.symbol = symbol
        self._rng = random.Random(f"{seed}:{symbol}")
        try:
            base, quote = STANDARD.symbol(symbol).split("-", 1)
        except BadFrame:  # e.g. a stock ticker: still trade it
            base, quote = symbol, "USD"
        self.weight = ACTIVITY.get(base, 1.0)
        self._anchor = math.log(_usd(base) / _usd(quote) * self._rng.uniform(0.98, 1.02))
        self._log_price = self._anchor
        start_price = math.exp(self._anchor)
        self._price_step = _grid(start_price, 6, 8)
        self._notional = MEDIAN_NOTIONAL_USD / _usd(quote)
        self._size_step = _grid(self._notional / start_price, 3, 8)
        self._next_ms = start_ms
        self._pending_gap = True  # the first arrival is one random gap after the start

    @property
    def last_price(self) -> Decimal:
        return _on_grid(math.exp(self._log_price), self._price_step)

    def resume(self, at_ms: float) -> None:
        """Restart the clock after an unsubscribed spell, so no backlog of trades is invented."""
        self._next_ms = max(self._next_ms, at_ms)
        self._pending_gap = True

    def trades_until(self, end_ms: float, rate: float) -> list[SimTrade]:
        """Every trade before `end_ms` at `rate` trades per second."""
        trades: list[SimTrade] = []
        while True:
            if self._pending_gap:
                self._next_ms += self._rng.expovariate(rate) * 1000
                self._pending_gap = False
            if self._next_ms >= end_ms:
                return trades
            trades.extend(self._fill(int(self._next_ms)))
            self._pending_gap = True

    def _fill(self, ts_ms: int) -> list[SimTrade]:
        burst = self._rng.random() < BURST_CHANCE
        count = self._rng.randint(*BURST_TRADES) if burst else 1
        push = self._rng.choice((-1, 1)) * VOLATILITY if burst else 0.0
        fills = []
        for _ in range(count):
            drift = push - REVERSION * (self._log_price - self._anchor)
            self._log_price += self._rng.gauss(drift, VOLATILITY)
            price = _on_grid(math.exp(self._log_price), self._price_step)
            notional = self._rng.lognormvariate(math.log(self._notional), NOTIONAL_SIGMA)
            size = _on_grid(notional * (3 if burst else 1) / float(price), self._size_step)
            fills.append(SimTrade(self.symbol, price, size, ts_ms))
        return fills
