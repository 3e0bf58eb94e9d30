"""The sentiment analyser (VADER with the market's words) on fixed phrases."""

from __future__ import annotations

import pytest

from crypto_platform.news.sentiment import analyser_name, label, score


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bitcoin is bullish", "positive"),
        ("Bitcoin is not bullish", "negative"),  # negation turns a market word around
        ("Analysts are bearish on ETH", "negative"),
        ("Analysts are not bearish on ETH", "positive"),
        ("ETH hits a new ATH", "positive"),
        ("Solana sets an all-time high", "positive"),
        ("Traders got rekt as BTC dumps", "negative"),
        ("Exchange to delist the token after a hack", "negative"),
        ("The project was a rug pull", "negative"),
        ("DeFi protocol exploited, funds drained", "negative"),
        ("FUD spreads over the stablecoin depeg", "negative"),
        ("Bitcoin price today", "neutral"),
        ("Whales move 5,000 BTC to exchanges", "neutral"),
        ("", "neutral"),
    ],
)
def test_fixed_phrases(text: str, expected: str) -> None:
    assert label(score(text)) == expected


def test_intensity_raises_the_score_and_it_stays_in_range() -> None:
    plain, strong = score("Bitcoin is bullish"), score("Bitcoin is extremely bullish!!!")
    assert 0 < plain < strong <= 1
    assert -1 <= score("Hack! Exploit! Rug pull! Rekt! Crash! Delisted! Insolvent!") < -0.9


def test_phrases_score_whatever_their_spelling() -> None:
    assert score("a rug pull") == score("a rug-pull") == score("a Rug  Pull") < 0
    assert score("a sell-off") == score("a sell off") < 0


def test_labels_at_the_documented_thresholds() -> None:
    assert [label(v) for v in (0.05, 0.0499, 0.0, -0.0499, -0.05)] == [
        "positive", "neutral", "neutral", "neutral", "negative"
    ]  # fmt: skip


def test_the_analyser_names_its_package_version_and_our_lexicon() -> None:
    assert analyser_name().startswith("vaderSentiment 3.") and analyser_name().endswith("+ crypto 1")
