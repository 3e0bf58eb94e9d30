"""The crypto assets the platform knows: one table for the market symbols and the news tags, so
that the two cannot drift apart (POL traded while the news knew only MATIC; SHIB and PEPE had
markets and no news coin).

Each ticker has the names news calls it by; names match whole words in any case (so none is an
ordinary word: not "Optimism", "Stellar" or "Sui"), tickers in upper case only. A ticker without
names is still a market (a concatenated symbol may start with it) and news tags it by its ticker
alone. `sql/032_core_coins.sql` seeds CORE.COINS with the same rows (a test holds it to this table).
"""

from __future__ import annotations

ASSETS: dict[str, tuple[str, ...]] = {
    "BTC": ("Bitcoin",),
    "ETH": ("Ethereum", "Ether"),
    "SOL": ("Solana",),
    "BNB": ("BNB", "Binance Coin"),
    "XRP": ("XRP", "Ripple"),
    "ADA": ("Cardano",),
    "DOGE": ("Dogecoin",),
    "AVAX": ("Avalanche",),
    "DOT": ("Polkadot",),
    "LINK": ("Chainlink",),
    "LTC": ("Litecoin",),
    "POL": ("Polygon",),  # the former MATIC (September 2024)
    "MATIC": (),
    "TRX": ("Tron",),
    "TON": ("Toncoin",),
    "SHIB": ("Shiba Inu",),
    "BCH": ("Bitcoin Cash",),
    "XLM": ("Stellar Lumens",),
    "ATOM": ("Cosmos Hub",),
    "UNI": ("Uniswap",),
    "NEAR": ("NEAR Protocol",),
    "APT": ("Aptos",),
    "ARB": ("Arbitrum",),
    "OP": (),
    "FIL": ("Filecoin",),
    "ETC": ("Ethereum Classic",),
    "SUI": (),
    "PEPE": ("Pepe",),
    "HBAR": ("Hedera",),
    "ICP": ("Internet Computer",),
    "AAVE": ("Aave",),
}
"""Ticker -> the names news calls it by."""
