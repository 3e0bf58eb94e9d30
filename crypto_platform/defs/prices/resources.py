"""The prices domain's resources: where Kafka is (the connection and the platform's topics)."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.defs.secrets import secret
from crypto_platform.prices.producer.feeds import FEEDS
from crypto_platform.prices.trade import LiveTimeBound
from crypto_platform.settings import LOCAL_HOST, Settings


class KafkaResource(dg.ConfigurableResource, KafkaConnection):
    """A `KafkaConnection` (its fields and its `client_config`: PLAINTEXT locally; TLS, SASL
    PLAIN/SCRAM or MSK IAM in production) and the platform's topics."""

    topic_trades: str = Field(description="the topic of canonical trades (KAFKA_TOPIC_TRADES)")
    topic_dlq: str = Field(description="the dead-letter topic (KAFKA_TOPIC_DLQ)")


def kafka_resource(settings: Settings) -> KafkaResource:
    """The resource for `settings`; its secrets as `dg.EnvVar` when they come from the environment."""
    return KafkaResource(
        **settings.kafka.model_dump()
        | {
            "sasl_password": secret("KAFKA_SASL_PASSWORD", settings.kafka_sasl_password),
            "ssl_key_password": secret("KAFKA_SSL_KEY_PASSWORD", settings.kafka_ssl_key_password),
        },
        topic_trades=settings.kafka_topic_trades,
        topic_dlq=settings.kafka_topic_dlq,
    )


class LoaderResource(dg.ConfigurableResource):
    """How a bounded load of RAW.TRADES runs, and when the loader counts as behind or stalled."""

    batch_size: int = Field(description="messages per transaction in a bounded run (LOADER_BATCH_SIZE)")
    stall_seconds: float = Field(description="waiting and no offset advanced: stalled (LOADER_STALL_SECONDS)")
    lag_max_messages: int = Field(description="unloaded messages that request a run (LAG_MAX_MESSAGES)")
    lag_max_age_seconds: float = Field(description="...or an oldest unloaded this old (LAG_MAX_AGE_SECONDS)")
    lag_retry_seconds: float = Field(description="a breach requested again after (LAG_RETRY_SECONDS)")
    freshness_seconds: float = Field(description="newest trade age to warn (TRADES_FRESHNESS_SECONDS)")
    trade_max_age_seconds: float = Field(description="live trade time before receipt (TRADE_MAX_AGE_SECONDS)")
    trade_max_ahead_seconds: float = Field(description="...and after it (TRADE_MAX_AHEAD_SECONDS)")

    @property
    def time_bound(self) -> LiveTimeBound:
        return LiveTimeBound.from_seconds(self.trade_max_age_seconds, self.trade_max_ahead_seconds)


class ProducerResource(dg.ConfigurableResource):
    """The producer's feeds, where their histories answer, and when the producer counts as stalled."""

    stall_seconds: float = Field(
        description="no trade reached the topic this long: stalled (PRODUCER_STALL_SECONDS)"
    )
    feeds: list[str] = Field(description="the feeds the producers read (PRODUCER_FEEDS)")
    simulator_url: str | None = Field(
        description="the simulator, standing in for every venue's REST history (PRODUCER_SIMULATOR)"
    )
    symbols: list[str] | None = Field(
        default=None, description="one feed's symbols, when only one is read (PRODUCER_SYMBOLS)"
    )

    def feed_symbols(self, feed: str) -> list[str]:
        """The feed symbols the producer reads from `feed`: PRODUCER_SYMBOLS when it reads that feed
        alone, else the feed's usual pairs."""
        if self.symbols and self.feeds == [feed]:
            return self.symbols
        return list(FEEDS[feed].DEFAULT_SYMBOLS)


def loader_resource(settings: Settings) -> LoaderResource:
    return LoaderResource(
        batch_size=settings.loader_batch_size,
        stall_seconds=settings.loader_stall_seconds,
        lag_max_messages=settings.lag_max_messages,
        lag_max_age_seconds=settings.lag_max_age_seconds,
        lag_retry_seconds=settings.lag_retry_seconds,
        freshness_seconds=settings.trades_freshness_seconds,
        trade_max_age_seconds=settings.trade_max_age_seconds,
        trade_max_ahead_seconds=settings.trade_max_ahead_seconds,
    )


def producer_resource(settings: Settings) -> ProducerResource:
    simulator = f"http://{LOCAL_HOST}:{settings.simulator_port}" if settings.use_simulator else None
    return ProducerResource(
        stall_seconds=settings.producer_stall_seconds,
        feeds=settings.producer_feeds,
        simulator_url=simulator,
        symbols=settings.producer_symbols,
    )
