"""Feed symbols (`BINANCE:BTCUSDT`, `BTC-USD`, `XBT/USD`) as the platform's `BASE-QUOTE` symbols,
from data, never guessed.

A symbol with a separator (Coinbase `BTC-USD`, Kraken `XBT/USD`) says its own base and quote. A
concatenated one (Binance `BTCUSDT`, as Finnhub relays it) is split only where the base is a known
asset and the rest a known quote currency, and only when exactly one split fits; anything else is
refused with the override that would map it (`PRODUCER_SYMBOL_MAP=BINANCE:XYZUSDT=XYZ-USD`). Names
for one thing are made one: dollar stablecoins count as USD, Kraken's XBT and XDG are BTC and DOGE.
Adding a coin is a line in `crypto_platform/common/assets.py`, or an override in settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from crypto_platform.common.assets import ASSETS as COIN_NAMES
from crypto_platform.prices.trade import BadFrame

ASSETS = frozenset(COIN_NAMES)
"""Base assets a concatenated symbol may start with: every asset of `crypto_platform.common.assets`."""
QUOTES = {
    "USD": "USD", "USDT": "USD", "USDC": "USD", "BUSD": "USD", "FDUSD": "USD", "TUSD": "USD",
    "DAI": "USD", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY", "TRY": "TRY", "BTC": "BTC", "ETH": "ETH",
}  # fmt: skip
"""Quote currencies a concatenated symbol may end with, and what each counts as."""
ALIASES = {"XBT": "BTC", "XDG": "DOGE"}
"""Other names for an asset, as some exchanges (Kraken) use them."""
SYMBOL = re.compile(r"^[A-Z0-9]+-[A-Z0-9]+$")


class SymbolError(ValueError):
    """Feed symbols that cannot be mapped; the message names each and the override that would."""


def parse_overrides(text: str) -> dict[str, str]:
    """`PRODUCER_SYMBOL_MAP` (`BINANCE:BNBUSD=BNB-USD,KRAKEN:FOO=FOO-EUR`) as {feed symbol (upper
    case): BASE-QUOTE}; SymbolError naming an entry that is not `FEED_SYMBOL=BASE-QUOTE`."""
    overrides = {}
    for entry in filter(None, (e.strip() for e in text.split(","))):
        feed_symbol, _, symbol = (part.strip().upper() for part in entry.partition("="))
        if not feed_symbol or not SYMBOL.match(symbol):
            raise SymbolError(
                f"PRODUCER_SYMBOL_MAP: {entry!r} is not FEED_SYMBOL=BASE-QUOTE (e.g. BINANCE:BNBUSD=BNB-USD)"
            )
        overrides[feed_symbol] = symbol
    return overrides


class SymbolMap:
    """Feed symbol -> `BASE-QUOTE` by the rules above, with per-symbol `overrides` (from settings:
    upper-case feed symbol -> `BASE-QUOTE`) taking precedence. Answers are cached: `symbol` runs
    once per trade."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self._known: dict[str, str] = {k.upper(): v for k, v in (overrides or {}).items()}

    def symbol(self, feed_symbol: str) -> str:
        """The platform's symbol; BadFrame when the feed symbol cannot be mapped from the data."""
        known = self._known.get(feed_symbol)
        if known is None:
            known = self._known[feed_symbol] = self._known.get(feed_symbol.upper()) or _mapped(feed_symbol)
        return known

    def check(self, feed_symbols: Iterable[str]) -> None:
        """Refuse, at start-up, every feed symbol that cannot be mapped (SymbolError names them all)."""
        problems = []
        for feed_symbol in feed_symbols:
            try:
                self.symbol(feed_symbol)
            except BadFrame as exc:
                problems.append(exc.reason)
        if problems:
            raise SymbolError("; ".join(problems))


def _mapped(feed_symbol: str) -> str:
    pair = feed_symbol.rpartition(":")[2].strip().upper()
    for separator in "-/":
        if separator in pair:
            base, _, quote = pair.partition(separator)
            if base and quote and separator not in quote:
                return f"{_asset(base)}-{QUOTES.get(quote, _asset(quote))}"
            break
    else:
        splits = [
            (base, pair[len(base) :])
            for base in (pair[:i] for i in range(1, len(pair)))
            if _asset(base) in ASSETS and pair[len(base) :] in QUOTES
        ]
        if len(splits) == 1:
            base, quote = splits[0]
            return f"{_asset(base)}-{QUOTES[quote]}"
    raise BadFrame(
        f"cannot map symbol {feed_symbol!r} to BASE-QUOTE from the known assets and quotes; "
        f"set PRODUCER_SYMBOL_MAP={feed_symbol.upper()}=BASE-QUOTE"
    )


def _asset(name: str) -> str:
    return ALIASES.get(name, name)


STANDARD = SymbolMap()
"""The map without overrides."""
