"""Kafka client configuration and topic provisioning, shared by the producer, loader and stack."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.helpers import create_ssl_context

from crypto_platform.settings import Settings


@dataclass(frozen=True)
class KafkaConnection:
    """Where Kafka is and how to sign in: PLAINTEXT locally; SSL or SASL_SSL (PLAIN, SCRAM) for MSK."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> KafkaConnection:
        password = settings.kafka_sasl_password
        return cls(
            bootstrap_servers=settings.kafka_bootstrap,
            security_protocol=settings.kafka_security_protocol,
            sasl_mechanism=settings.kafka_sasl_mechanism,
            sasl_username=settings.kafka_sasl_username,
            sasl_password=password.get_secret_value() if password else None,
        )

    def client_config(self) -> dict[str, Any]:
        """Connection keyword arguments for any aiokafka client."""
        config: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol in ("SSL", "SASL_SSL"):
            config["ssl_context"] = create_ssl_context()
        if self.sasl_mechanism:
            config |= {
                "sasl_mechanism": self.sasl_mechanism,
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": self.sasl_password,
            }
        return config


def client_config(settings: Settings) -> dict[str, Any]:
    """Connection keyword arguments for any aiokafka client, from settings."""
    return KafkaConnection.from_settings(settings).client_config()


def pace_metadata_updates(client: Any, seconds: float = 1.0) -> None:
    """Make an aiokafka client wait `seconds` after each metadata update that failed.

    aiokafka 0.14's producer asks for a metadata update whenever a partition's leader is unknown and
    loops as soon as it is answered; with the broker down every attempt fails at once, so it spins
    (about 3,500 connection attempts and 7,000 log lines a second, measured here) until the broker
    returns. Wrapping `force_metadata_update` on the one client instance paces that loop."""
    force = client.force_metadata_update

    async def paced(update: asyncio.Future) -> bool:
        updated = await update
        if not updated:
            await asyncio.sleep(seconds)
        return updated

    client.force_metadata_update = lambda: asyncio.ensure_future(paced(force()))


def topic_specs(settings: Settings) -> dict[str, int]:
    """Topic name -> partition count for every topic the platform writes."""
    return {settings.kafka_topic_trades: settings.kafka_trades_partitions, settings.kafka_topic_dlq: 1}


async def _ensure_topics(settings: Settings, timeout_ms: int) -> list[str]:
    admin = AIOKafkaAdminClient(**client_config(settings), request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication_factor=settings.kafka_replication_factor)
            for name, partitions in topic_specs(settings).items()
            if name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()


def ensure_topics(settings: Settings, timeout_ms: int = 10_000) -> list[str]:
    """Create the platform's topics where missing; returns the names created."""
    return asyncio.run(_ensure_topics(settings, timeout_ms))


async def _list_topics(settings: Settings, timeout_ms: int) -> list[str]:
    admin = AIOKafkaAdminClient(**client_config(settings), request_timeout_ms=timeout_ms)
    await admin.start()
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def list_topics(settings: Settings, timeout_ms: int = 5_000) -> list[str]:
    """The broker's topics; raises when the broker does not answer within the timeout."""
    return asyncio.run(_list_topics(settings, timeout_ms))


async def missing_topics(config: dict[str, Any], topics: list[str]) -> list[str]:
    """Those of `topics` the broker does not have (raises when the broker does not answer)."""
    admin = AIOKafkaAdminClient(**config)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    return [t for t in topics if t not in existing]


async def partition_ids(config: dict[str, Any], topic: str) -> list[int]:
    """The topic's partitions, from the broker's metadata; raises if the topic does not exist."""
    admin = AIOKafkaAdminClient(**config)
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code") or not described["partitions"]:
        raise RuntimeError(f"Kafka topic {topic!r} does not exist")
    return sorted(p["partition"] for p in described["partitions"])
