"""`news_env`: the running stack with a bucket and a warehouse database of the test's own, and the
simulator's news endpoint in the test process; `daemon`: a Dagster daemon of the test's own on them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from crypto_platform.clients.kafka import ensure_topics
from crypto_platform.clients.s3 import ensure_bucket
from crypto_platform.local.dagster import ensure_instance_dir
from crypto_platform.local.process import ManagedProcess
from crypto_platform.settings import Settings
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import run_in_thread
from crypto_platform.warehouse import apply_sql, connect
from crypto_platform_tests.news.helpers import SEED, Daemon


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
        ensure_bucket(settings.s3, settings.s3_bucket)
        with connect(settings) as conn:
            apply_sql(conn, settings)
        yield settings


@pytest.fixture
def daemon(news_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Daemon]:
    """Not started yet: a test sets what it needs in the environment first. Stopped at the end."""
    monkeypatch.setenv("KAFKA_TOPIC_TRADES", f"test.news.{news_env.snowflake_database.lower()}")
    settings = Settings()
    ensure_topics(settings.kafka, settings.kafka_topics)  # its lag sensor reads this topic: an empty one
    own = Daemon(ensure_instance_dir(tmp_path / "dagster"), ManagedProcess("daemon", tmp_path / "run"))
    try:
        yield own
    finally:
        own.stop()
