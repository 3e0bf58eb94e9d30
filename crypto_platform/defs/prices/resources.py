"""The prices domain's Kafka resource."""

from __future__ import annotations

import dataclasses

import dagster as dg

from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.defs.resources import secret
from crypto_platform.settings import Settings

CONNECTION_FIELDS = [f.name for f in dataclasses.fields(KafkaConnection)]


class KafkaResource(dg.ConfigurableResource):
    """Where Kafka is and how to sign in: the fields of `KafkaConnection` (PLAINTEXT locally; TLS,
    SASL PLAIN/SCRAM or MSK IAM in production), and the platform's topics."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_key_password: str | None = None
    aws_region: str | None = None
    topic_trades: str = "crypto.trades"
    topic_dlq: str = "crypto.trades.dlq"

    def client_config(self) -> dict:
        """Keyword arguments for aiokafka clients."""
        return KafkaConnection(**{name: getattr(self, name) for name in CONNECTION_FIELDS}).client_config()


def kafka_resource(settings: Settings) -> KafkaResource:
    """The resource for `settings`; its secrets as `dg.EnvVar` when they come from the environment."""
    connection = dataclasses.asdict(KafkaConnection.from_settings(settings))
    return KafkaResource(
        **connection
        | {
            "sasl_password": secret("KAFKA_SASL_PASSWORD", settings.kafka_sasl_password),
            "ssl_key_password": secret("KAFKA_SSL_KEY_PASSWORD", settings.kafka_ssl_key_password),
        },
        topic_trades=settings.kafka_topic_trades,
        topic_dlq=settings.kafka_topic_dlq,
    )
