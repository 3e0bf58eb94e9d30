"""Feed symbols (`BINANCE:BTCUSDT`, `BTC-USD`, `XBT/USD`) as the platform's `BASE-QUOTE` symbols."""

from __future__ import annotations

import functools

from crypto_platform.prices.trade import BadFrame

# Quotes recognised at the end of a concatenated pair like BTCUSDT; longest first so USDT wins over USD.
QUOTES = ("USDT", "USDC", "BUSD", "USD", "EUR", "BTC", "ETH")
# Dollar stablecoins count as USD; Kraken calls bitcoin XBT.
ASSET_ALIASES = {"USDT": "USD", "USDC": "USD", "BUSD": "USD", "XBT": "BTC"}


@functools.lru_cache(maxsize=4096)
def normalise_symbol(feed_symbol: str) -> str:
    """`BINANCE:BTCUSDT`, `BTC-USD` (Coinbase) and `XBT/USD` (Kraken) all become `BTC-USD`."""
    pair = feed_symbol.rpartition(":")[2].strip().upper()
    base, quote = _split_pair(pair, feed_symbol)
    return f"{ASSET_ALIASES.get(base, base)}-{ASSET_ALIASES.get(quote, quote)}"


def _split_pair(pair: str, feed_symbol: str) -> tuple[str, str]:
    for separator in "-/":
        if separator in pair:
            base, _, quote = pair.partition(separator)
            if base and quote:
                return base, quote
            break
    else:
        for quote in QUOTES:
            if pair.endswith(quote) and len(pair) > len(quote):
                return pair[: -len(quote)], quote
    raise BadFrame(f"cannot normalise symbol {feed_symbol!r}")
