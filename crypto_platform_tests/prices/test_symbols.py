"""Feed symbols to BASE-QUOTE from the asset and quote tables and the user's overrides; never guessed."""

from __future__ import annotations

import pytest

from crypto_platform.prices.symbols import STANDARD, SymbolError, SymbolMap, parse_overrides
from crypto_platform.prices.trade import BadFrame


@pytest.mark.parametrize(
    ("feed_symbol", "symbol"),
    [
        ("BINANCE:BTCUSDT", "BTC-USD"),
        ("BINANCE:ETHUSDC", "ETH-USD"),
        ("BINANCE:SOLBUSD", "SOL-USD"),
        ("BINANCE:DOGEUSD", "DOGE-USD"),
        ("BINANCE:ETHBTC", "ETH-BTC"),
        ("BINANCE:LINKETH", "LINK-ETH"),
        ("BINANCE:BTCEUR", "BTC-EUR"),
        ("BINANCE:BNBUSD", "BNB-USD"),  # not BN + BUSD
        ("BINANCE:BTCTUSD", "BTC-USD"),  # TUSD is a dollar stablecoin, BTCT no asset
        ("BINANCE:BTCFDUSD", "BTC-USD"),
        ("BINANCE:BTCTRY", "BTC-TRY"),
        ("BTC-USD", "BTC-USD"),
        ("eth-usdt", "ETH-USD"),
        ("BTC/USD", "BTC-USD"),
        ("XBT/USD", "BTC-USD"),
        ("ETH/XBT", "ETH-BTC"),
        ("PEPE-USD", "PEPE-USD"),  # a separator names base and quote: nothing is guessed
    ],
)
def test_symbols_map_from_the_tables(feed_symbol: str, symbol: str) -> None:
    assert STANDARD.symbol(feed_symbol) == symbol


@pytest.mark.parametrize(
    "feed_symbol", ["", "BINANCE:USDT", "BINANCE:FOOUSDT", "BINANCE:BTCXYZ", "BTC-", "/USD", "AAPL"]
)
def test_what_the_tables_cannot_map_is_refused_with_the_override_to_set(feed_symbol: str) -> None:
    with pytest.raises(BadFrame, match="PRODUCER_SYMBOL_MAP"):
        STANDARD.symbol(feed_symbol)


def test_overrides_win_and_unmappable_symbols_are_refused_together_at_start() -> None:
    symbols = SymbolMap(parse_overrides("binance:fooUSDT=FOO-USD, BINANCE:BTCUSDT=BTC-USDT"))
    assert symbols.symbol("BINANCE:FOOUSDT") == "FOO-USD"
    assert symbols.symbol("BINANCE:BTCUSDT") == "BTC-USDT"
    with pytest.raises(SymbolError) as refused:
        symbols.check(["BINANCE:FOOUSDT", "BINANCE:BARUSDT", "BINANCE:BAZEUR"])
    assert "BINANCE:BARUSDT" in str(refused.value) and "BINANCE:BAZEUR" in str(refused.value)


@pytest.mark.parametrize("text", ["BINANCE:FOO", "=FOO-USD", "BINANCE:FOO=FOO", "A=B-C-D"])
def test_an_override_that_is_not_feed_symbol_equals_base_quote_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="FEED_SYMBOL=BASE-QUOTE"):
        parse_overrides(text)
