"""Kafka settings to client arguments, without a broker. MSK IAM without AWS:
`KAFKA_SASL_MECHANISM=AWS_MSK_IAM` gives every Kafka client (settings-based and the Dagster
resource) OAUTHBEARER with a token provider whose tokens are the signer's presigned
`kafka-cluster:Connect` URL for the region, signed with the default credential chain (here static
keys from the environment). Secrets reach the Dagster resource as `dg.EnvVar`. The broker side is
in `test_kafka_sign_in`."""

from __future__ import annotations

import asyncio
import base64
import time
from urllib.parse import parse_qs, urlsplit

import dagster as dg
import pytest

from crypto_platform.clients.kafka import KafkaSignInError, MskIamTokenProvider
from crypto_platform.defs.prices.resources import kafka_resource
from crypto_platform.settings import Settings

KEY_ID = "AKIDEXAMPLE"


@pytest.fixture
def msk(monkeypatch: pytest.MonkeyPatch) -> Settings:
    """MSK IAM settings; AWS credentials only as static keys in the environment (no network)."""
    for name in ("AWS_PROFILE", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    return Settings(
        _env_file=None,
        kafka_bootstrap_servers="b-1.mycluster.kafka.eu-west-1.amazonaws.com:9098",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="AWS_MSK_IAM",
        aws_region="eu-west-1",
    )


def decoded(token: str) -> tuple[str, dict[str, list[str]]]:
    url = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qs(parts.query)


@pytest.mark.parametrize("build", ["settings", "dagster resource"])
def test_msk_iam_is_oauthbearer_with_a_signed_connect_token(build: str, msk: Settings) -> None:
    config = (msk.kafka if build == "settings" else kafka_resource(msk)).client_config()
    assert config["security_protocol"] == "SASL_SSL" and config["sasl_mechanism"] == "OAUTHBEARER"
    assert "sasl_plain_password" not in config

    token = asyncio.run(config["sasl_oauth_token_provider"].token())
    endpoint, query = decoded(token)
    assert endpoint == "https://kafka.eu-west-1.amazonaws.com/"
    assert query["Action"] == ["kafka-cluster:Connect"]
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Credential"][0].startswith(f"{KEY_ID}/")
    assert query["X-Amz-Credential"][0].endswith("/eu-west-1/kafka-cluster/aws4_request")
    assert query["X-Amz-Expires"] == ["900"]
    assert len(query["X-Amz-Signature"][0]) == 64


def test_a_token_is_reused_until_a_minute_before_it_expires() -> None:
    expiry_ms = {"value": 0}
    calls: list[str] = []

    def sign(region: str) -> tuple[str, int]:
        calls.append(region)
        return f"token-{len(calls)}", expiry_ms["value"]

    provider = MskIamTokenProvider("eu-west-1", sign=sign)
    now_ms = int(time.time() * 1000)
    expiry_ms["value"] = now_ms + 15 * 60_000
    assert asyncio.run(provider.token()) == "token-1"
    assert asyncio.run(provider.token()) == "token-1"
    provider._token = ("token-1", now_ms + 30_000)  # as if 14.5 minutes had passed
    assert asyncio.run(provider.token()) == "token-2"
    assert calls == ["eu-west-1", "eu-west-1"]


@pytest.mark.parametrize(
    ("update", "says"),
    [
        (
            {"kafka_security_protocol": "SSL"},
            "KAFKA_SASL_MECHANISM=AWS_MSK_IAM needs KAFKA_SECURITY_PROTOCOL=SASL_SSL",
        ),
        ({"kafka_sasl_mechanism": "GSSAPI"}, "KAFKA_SASL_MECHANISM=GSSAPI is not supported"),
    ],
)
def test_contradictory_kafka_settings_are_one_line(update: dict, says: str, msk: Settings) -> None:
    with pytest.raises(KafkaSignInError, match=says):
        msk.model_copy(update=update).kafka.client_config()


def test_the_dagster_resource_holds_kafka_secrets_as_variable_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_SASL_PASSWORD", "scram-secret")
    monkeypatch.setenv("KAFKA_SSL_KEY_PASSWORD", "key-secret")
    settings = Settings(
        _env_file=None,
        kafka_bootstrap_servers="b-1.mycluster.kafka.eu-west-1.amazonaws.com:9096",
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username="producer",
    )
    resource = kafka_resource(settings)
    assert resource.sasl_password == dg.EnvVar("KAFKA_SASL_PASSWORD")
    assert resource.ssl_key_password == dg.EnvVar("KAFKA_SSL_KEY_PASSWORD")
    assert "scram-secret" not in repr(resource) and "key-secret" not in repr(resource)
