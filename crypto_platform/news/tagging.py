"""Which coins a news text mentions.

Names and tickers match whole words only. A word boundary here is any character that is not an ASCII letter or
digit, so "BTC/USD", "$BTC" and "Bitcoin's" match, "ETHICS", "Ethernet", "solar" and "consolidate"
do not, and a name right next to CJK text ("Bitcoin价格") still does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence

from crypto_platform.common.assets import ASSETS

COINS: dict[str, tuple[str, ...]] = ASSETS
"""Ticker -> names, from the one table of assets (`crypto_platform.common.assets`; a ticker without
names is tagged by its ticker alone). Tickers match in upper case only (optionally as a `$BTC` cashtag), so
"link" or "dot" in prose are not coins; names match in any case."""

_BEFORE, _AFTER = r"(?<![A-Za-z0-9])", r"(?![A-Za-z0-9])"


def _phrase(words: str) -> str:
    """A word or phrase as a pattern: any run of spaces or a hyphen between its words."""
    return r"[\s-]*".join(re.escape(word) for word in re.split(r"[\s-]+", words))


def _whole_words(alternatives: Iterable[str]) -> str:
    return f"{_BEFORE}(?:{'|'.join(alternatives)}){_AFTER}"


def coin_tagger(coins: Mapping[str, Sequence[str]] = COINS) -> Callable[[str], set[str]]:
    """A function giving the tickers of the coins a text names, by ticker or by name; `coins` is
    ticker -> names, like COINS (or the warehouse's coins table). Its patterns are compiled once."""
    patterns = [(ticker, _coin_pattern(ticker, names)) for ticker, names in coins.items()]
    return lambda text: {ticker for ticker, pattern in patterns if pattern.search(text)}


def _coin_pattern(ticker: str, names: Iterable[str]) -> re.Pattern[str]:
    """The ticker in upper case (also as `$TICKER`), or any non-blank name in any case."""
    names_any_case = (f"(?i:{_phrase(name)})" for name in names if name.strip())
    return re.compile(_whole_words([rf"\$?{re.escape(ticker)}", *names_any_case]))
