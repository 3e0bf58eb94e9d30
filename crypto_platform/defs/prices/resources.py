"""The prices domain's Kafka resource."""

from __future__ import annotations

import dagster as dg

from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.defs.resources import secret
from crypto_platform.settings import Settings


class KafkaResource(dg.ConfigurableResource):
    """Where Kafka is and how to authenticate (PLAINTEXT locally; SSL or SASL_SSL for MSK)."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    topic_trades: str = "crypto.trades"
    topic_dlq: str = "crypto.trades.dlq"

    def client_config(self) -> dict:
        """Keyword arguments for aiokafka clients."""
        return KafkaConnection(
            bootstrap_servers=self.bootstrap_servers,
            security_protocol=self.security_protocol,
            sasl_mechanism=self.sasl_mechanism,
            sasl_username=self.sasl_username,
            sasl_password=self.sasl_password,
        ).client_config()


def kafka_resource(settings: Settings) -> KafkaResource:
    return KafkaResource(
        bootstrap_servers=settings.kafka_bootstrap,
        security_protocol=settings.kafka_security_protocol,
        sasl_mechanism=settings.kafka_sasl_mechanism,
        sasl_username=settings.kafka_sasl_username,
        sasl_password=secret("KAFKA_SASL_PASSWORD", settings.kafka_sasl_password),
        topic_trades=settings.kafka_topic_trades,
        topic_dlq=settings.kafka_topic_dlq,
    )
