"""A deterministic archive of Finnhub-style crypto news for any date.

Untidy on purpose, like the real feed: an exact duplicate or two, a story republished under a new id,
items without image, summary or related, and unicode headlines. Coins appear by ticker and by name.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, date, datetime
from typing import Any

from crypto_platform.simulator.market import USD_PRICES

COINS = (
    ("BTC", "Bitcoin"), ("ETH", "Ethereum"), ("SOL", "Solana"), ("XRP", "XRP"), ("DOGE", "Dogecoin"),
    ("ADA", "Cardano"), ("BNB", "BNB"), ("AVAX", "Avalanche"), ("LINK", "Chainlink"), ("LTC", "Litecoin"),
)  # fmt: skip
PUBLISHERS = ("CoinDesk", "Cointelegraph", "Decrypt", "The Block", "Bloomberg", "Reuters", "Yahoo")
HEADLINES = (
    "{name} climbs {pct}% as ETF inflows accelerate",
    "{ticker} slips below ${level} after leveraged longs are liquidated",
    "Analysts see {name} ({ticker}) retesting its range highs",
    "{name} developers ship a network upgrade",
    "Whales move {amount} {ticker} to exchanges",
    "{name} und {other}: Anleger zögern vor dem Zinsentscheid",
    "{name}’s rally — traders eye €{level}",  # noqa: RUF001 (typographic quote on purpose)
    "🚀 {ticker} to the moon? Retail traders pile in",
    "{name} 价格突破关键阻力位",
    "Regulators weigh staking rules for {name} and {other}",
)
SUMMARIES = (
    "{name} ({ticker}) traded near ${level} as volumes rose across major exchanges.",
    "Desks said demand for {ticker} options picked up while {other} lagged.",
    "On-chain data show {amount} {ticker} left exchange wallets in 24 hours.",
)
OPTIONAL_FIELDS = ("image", "summary", "related")


def news_for_date(day: date, seed: int = 42) -> list[dict[str, Any]]:
    """The day's crypto news, newest first as Finnhub returns it; ids grow with time across days."""
    rng = random.Random(f"news:{seed}:{day.isoformat()}")
    day_start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    first_id = (day - date(1970, 1, 1)).days * 1000
    times = sorted(rng.randrange(86_400) for _ in range(rng.randint(18, 30)))
    stories = [_story(rng, day, day_start + second, first_id + n) for n, second in enumerate(times)]
    for story in rng.sample(stories, 3):
        del story[rng.choice(OPTIONAL_FIELDS)]
    rng.choice(stories)["image"] = ""
    republished = dict(rng.choice(stories))
    republished["id"] = first_id + len(stories)
    republished["datetime"] = min(day_start + 86_399, republished["datetime"] + rng.randint(600, 7_200))
    duplicates = [dict(story) for story in rng.sample(stories, 2)]
    return sorted([*stories, republished, *duplicates], key=lambda s: (s["datetime"], s["id"]), reverse=True)


def _story(rng: random.Random, day: date, timestamp: int, story_id: int) -> dict[str, Any]:
    (ticker, name), (_, other) = rng.sample(COINS, 2)
    price = USD_PRICES.get(ticker, 1.0) * rng.uniform(0.9, 1.1)
    values = {
        "ticker": ticker,
        "name": name,
        "other": other,
        "pct": f"{rng.uniform(1, 12):.1f}",
        "level": f"{price:,.0f}" if price >= 100 else f"{price:.2f}",
        "amount": f"{rng.randint(500, 20_000):,}",
    }
    headline = rng.choice(HEADLINES).format(**values)
    slug = "-".join(re.findall(r"[a-z0-9]+", headline.lower()))[:60]
    return {
        "category": "crypto",
        "datetime": timestamp,
        "headline": headline,
        "id": story_id,
        "image": f"https://images.example.com/news/{story_id}.jpg",
        "related": ticker if rng.random() < 0.5 else "",
        "source": rng.choice(PUBLISHERS),
        "summary": rng.choice(SUMMARIES).format(**values),
        "url": f"https://news.example.com/{day.isoformat()}/{slug}-{story_id}",
    }
