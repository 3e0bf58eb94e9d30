"""Which coins a news text mentions, and a crude sentiment score for it.

Both match whole words only. A word boundary here is any character that is not an ASCII letter or
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


POSITIVE = (
    "surge", "surges", "surged", "rally", "rallies", "rallied", "soar", "soars", "soared",
    "gain", "gains", "gained", "climb", "climbs", "climbed", "jump", "jumps", "jumped", "rebound",
    "bullish", "record high", "all-time high", "breakout", "inflows", "to the moon",
    "approve", "approves", "approved", "approval", "adopt", "adopts", "adopted", "adoption",
)  # fmt: skip
NEGATIVE = (
    "crash", "crashes", "crashed", "plunge", "plunges", "plunged", "slump", "slumps", "slumped",
    "slip", "slips", "slipped", "drop", "drops", "dropped", "tumble", "tumbles", "tumbled",
    "bearish", "sell-off", "outflows", "liquidated", "liquidations",
    "hack", "hacked", "exploit", "fraud", "scam", "lawsuit", "sues", "sued", "ban", "bans", "banned",
)  # fmt: skip
_POSITIVE = re.compile(_whole_words(map(_phrase, POSITIVE)), re.IGNORECASE)
_NEGATIVE = re.compile(_whole_words(map(_phrase, NEGATIVE)), re.IGNORECASE)


def sentiment(text: str) -> float:
    """A lexicon score in [-1, 1]: (positive hits - negative hits) / (positive hits + negative hits),
    0.0 when there are none.

    A hit is a whole-word, case-insensitive occurrence of a word or phrase in POSITIVE or NEGATIVE
    (phrases also match hyphenated or run together: "sell-off", "sell off", "selloff"). So 1.0 is
    all good news, -1.0 all bad, 0.0 neutral or balanced. Negation ("not approved") is not handled:
    the score is for trends over many headlines, not for judging one.
    """
    positive, negative = len(_POSITIVE.findall(text)), len(_NEGATIVE.findall(text))
    return 0.0 if positive + negative == 0 else (positive - negative) / (positive + negative)
