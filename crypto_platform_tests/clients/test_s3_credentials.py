"""Which S3 the settings choose, and with which credentials: the local server with its fixed keys;
Amazon S3 with AWS keys; or, with `S3_AMAZON=true` and no keys, boto3's default credential chain
(here a shared credentials file standing in for an instance or task role). moto stands in for
Amazon S3, which cannot be reached from here."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from crypto_platform.clients.s3 import ensure_bucket, s3_client
from crypto_platform.defs.resources import s3_resource
from crypto_platform.settings import Settings

CHAIN_KEY_ID = "AKIDFROMTHECHAIN"


@pytest.fixture
def no_keys_but_a_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No AWS keys in the environment; the default chain finds some in a credentials file."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "S3_ENDPOINT_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    credentials = tmp_path / "credentials"
    credentials.write_text(
        f"[default]\naws_access_key_id = {CHAIN_KEY_ID}\naws_secret_access_key = chain-secret\n"
    )
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")


def test_without_endpoint_keys_or_switch_s3_is_the_local_server(no_keys_but_a_chain: None) -> None:
    settings = Settings(_env_file=None)
    assert settings.s3_is_local and settings.s3_endpoint == "http://127.0.0.1:9000"
    assert (settings.s3.access_key_id, settings.s3.secret_access_key) == ("local", "local-secret")


def test_s3_amazon_without_keys_uses_the_default_credential_chain(
    no_keys_but_a_chain: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S3_AMAZON", "true")
    with mock_aws(config={"core": {"mock_credentials": False}}):  # moto sets no keys of its own
        settings = Settings(_env_file=None, aws_region="eu-west-1", s3_bucket="crypto-landing-prod")
        assert not settings.s3_is_local
        assert settings.s3_endpoint is None and (
            settings.s3.access_key_id,
            settings.s3.secret_access_key,
        ) == (None, None)

        client = s3_client(settings.s3)
        assert client.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"
        assert client._request_signer._credentials.access_key == CHAIN_KEY_ID
        assert ensure_bucket(settings.s3, settings.s3_bucket)
        client.put_object(Bucket="crypto-landing-prod", Key="news/date=2026-10-01/news.jsonl", Body=b"{}\n")

        dagster_client = s3_resource(settings).get_client()
        assert dagster_client._request_signer._credentials.access_key == CHAIN_KEY_ID
        listed = dagster_client.list_objects_v2(Bucket="crypto-landing-prod")["Contents"]
        assert [o["Key"] for o in listed] == ["news/date=2026-10-01/news.jsonl"]


def test_aws_keys_still_mean_amazon_s3_with_those_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDKEYS")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "key-secret")
    settings = Settings(_env_file=None)
    assert not settings.s3_is_local and settings.s3_endpoint is None
    assert s3_client(settings.s3)._request_signer._credentials.access_key == "AKIDKEYS"
    assert boto3.Session().get_credentials().access_key == "AKIDKEYS"
