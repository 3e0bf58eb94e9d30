"""How each coin's price moved after each story: its price when the story was published and the
return 5 minutes, 1 hour and 1 day later, from the 1-minute candles (CORE.CANDLES).

The price at a time is the last trade before it, read from the candles: the close of the latest
1-minute candle whose last trade (CLOSE_TS) is before that time. It is exact when the time is on a
minute boundary, or when the minute it falls in had no trade after it; otherwise it is the last
trade before that minute (trades earlier in the same minute are not in the candles). A price is
missing, and flagged in MISSING rather than taken from older data, when no trade came in the
STALE_AFTER before the time: a feed gap (or the time is before the coin's first trade). A horizon
counts once SETTLED_AFTER has passed after it (late trades reach the candles within the loader's
latency); until then its return is null, and a later run fills it in. All times naive UTC.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

HORIZONS = {"5m": timedelta(minutes=5), "1h": timedelta(hours=1), "1d": timedelta(days=1)}
"""Return horizons after publication, by the suffix of their column (RETURN_5M, ...)."""

STALE_AFTER = timedelta(minutes=5)
SETTLED_AFTER = timedelta(minutes=1)
QUOTE = "USD"
"""A coin's reactions are measured on its market against this quote (`BTC` -> `BTC-USD`)."""


@dataclass(frozen=True)
class Story:
    """One (story, coin it is tagged with) of CORE.NEWS and CORE.NEWS_COINS."""

    partition_date: date
    news_id: int
    ticker: str
    published_at: datetime
    sentiment: float


class Prices:
    """The last trade before a time, per symbol, from 1-minute candles.

    `candles`: (symbol, bucket start, close time, close) rows, naive UTC, any order.
    """

    def __init__(self, candles: Iterable[tuple[str, datetime, datetime, Decimal]]) -> None:
        rows: dict[str, list[tuple[datetime, datetime, Decimal]]] = defaultdict(list)
        for symbol, start, close_ts, close in candles:
            rows[symbol].append((start, close_ts, close))
        self._rows = {symbol: sorted(candles) for symbol, candles in rows.items()}
        self._starts = {symbol: [c[0] for c in candles] for symbol, candles in self._rows.items()}

    def before(self, symbol: str, at: datetime) -> tuple[Decimal | None, str | None]:
        """(price, None), or (None, why it is missing)."""
        rows = self._rows.get(symbol, [])
        i = bisect.bisect_left(self._starts.get(symbol, []), at) - 1  # the last minute opened before `at`
        if i >= 0 and rows[i][1] >= at:  # its last trade is not before `at`: the minute before
            i -= 1
        if i < 0:
            return None, f"no {symbol} trade before {at:%Y-%m-%d %H:%M:%S} UTC"
        if rows[i][1] < at - STALE_AFTER:
            minutes = STALE_AFTER.total_seconds() / 60
            return None, f"no {symbol} trade in the {minutes:g} min before {at:%Y-%m-%d %H:%M:%S} UTC"
        return rows[i][2], None


def candle_window(stories: Iterable[Story]) -> tuple[datetime, datetime] | None:
    """The bucket starts [since, until) of the candles that `reactions` needs for `stories`."""
    times = [s.published_at for s in stories]
    if not times:
        return None
    return min(times) - STALE_AFTER - timedelta(minutes=1), max(times) + max(HORIZONS.values())


def reactions(stories: Iterable[Story], prices: Prices, now: datetime) -> list[dict[str, Any]]:
    """CORE.NEWS_REACTIONS rows (keys: its columns in lower case, but COMPUTED_AT) of `stories`:
    the price at publication, each horizon's return as a fraction (0.008 is +0.8%), null until the
    horizon has settled or when a price is missing, and MISSING naming every missing price."""
    rows = []
    for story in stories:
        symbol = f"{story.ticker}-{QUOTE}"
        price, why = prices.before(symbol, story.published_at)
        missing = [f"at publication: {why}"] if why else []
        row = {**vars(story), "symbol": symbol, "price_at": price}
        for name, horizon in HORIZONS.items():
            at, value = story.published_at + horizon, None
            if price is not None and at + SETTLED_AFTER <= now:
                later, why = prices.before(symbol, at)
                if later is None:
                    missing.append(f"{name}: {why}")
                else:
                    value = float(later / price - 1)
            row[f"return_{name}"] = value
        rows.append({**row, "missing": "; ".join(missing) or None})
    return rows


def pending_since(published_at: datetime, computed_at: datetime, now: datetime) -> datetime | None:
    """The latest horizon of a story that settled after its reactions were computed (and by `now`):
    the row has a return to fill in. None when there is none."""
    settled = [published_at + h + SETTLED_AFTER for h in HORIZONS.values()]
    passed = [t for t in settled if computed_at < t <= now]
    return max(passed, default=None)
