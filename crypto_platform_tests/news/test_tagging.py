"""Coin tags by whole words."""

from __future__ import annotations

import pytest

from crypto_platform.news.tagging import COINS, coin_tagger
from crypto_platform.prices.symbols import ASSETS


@pytest.mark.parametrize(
    ("text", "coins"),
    [
        ("Bitcoin's rally stalls", {"BTC"}),
        ("BTC/USD breaks out", {"BTC"}),
        ("$BTC and $SOL pump", {"BTC", "SOL"}),
        ("bitcoin, ethereum and ether", {"BTC", "ETH"}),
        ("Ethereum (ETH) upgrade ships", {"ETH"}),
        ("Solana und Cardano: Anleger zögern", {"SOL", "ADA"}),
        ("Bitcoin价格突破关键阻力位", {"BTC"}),
        ("Binance Coin and Binance-Coin, BNB", {"BNB"}),
        ("Ripple wins; xrp holders cheer", {"XRP"}),
        ("Dogecoin, AVAX, DOT, LINK, LTC and Polygon", {"DOGE", "AVAX", "DOT", "LINK", "LTC", "POL"}),
        # The markets' assets are the news coins: these were untagged, or tagged MATIC.
        ("POL jumps 10%", {"POL"}),
        ("$POL rallies", {"POL"}),
        ("SHIB and PEPE surge; Shiba Inu leads", {"SHIB", "PEPE"}),
        ("market optimism and a stellar sui generis rally", set()),
        ("ETHICS board meets over Ethernet cables", set()),
        ("solar farms consolidate; ethical mining", set()),
        ("follow the link, dot the i, eth is lower case", set()),
        ("BTCUSD and ETH2 are other words", set()),
        ("", set()),
    ],
)
def test_coins_by_whole_word(text: str, coins: set[str]) -> None:
    assert coin_tagger()(text) == coins


def test_every_market_asset_is_a_news_coin() -> None:
    assert set(COINS) == ASSETS


def test_coins_from_another_table() -> None:
    table = {"BTC": ["Bitcoin"], "PEPE": ["Pepe the coin"], "ETH": ["", " "]}  # blank names match nothing
    assert coin_tagger(table)("pepe the  coin beats bitcoin") == {"PEPE", "BTC"}
    assert coin_tagger(table)("nothing here") == set()
    assert set(COINS) >= {"BTC", "ETH", "SOL", "BNB", "XRP", "ADA", "DOGE"}
