"""End to end: the dashboard as `make up` runs it, each page opened in headless Chromium, waited on
until its content is drawn, and saved as a screenshot; and the asset lineage in the Dagster UI.

Screenshots go to the test's output folder, or to `CRYPTO_PLATFORM_SCREENSHOTS` when it is set:
`make screenshots` writes the README's pictures under `docs/images/` so."""

from __future__ import annotations

import math
import os
import shutil
import socket
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import dagster as dg
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

from crypto_platform.defs.prices.assets import raw_trades
from crypto_platform.local.process import wait_until
from crypto_platform.local.workers import DashboardWorker
from crypto_platform.portfolio.ledger import transaction
from crypto_platform.prices.trade import Trade
from crypto_platform.settings import PROJECT_ROOT, Settings
from crypto_platform.warehouse import connect, portfolio_tables
from crypto_platform_tests.prices.helpers import produce, resources, trade
from crypto_platform_tests.streamlit_app.helpers import news_item, store_news

pytestmark = [pytest.mark.stack, pytest.mark.slow]
T0_TIME = datetime(2026, 1, 1)
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--window-size=1400,1000",
]  # fmt: skip
# Each page by its URL path, and what shows that Streamlit has drawn its data (not just the shell).
PAGES = {
    "": "//*[@data-testid='stMetricValue' and contains(., '100,000.00')]"
    "/following::*[contains(@class, 'js-plotly-plot')]",
    "portfolio": "//*[@data-testid='stMetricValue' and contains(., '150,000.00')]"
    "/following::*[@data-testid='stDataFrame']/following::*[contains(@class, 'js-plotly-plot')]",
    "news": "//a[contains(., 'Bitcoin tops 100k')]",
    "pipeline": "//*[@data-testid='stDataFrame']"
    "/following::*[@data-testid='stMetricLabel' and contains(., 'messages not loaded')]",
}


# The prices group's lineage in the Dagster UI, drawn once the graph's first and last nodes are in it.
LINEAGE = (
    "locations/crypto_platform/asset-groups/prices/lineage",
    "//*[.//*[text()='raw_trades'] and .//*[text()='market_stats_24h']]",
)


def screenshot(browser: webdriver.Chrome, tmp_path: Path, name: str) -> None:
    """Save the page as `<name>.png` in `CRYPTO_PLATFORM_SCREENSHOTS`, or else in `tmp_path`."""
    folder = Path(os.environ.get("CRYPTO_PLATFORM_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    shot = folder / f"{name}.png"
    assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def last_hour_of_trades() -> list[Trade]:
    """BTC-USD every 5 s over the hour to now (closer than Finnhub's 10 s of silence that makes a
    gap): from 95,000 up to 100,000 with waves on the way, so that the pictures show live candles."""
    now_ms = int(time.time()) // 60 * 60_000
    return [
        trade("BTC-USD", f"{95_000 + 5_000 * i / 719 + 400 * math.sin(6 * math.pi * i / 719):.2f}",
              "0.5", now_ms - (719 - i) * 5_000)
        for i in range(720)
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def dashboard(fresh: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A dashboard process of this test's own, on the test's warehouse database, with prices, a
    holding and a news item in it."""
    produce(fresh, last_hour_of_trades())
    assert dg.materialize([raw_trades], resources=resources(fresh)).success
    with connect(fresh) as conn:
        portfolio_tables.change(
            conn, upsert=transaction("t1", "BTC-USD", "buy", "1.5", "95000", "5", T0_TIME, ["BTC-USD"])
        )
        store_news(conn, [news_item(1, 1, "Bitcoin tops 100k", ["BTC"], 0.7)])
    settings = fresh.model_copy(update={"home": tmp_path / "home", "dashboard_port": free_port()})
    for name, value in {
        "SNOWFLAKE_DATABASE": fresh.snowflake_database,
        "KAFKA_TOPIC_TRADES": fresh.kafka_topic_trades,
    }.items():
        monkeypatch.setenv(name, value)
    service = DashboardWorker(settings)
    service.process.start(service.command(), service.env(), cwd=PROJECT_ROOT)
    try:
        assert wait_until(service.healthy, 60), service.process.log_tail(20)
        yield f"http://{service.address}"
    finally:
        service.process.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / f'chromium-{uuid.uuid4().hex}'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))
    try:
        yield driver
    finally:
        driver.quit()


def test_every_page_renders_its_content_in_chromium(
    dashboard: str, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    for path, drawn in PAGES.items():
        browser.get(f"{dashboard}/{path}")
        WebDriverWait(browser, 60).until(ec.presence_of_element_located((By.XPATH, drawn)))
        assert not browser.find_elements(By.XPATH, "//*[@data-testid='stException']")
        screenshot(browser, tmp_path, f"dashboard-{path or 'markets'}")


def test_asset_lineage_renders_in_the_dagster_ui(
    local_stack: Settings, browser: webdriver.Chrome, tmp_path: Path
) -> None:
    path, drawn = LINEAGE
    browser.get(f"{local_stack.dagster_ui}/{path}")
    WebDriverWait(browser, 90).until(ec.presence_of_element_located((By.XPATH, drawn)))
    screenshot(browser, tmp_path, "dagster-lineage")
