"""Prices shown with the precision their size needs: at least four significant digits and at least
two decimals (93,836.33; 0.8966; 0.00001234), the way exchanges quote them. The one rule for the
dashboard and for alert texts, webhooks and Slack alike."""

from __future__ import annotations

import math
from decimal import Decimal

SIGNIFICANT = 4
MIN_DECIMALS = 2


def price_decimals(price: float | Decimal) -> int:
    """Decimals that show `price` (in any currency unit) with at least four significant digits."""
    if not price or not math.isfinite(price):
        return MIN_DECIMALS
    return max(MIN_DECIMALS, SIGNIFICANT - 1 - math.floor(math.log10(abs(price))))


def price_text(price: float | Decimal, decimals: int | None = None, sign: bool = False) -> str:
    """`price` with thousands separators and `decimals` (by default `price_decimals(price)`)."""
    places = price_decimals(price) if decimals is None else decimals
    return f"{price:{'+' if sign else ''},.{places}f}"
