"""The simulated news archive and Finnhub's `/api/v1/news` endpoint over HTTP."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest

from crypto_platform.simulator import FinnhubSimulator, news_for_date, run_in_thread
from crypto_platform.simulator.news_archive import COINS

DAY = date(2025, 1, 2)
FIELDS = {"category", "datetime", "headline", "id", "image", "related", "source", "summary", "url"}


def test_archive_is_deterministic_per_date_and_seed() -> None:
    news = news_for_date(DAY, seed=42)
    assert news == news_for_date(DAY, seed=42)
    assert news != news_for_date(DAY, seed=43)
    assert news != news_for_date(DAY + timedelta(days=1), seed=42)


def test_items_look_like_finnhub_news() -> None:
    news = news_for_date(DAY)
    day_start = 1_735_776_000  # 2025-01-02T00:00:00Z
    assert all(set(item) <= FIELDS and {"id", "datetime", "headline", "url"} <= set(item) for item in news)
    assert all(
        item["category"] == "crypto" and day_start <= item["datetime"] < day_start + 86_400 for item in news
    )
    assert [item["datetime"] for item in news] == sorted((item["datetime"] for item in news), reverse=True)
    assert max(item["id"] for item in news) < min(
        item["id"] for item in news_for_date(DAY + timedelta(days=1))
    )


@pytest.mark.parametrize("day", [DAY + timedelta(days=n) for n in range(0, 60, 7)])
def test_archive_is_untidy_like_the_real_feed(day: date) -> None:
    news = news_for_date(day)
    ids = Counter(item["id"] for item in news)
    assert sum(count - 1 for count in ids.values()) == 2  # exact duplicates
    urls = {}
    for item in news:
        urls.setdefault(item["url"], set()).add(item["id"])
    assert any(len(story_ids) == 2 for story_ids in urls.values())  # republished under a new id
    assert any(set(item) != FIELDS for item in news)  # missing fields
    text = " ".join(item["headline"] + " " + item.get("summary", "") for item in news)
    assert any(ticker in re.findall(r"\b[A-Z]+\b", text) for ticker, _ in COINS)
    assert any(name in text for _, name in COINS[1:])


def test_some_headlines_are_not_ascii() -> None:
    headlines = [item["headline"] for n in range(60) for item in news_for_date(DAY + timedelta(days=n))]
    assert sum(not headline.isascii() for headline in headlines) > len(headlines) / 5
    assert any("🚀" in headline for headline in headlines)


@pytest.fixture(scope="module")
def simulator() -> Iterator[FinnhubSimulator]:
    with run_in_thread() as running:
        yield running


def get_news(simulator: FinnhubSimulator, **params: str) -> httpx.Response:
    return httpx.get(
        f"{simulator.http_url}/news", params={"category": "crypto", "token": "t"} | params, timeout=5
    )


def test_endpoint_serves_the_archive(simulator: FinnhubSimulator) -> None:
    response = get_news(simulator, date=DAY.isoformat())
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.json() == news_for_date(DAY, seed=simulator.config.seed)  # unicode intact


def test_min_id_returns_only_newer_items(simulator: FinnhubSimulator) -> None:
    ids = sorted({item["id"] for item in news_for_date(DAY)})
    newer = get_news(simulator, date=DAY.isoformat(), minId=str(ids[10])).json()
    assert newer and {item["id"] for item in newer} == set(ids[11:])


def test_today_has_only_news_already_published(simulator: FinnhubSimulator) -> None:
    today = get_news(simulator).json()
    assert all(item["datetime"] <= time.time() for item in today)


@pytest.mark.parametrize(
    ("params", "status", "body"),
    [
        ({"token": ""}, 401, {"error": "Please use an API key."}),
        ({"category": "general"}, 200, []),
        ({"minId": "ten"}, 400, None),
        ({"date": "2025-13-01"}, 400, None),
    ],
)
def test_endpoint_errors(
    simulator: FinnhubSimulator, params: dict[str, str], status: int, body: object
) -> None:
    response = get_news(simulator, **params)
    assert response.status_code == status
    assert body is None or response.json() == body


def test_health(simulator: FinnhubSimulator) -> None:
    health = httpx.get(f"http://{simulator.config.host}:{simulator.port}/health", timeout=5).json()
    assert health["status"] == "ok" and health["trades_total"] == 0
