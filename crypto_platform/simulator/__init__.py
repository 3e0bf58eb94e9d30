"""The local market: one simulated market seen through the trade websockets and REST trade histories
of Finnhub, Coinbase, Kraken and Binance (and Finnhub's crypto news), deterministic from a seed."""

from crypto_platform.simulator.config import MALFORMED_KINDS, SimulatorConfig
from crypto_platform.simulator.market import SimTrade
from crypto_platform.simulator.news_archive import news_for_date
from crypto_platform.simulator.server import Counters, FinnhubSimulator, MarketSimulator, run_in_thread

__all__ = [
    "MALFORMED_KINDS",
    "Counters",
    "FinnhubSimulator",
    "MarketSimulator",
    "SimTrade",
    "SimulatorConfig",
    "news_for_date",
    "run_in_thread",
]
