"""`crypto-platform init` (the Kubernetes init Job) against the running stack's services: it creates
the topics, the bucket and the warehouse objects where missing, starts nothing, and runs again
without harm."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from crypto_platform.cli import app
from crypto_platform.clients.kafka import list_topics
from crypto_platform.clients.s3 import s3_client
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query

pytestmark = pytest.mark.stack


def test_init_creates_what_is_missing_and_is_idempotent(
    local_stack: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    suffix = uuid.uuid4().hex[:8]
    names = {
        "KAFKA_TOPIC_TRADES": f"test.init.{suffix}",
        "KAFKA_TOPIC_DLQ": f"test.init.dlq.{suffix}",
        "S3_BUCKET": f"test-init-{suffix}",
        "SNOWFLAKE_DATABASE": f"TEST_INIT_{suffix.upper()}",
    }
    for name, value in names.items():
        monkeypatch.setenv(name, value)
    settings = Settings()

    first = CliRunner().invoke(app, ["init"])
    assert first.exit_code == 0, first.output
    assert f"kafka: topics {names['KAFKA_TOPIC_TRADES']}, {names['KAFKA_TOPIC_DLQ']}" in first.output
    assert f"s3: bucket {names['S3_BUCKET']} created" in first.output
    assert {names["KAFKA_TOPIC_TRADES"], names["KAFKA_TOPIC_DLQ"]} <= set(list_topics(settings.kafka))
    s3_client(settings.s3).head_bucket(Bucket=names["S3_BUCKET"])
    with connect(settings) as conn:
        assert run_query(conn, "select count(*) from RAW.TRADES").rows == [(0,)]

    again = CliRunner().invoke(app, ["init"])
    assert again.exit_code == 0, again.output
    assert "kafka: topics already there" in again.output and "already there" in again.output.splitlines()[1]
