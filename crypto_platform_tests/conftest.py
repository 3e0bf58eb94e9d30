"""Shared fixtures. `local_stack` runs the real embedded stack (Kafka, S3, warehouse, Dagster) for
the session, with its data in a fresh folder, and stops exactly what it started; `fresh` gives a
test a Kafka topic and a warehouse database of its own on it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from crypto_platform.clients.kafka import ensure_topics
from crypto_platform.local import stack
from crypto_platform.settings import Settings
from crypto_platform.warehouse import apply_sql, connect

# Settings that would point the tests at someone's real services are removed for the session.
EXTERNAL_SERVICE_VARS = (
    "KAFKA_BOOTSTRAP_SERVERS",
    "S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "S3_AMAZON",
    "SNOWFLAKE_ACCOUNT",
    "DAGSTER_HOME",
)


@pytest.fixture(scope="session")
def stack_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    saved = dict(os.environ)
    for name in EXTERNAL_SERVICE_VARS:
        os.environ.pop(name, None)
    os.environ["CRYPTO_PLATFORM_HOME"] = str(tmp_path_factory.mktemp("stack-home"))
    # The stack's Dagster runs no scheduled checks: tests that read check results from it see
    # only the executions they made.
    os.environ["CHECKS_INTERVAL_SECONDS"] = "0"
    # Its news arrival sensor ticks often, so tests see it overlap the runs they start; it lands no
    # news of its own on the first start (tests that read its instance see only their own runs).
    os.environ["NEWS_ARRIVAL_INTERVAL"] = "5"
    os.environ["NEWS_FIRST_START_DAYS"] = "0"
    yield Settings()
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def local_stack(stack_settings: Settings) -> Iterator[Settings]:
    """The running local stack; skips nothing: a failure to start fails the tests that need it."""
    stack.up(stack_settings, report=lambda _line: None)
    try:
        yield stack_settings
    finally:
        stack.down(stack_settings)


@pytest.fixture
def fresh(local_stack: Settings) -> Settings:
    """Settings with a topic and a warehouse database of this test's own, objects applied."""
    suffix = uuid.uuid4().hex[:8]
    settings = local_stack.model_copy(
        update={
            "kafka_topic_trades": f"test.prices.{suffix}",
            "kafka_topic_dlq": f"test.prices.dlq.{suffix}",
            "snowflake_database": f"TEST_{suffix.upper()}",
        }
    )
    ensure_topics(settings.kafka, settings.kafka_topics)
    with connect(settings) as conn:
        apply_sql(conn, settings)
    return settings
