"""Kafka over TLS and SASL against a real broker (see `secure_kafka`): the producer, the loader, the
lag sensor and the dashboard's lag read work signed in with SCRAM over TLS; PLAIN, SCRAM-SHA-256,
mutual TLS and the MSK IAM token provider's OAUTHBEARER sign-in reach the broker; a wrong password
or an untrusted certificate is one line naming the cause, from every one of them.

Not here: a refused OAUTHBEARER token. Apache Kafka refuses one with an RFC 7628 error challenge,
which aiokafka 0.14 takes for success (the failure then shows later, as no broker metadata), so
that case cannot be reproduced faithfully against this broker."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import dagster as dg
import pytest
from aws_msk_iam_sasl_signer import MSKAuthTokenProvider
from pydantic import SecretStr
from typer.testing import CliRunner

from crypto_platform.cli import app
from crypto_platform.clients.kafka import KafkaSignInError, ensure_topics, list_topics
from crypto_platform.defs.prices.resources import loader_resource
from crypto_platform.defs.prices.sensors import kafka_lag_sensor
from crypto_platform.local.process import wait_until
from crypto_platform.prices.loader.trades_loader import TradesLoader
from crypto_platform.prices.producer.service import ProducerService
from crypto_platform.settings import LOCAL_HOST, Settings
from crypto_platform.simulator.config import SimulatorConfig
from crypto_platform.simulator.server import run_in_thread
from crypto_platform.warehouse import connect
from crypto_platform.warehouse.price_tables import stored_offsets
from crypto_platform_tests.clients.secure_kafka import SecureKafka, running_secure_kafka
from crypto_platform_tests.prices.helpers import resources, running_producer
from streamlit_app import health

pytestmark = [pytest.mark.stack, pytest.mark.slow]


@pytest.fixture(scope="module")
def broker(local_stack: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SecureKafka]:
    with running_secure_kafka(local_stack, tmp_path_factory.mktemp("kafka-secure")) as broker:
        yield broker


@pytest.fixture
def scram(fresh: Settings, broker: SecureKafka) -> Settings:
    """A test's own topics and warehouse database, Kafka signed in with SCRAM-SHA-512 over TLS."""
    settings = broker.client_settings(fresh)
    ensure_topics(settings.kafka, settings.kafka_topics)
    return settings


