"""Trade feeds: one module per feed with `URL`, `subscribe_messages(symbols)` and a pure `parse`."""

from types import ModuleType

from crypto_platform.prices.producer.feeds import coinbase, finnhub, kraken

FEEDS: dict[str, ModuleType] = {"finnhub": finnhub, "coinbase": coinbase, "kraken": kraken}
