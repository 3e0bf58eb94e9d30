"""A news text's sentiment: VADER (Hutto & Gilbert, 2014; PyPI `vaderSentiment`, whose lexicon ships
in the package) extended with the crypto market's own words.

VADER handles negation ("not bullish" scores negative), intensity ("very bullish" scores higher,
so do capitals and "!") and contrast ("but"). Its compound score is in [-1, 1]; the labels use the
thresholds its authors recommend: positive at >= 0.05, negative at <= -0.05, neutral between.
VADER reads single words, so the market's phrases ("rug pull", "all-time high") are joined into one
token before scoring; the words and valences added are in CRYPTO_LEXICON (VADER's scale, -4..+4).
"""

from __future__ import annotations

import re
from functools import cache
from importlib.metadata import version
from typing import Literal

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

Label = Literal["positive", "neutral", "negative"]

POSITIVE_AT, NEGATIVE_AT = 0.05, -0.05
"""Label thresholds on the compound score (VADER's README)."""

CRYPTO_LEXICON: dict[str, float] = {
    "bullish": 2.3, "bearish": -2.3, "moon": 1.5, "mooning": 2.0, "to-the-moon": 2.5, "pump": 1.0,
    "ath": 2.0, "all-time-high": 2.0, "record-high": 1.8, "breakout": 1.5, "rally": 1.8,
    "rallies": 1.8, "rallied": 1.8, "surge": 1.8, "surges": 1.8, "surged": 1.8, "soar": 2.0,
    "soars": 2.0, "soared": 2.0, "rebound": 1.3, "rebounds": 1.3, "inflows": 1.2, "hodl": 1.0,
    "halving": 0.8, "approval": 1.5, "adoption": 1.3, "upgrade": 1.0, "listing": 0.8,
    "rekt": -2.8, "fud": -1.8, "dump": -1.5, "dumps": -1.5, "dumped": -1.5, "rug-pull": -3.0,
    "rugpull": -3.0, "rugged": -2.8, "delist": -2.0, "delists": -2.0, "delisted": -2.0,
    "delisting": -2.0, "hack": -2.5, "hacks": -2.5, "hacked": -2.8, "exploit": -2.5,
    "exploited": -2.8, "drained": -2.3, "crash": -2.5, "crashes": -2.5, "crashed": -2.5,
    "plunge": -2.3, "plunges": -2.3, "plunged": -2.3, "slump": -1.8, "slumps": -1.8,
    "tumble": -1.8, "tumbles": -1.8, "tumbled": -1.8, "sell-off": -1.8, "selloff": -1.8,
    "outflows": -1.2, "liquidated": -2.0, "liquidations": -1.8, "insolvent": -2.8,
    "insolvency": -2.8, "bankruptcy": -2.8, "lawsuit": -1.5, "sues": -1.5, "sued": -1.5,
    "depeg": -2.5, "depegged": -2.5, "bear-market": -1.8, "bull-market": 1.8,
}  # fmt: skip
"""Market words VADER's lexicon lacks or scores for everyday prose, with their valence."""

CRYPTO_LEXICON_VERSION = 1
"""Raised whenever CRYPTO_LEXICON or the phrase joining changes, so that stored scores show it."""

PHRASES = re.compile(
    r"\b(rug[\s-]+pull|all[\s-]+time[\s-]+high|record[\s-]+high|to[\s-]+the[\s-]+moon|sell[\s-]+off|"
    r"bear[\s-]+market|bull[\s-]+market)(?:s|ed)?\b",
    re.IGNORECASE,
)


@cache
def analyser_name() -> str:
    """What scored a text, as written with each scored item, e.g. `vaderSentiment 3.3.2 + crypto 1`."""
    return f"vaderSentiment {version('vaderSentiment')} + crypto {CRYPTO_LEXICON_VERSION}"


@cache
def _analyser() -> SentimentIntensityAnalyzer:
    analyser = SentimentIntensityAnalyzer()
    analyser.lexicon.update(CRYPTO_LEXICON)
    return analyser


def _joined(match: re.Match[str]) -> str:
    """A phrase as its one lexicon token, plurals and past tenses as the phrase itself."""
    return "-".join(re.split(r"[\s-]+", match.group(1).lower()))


def score(text: str) -> float:
    """VADER's compound score of `text` with CRYPTO_LEXICON, in [-1, 1]; 0.0 for no sentiment."""
    return _analyser().polarity_scores(PHRASES.sub(_joined, text))["compound"]


def label(value: float) -> Label:
    """`positive`, `neutral` or `negative` for a score (thresholds POSITIVE_AT and NEGATIVE_AT)."""
    return "positive" if value >= POSITIVE_AT else "negative" if value <= NEGATIVE_AT else "neutral"