def use_in_environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Put the Kafka settings where the dashboard and the CLI read them: the environment."""
    env = {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_SECURITY_PROTOCOL": settings.kafka_security_protocol,
        "KAFKA_SASL_MECHANISM": settings.kafka_sasl_mechanism,
        "KAFKA_SASL_USERNAME": settings.kafka_sasl_username,
        "KAFKA_SASL_PASSWORD": settings.kafka_sasl_password
        and settings.kafka_sasl_password.get_secret_value(),
        "KAFKA_SSL_CAFILE": settings.kafka_ssl_cafile and str(settings.kafka_ssl_cafile),
        "KAFKA_TOPIC_TRADES": settings.kafka_topic_trades,
        "SNOWFLAKE_DATABASE": settings.snowflake_database,
    }
    for name, value in env.items():
        if value:
            monkeypatch.setenv(name, value)
        else:
            monkeypatch.delenv(name, raising=False)
    health.kafka_lag.clear()


def sensor_tick(settings: Settings) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), resources=resources(settings))
    return kafka_lag_sensor(context)


def load(settings: Settings):
    loader = TradesLoader(
        settings.kafka, settings.kafka_topic_trades, lambda: connect(settings), settings.loader_batch_size,
        loader_resource(settings).time_bound,
    )  # fmt: skip
    return asyncio.run(loader.load_until_caught_up())


def test_producer_loader_lag_sensor_and_dashboard_work_over_scram_and_tls(
    scram: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with run_in_thread(SimulatorConfig(rate=400, seed=7)) as simulator:
        settings = scram.model_copy(
            update={
                "producer_feeds": ["finnhub"],
                "producer_feed_url": f"ws://{LOCAL_HOST}:{simulator.port}/",
                "producer_symbols": ["BINANCE:BTCUSDT", "BINANCE:ETHUSDT"],
                "producer_report_interval": 1.0,
                "home": tmp_path,
            }
        )
        with running_producer(settings) as producer:
            assert wait_until(lambda: producer.counters.produced >= 300, 30), producer.counters.summary()
    produced = producer.counters.produced
    assert producer.counters.send_retries == 0

    assert sensor_tick(settings).asset_events[0].metadata["lag"].value == produced
    use_in_environment(settings, monkeypatch)
    assert health.kafka_lag({}).total == produced

    report = load(settings)
    assert (report.rows, report.rejected) == (produced, 0)

    assert sensor_tick(settings).asset_events[0].metadata["lag"].value == 0
    with connect(settings) as conn:
        stored = stored_offsets(conn, settings.kafka_topic_trades)
    assert sum(stored.values()) == produced
    assert health.kafka_lag(stored).total == 0


def producer_start(settings: Settings, _: pytest.MonkeyPatch) -> str:
    with pytest.raises(KafkaSignInError) as raised:
        asyncio.run(ProducerService(settings).run())
    return str(raised.value)


def loader_run(settings: Settings, _: pytest.MonkeyPatch) -> str:
    with pytest.raises(KafkaSignInError) as raised:
        load(settings)
    return str(raised.value)


def load_command(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    use_in_environment(settings, monkeypatch)
    result = CliRunner().invoke(app, ["load"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("error: ")
    return line.removeprefix("error: ")


def lag_sensor(settings: Settings, _: pytest.MonkeyPatch) -> str:
    with pytest.raises(KafkaSignInError) as raised:
        sensor_tick(settings)
    return str(raised.value)


def dashboard_lag(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> str:
    use_in_environment(settings, monkeypatch)
    with pytest.raises(KafkaSignInError) as raised:
        health.kafka_lag({})
    return str(raised.value)


CLIENTS: dict[str, Callable[[Settings, pytest.MonkeyPatch], str]] = {
    "producer": producer_start,
    "loader": loader_run,
    "load command": load_command,
    "lag sensor": lag_sensor,
    "dashboard": dashboard_lag,
}
WRONG_PASSWORD = "not-the-password"


@pytest.mark.parametrize("client", list(CLIENTS))
def test_a_wrong_password_is_one_line_naming_it(
    client: str, scram: Settings, broker: SecureKafka, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = scram.model_copy(update={"kafka_sasl_password": SecretStr(WRONG_PASSWORD)})
    message = CLIENTS[client](wrong, monkeypatch)
    assert message.startswith(
        f"Kafka at {LOCAL_HOST}:{broker.ports[0]} refused the sign-in: "
        "SCRAM-SHA-512 authentication failed for user 'producer' ("
    )
    assert message.endswith("check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD")
    assert "\n" not in message and WRONG_PASSWORD not in message


@pytest.mark.parametrize("client", list(CLIENTS))
def test_an_untrusted_certificate_is_one_line_naming_it(
    client: str, scram: Settings, broker: SecureKafka, monkeypatch: pytest.MonkeyPatch
) -> None:
    untrusting = scram.model_copy(update={"kafka_ssl_cafile": None})  # the system CAs only
    message = CLIENTS[client](untrusting, monkeypatch)
    assert message == (
        f"Kafka at {LOCAL_HOST}:{broker.ports[0]}: the broker's TLS certificate is not trusted "
        "(unable to get local issuer certificate); set KAFKA_SSL_CAFILE to the CA that signed it"
    )


@pytest.mark.parametrize("mechanism", ["SCRAM-SHA-256", "PLAIN"])
def test_other_sasl_mechanisms_sign_in(mechanism: str, scram: Settings, broker: SecureKafka) -> None:
    assert scram.kafka_topic_trades in list_topics(broker.client_settings(scram, mechanism).kafka)


def test_mutual_tls_signs_in_with_the_client_certificate_only(scram: Settings, broker: SecureKafka) -> None:
    mtls = scram.model_copy(
        update={
            "kafka_bootstrap_servers": f"{LOCAL_HOST}:{broker.ports[1]}",
            "kafka_security_protocol": "SSL",
            "kafka_sasl_mechanism": None,
            "kafka_ssl_certfile": broker.certificates.client_cert,
            "kafka_ssl_keyfile": broker.certificates.client_key,
        }
    )
    assert scram.kafka_topic_trades in list_topics(mtls.kafka)
    with pytest.raises(
        KafkaSignInError, match=r"closed the connection at the first request: .* client certificate"
    ):
        list_topics(mtls.model_copy(update={"kafka_ssl_certfile": None, "kafka_ssl_keyfile": None}).kafka)


def unsigned_jwt(subject: str) -> str:
    """A JWT with `alg: none`, which Kafka's default OAUTHBEARER validator accepts (test brokers)."""

    def part(value: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    now = int(time.time())
    return f"{part({'alg': 'none'})}.{part({'sub': subject, 'iat': now, 'exp': now + 900})}."


def test_msk_iam_sends_the_signers_token_over_oauthbearer(
    scram: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    msk = scram.model_copy(update={"kafka_sasl_mechanism": "AWS_MSK_IAM", "aws_region": "eu-west-1"})
    signed_for: list[str] = []

    def sign(region: str) -> tuple[str, int]:
        signed_for.append(region)
        return unsigned_jwt("crypto-platform"), (int(time.time()) + 900) * 1000

    monkeypatch.setattr(MSKAuthTokenProvider, "generate_auth_token", sign)
    assert scram.kafka_topic_trades in list_topics(msk.kafka)
    assert signed_for == ["eu-west-1"]
