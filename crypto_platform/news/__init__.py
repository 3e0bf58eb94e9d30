"""Crypto news for the daily batch: fetch a day from Finnhub (or the simulator), turn raw items into
checked records, tag them with the coins they mention and a sentiment score, and measure how each
coin's price moved after each story.

Plain functions without Dagster, so the assets in `defs/news/` stay thin and these are tested directly.
"""
