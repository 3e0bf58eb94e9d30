"""The News page, driven by AppTest against the real local warehouse with known news items."""

from __future__ import annotations

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform_tests.streamlit_app.helpers import NOW, news_item, run_app, store_news, store_reactions

pytestmark = pytest.mark.stack


@pytest.fixture
def with_news(fresh: Settings) -> Settings:
    items = [
        news_item(1, 1, "Bitcoin [BTC] rallies *again*", ["BTC"], 0.6),
        news_item(2, 2, "Ether and Solana slip", ["ETH", "SOL"], -0.4),
        news_item(3, 24 * 20, "Old Bitcoin story", ["BTC"], 0.0),
    ]
    moves = {
        (1, "BTC"): (0.001, 0.008, None),
        (2, "ETH"): (-0.002, -0.012, None),
        (3, "BTC"): (0, 0.02, 0.03),
    }
    with connect(fresh) as conn:
        store_news(conn, items)
        store_reactions(conn, items, moves)  # SOL of story 2 has no price
    return fresh


def open_news(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> AppTest:
    app = run_app(monkeypatch, settings)
    app.switch_page("views/news.py").run()
    assert not app.exception, app.exception
    return app


def headlines(app: AppTest) -> list[str]:
    return [m.value for m in app.markdown if m.value.startswith("**")]


def test_the_last_week_newest_first_with_links_tags_and_sentiment(
    with_news: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_news(monkeypatch, with_news)
    assert headlines(app) == [
        r"**[Bitcoin \[BTC\] rallies \*again\*](https://example.com/1)**",
        "**[Ether and Solana slip](https://example.com/2)**",
    ]
    details = [m.value for m in app.markdown if "CoinDesk" in m.value]
    assert ":blue-badge[BTC]" in details[0] and ":green[positive +0.60]" in details[0]
    assert ":blue-badge[ETH] :blue-badge[SOL]" in details[1] and ":red[negative -0.40]" in details[1]
    assert [c.value for c in app.caption if c.value.startswith("summary")] == ["summary of 1", "summary of 2"]


def test_each_item_shows_how_its_coins_moved_and_the_moves_by_sentiment(
    with_news: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_news(monkeypatch, with_news)
    moves = [m.value for m in app.markdown if " 1h" in m.value or "no price" in m.value]
    assert moves == [
        "BTC :green[+0.1%] 5m :green[+0.8%] 1h",  # the 1-day horizon has not passed: not shown
        "ETH :red[-0.2%] 5m :red[-1.2%] 1h · :orange-badge[SOL no price]",
    ]
    (table,) = app.dataframe
    assert table.value.to_dict("records") == [  # the last week only: not story 3
        {
            "Coin": "BTC",
            "Sentiment": "positive",
            "Stories": 1,
            "Mean 1h move %": 0.8,
            "Median 1h move %": 0.8,
        },
        {
            "Coin": "ETH",
            "Sentiment": "negative",
            "Stories": 1,
            "Mean 1h move %": -1.2,
            "Median 1h move %": -1.2,
        },
    ]


def test_filtering_by_coin_and_date(with_news: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_news(monkeypatch, with_news)
    app.selectbox[0].set_value("SOL").run()
    assert headlines(app) == ["**[Ether and Solana slip](https://example.com/2)**"]
    app.selectbox[0].set_value("BTC")
    app.date_input[0].set_value((NOW.date() - timedelta(days=30), NOW.date() - timedelta(days=10))).run()
    assert headlines(app) == ["**[Old Bitcoin story](https://example.com/3)**"]
    app.selectbox[0].set_value("DOGE").run()
    assert "No news in this window" in app.info[0].value


def test_no_news_at_all_says_how_to_load_some(fresh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    app = open_news(monkeypatch, fresh)
    assert "No news loaded yet" in app.info[0].value and "news_landing" in app.info[0].value


def test_a_link_is_the_whole_url_escaped_or_no_link(fresh: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `)` in a URL used to end the link early and put another host's image on the page; a space
    showed raw Markdown."""
    urls = {
        1: "https://news.example.com/etf_(update)) ![pixel](https://evil.example/t.png)",
        2: "https://news.example.com/a b",
        3: "javascript:alert(1)",
    }
    items = [news_item(i, i, f"Story {i}", ["BTC"], 0.0) for i in urls]
    for row, _ in items:
        row["url"] = urls[row["id"]]
    with connect(fresh) as conn:
        store_news(conn, items)
    app = open_news(monkeypatch, fresh)
    assert headlines(app) == [
        "**[Story 1](https://news.example.com/etf_%28update%29%29%20!%5Bpixel%5D%28https://evil.example/t.png%29)**",
        "**[Story 2](https://news.example.com/a%20b)**",
        "**Story 3**",
    ]
