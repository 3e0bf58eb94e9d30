"""`news_env`: the running stack with a bucket and a warehouse database of the test's own, and the
simulator's news endpoint in the test process."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from crypto_platform.clients.s3 import ensure_bucket
from crypto_platform.settings import Settings
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import run_in_thread
from crypto_platform.warehouse import apply_sql, connect
from crypto_platform_tests.news.helpers import SEED


@pytest.fixture
def news_env(local_stack: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings, also in the environment (for the assets and for processes the test starts), with a
    bucket and a warehouse database of this test's own and the simulator's news endpoint."""
    suffix = uuid.uuid4().hex[:8]
    with run_in_thread(SimulatorConfig(seed=SEED)) as simulator:
        monkeypatch.setenv("S3_BUCKET", f"test-news-{suffix}")
        monkeypatch.setenv("SNOWFLAKE_DATABASE", f"NEWS_{suffix.upper()}")
        monkeypatch.setenv("FINNHUB_REST_URL", simulator.http_url)
        settings = Settings()
        ensure_bucket(settings)
        with connect(settings) as conn:
            apply_sql(conn, settings)
        yield settings
