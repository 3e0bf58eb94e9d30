"""Trade feeds: one module per feed (see `base` for what a module holds)."""

from types import ModuleType

from crypto_platform.prices.producer.feeds import binance, coinbase, finnhub, kraken

FEEDS: dict[str, ModuleType] = {
    module.__name__.rpartition(".")[2]: module for module in (finnhub, coinbase, kraken, binance)
}
"""Every feed by name: the names `PRODUCER_FEEDS` takes and each trade's `source`."""
