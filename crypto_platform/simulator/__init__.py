"""The local Finnhub: a websocket trade feed and the crypto news endpoint, deterministic from a seed."""

from crypto_platform.simulator.config import MALFORMED_KINDS, SimulatorConfig
from crypto_platform.simulator.market import SimTrade
from crypto_platform.simulator.news_archive import news_for_date
from crypto_platform.simulator.server import Counters, FinnhubSimulator, run_in_thread

__all__ = [
    "MALFORMED_KINDS",
    "Counters",
    "FinnhubSimulator",
    "SimTrade",
    "SimulatorConfig",
    "news_for_date",
    "run_in_thread",
]
