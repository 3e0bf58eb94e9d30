"""The code location loads, and its resources follow settings."""

from __future__ import annotations

import dagster as dg
import pytest

from crypto_platform.defs.prices.resources import kafka_resource
from crypto_platform.defs.resources import s3_resource, snowflake_resource
from crypto_platform.settings import Settings


def test_definitions_load_with_every_resource() -> None:
    from crypto_platform.definitions import defs

    repo = defs.get_repository_def()
    assert {"snowflake", "s3", "kafka"} <= set(repo.get_top_level_resources())
    assert dg.AssetKey("crypto_trades_topic") in {s.key for s in defs.resolve_all_asset_specs()}


def test_local_resources_point_at_the_embedded_stack() -> None:
    settings = Settings()
    assert kafka_resource(settings).bootstrap_servers == "127.0.0.1:9092"
    assert s3_resource(settings).endpoint_url == "http://127.0.0.1:9000"
    snowflake = snowflake_resource(settings)
    assert snowflake.additional_snowflake_connection_args["host"] == "127.0.0.1"
    assert snowflake.additional_snowflake_connection_args["protocol"] == "http"


def test_cloud_settings_point_at_msk_s3_and_snowflake(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SNOWFLAKE_PASSWORD", "from-env")
    settings = Settings(
        kafka_bootstrap_servers="b-1.msk.example:9096",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="producer",
        aws_access_key_id="AKIA",
        aws_secret_access_key="secret",
        snowflake_account="xy12345",
        snowflake_user="loader",
        snowflake_password="from-env",
        snowflake_warehouse="COMPUTE_WH",
    )
    assert not (settings.kafka_is_local or settings.s3_is_local or settings.warehouse_is_local)
    assert kafka_resource(settings).client_config()["security_protocol"] == "SASL_SSL"
    assert s3_resource(settings).endpoint_url is None
    snowflake = snowflake_resource(settings)
    assert snowflake.account == "xy12345"
    assert snowflake.additional_snowflake_connection_args == {"paramstyle": "qmark"}  # no emulator host
