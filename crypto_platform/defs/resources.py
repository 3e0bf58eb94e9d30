"""Resources shared by every domain, built from settings.

Secrets are passed as `dg.EnvVar` when they come from the environment, so the Dagster UI shows
the variable's name and never its value.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_aws.s3 import S3Resource
from dagster_snowflake import SnowflakeResource
from pydantic import SecretStr

from crypto_platform.kafka_client import client_config
from crypto_platform.settings import Settings
from crypto_platform.warehouse.connection import connection_args


def _secret(env_name: str, value: str | SecretStr | None) -> str | dg.EnvVar | None:
    if os.environ.get(env_name):
        return dg.EnvVar(env_name)
    return value.get_secret_value() if isinstance(value, SecretStr) else value


class KafkaResource(dg.ConfigurableResource):
    """Where Kafka is and how to authenticate (PLAINTEXT locally; SSL or SASL_SSL for MSK)."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    topic_trades: str = "crypto.trades"
    topic_dlq: str = "crypto.trades.dlq"

    def settings(self) -> Settings:
        return Settings(
            kafka_bootstrap_servers=self.bootstrap_servers,
            kafka_security_protocol=self.security_protocol,
            kafka_sasl_mechanism=self.sasl_mechanism,
            kafka_sasl_username=self.sasl_username,
            kafka_sasl_password=self.sasl_password,
            kafka_topic_trades=self.topic_trades,
            kafka_topic_dlq=self.topic_dlq,
        )

    def client_config(self) -> dict:
        """Keyword arguments for aiokafka clients."""
        return client_config(self.settings())


def kafka_resource(settings: Settings) -> KafkaResource:
    return KafkaResource(
        bootstrap_servers=settings.kafka_bootstrap,
        security_protocol=settings.kafka_security_protocol,
        sasl_mechanism=settings.kafka_sasl_mechanism,
        sasl_username=settings.kafka_sasl_username,
        sasl_password=_secret("KAFKA_SASL_PASSWORD", settings.kafka_sasl_password),
        topic_trades=settings.kafka_topic_trades,
        topic_dlq=settings.kafka_topic_dlq,
    )


def s3_resource(settings: Settings) -> S3Resource:
    key, secret = settings.s3_credentials
    return S3Resource(
        endpoint_url=settings.s3_endpoint,
        region_name=settings.aws_region,
        aws_access_key_id=key,
        aws_secret_access_key=secret if settings.s3_is_local else _secret("AWS_SECRET_ACCESS_KEY", secret),
    )


def snowflake_resource(settings: Settings) -> SnowflakeResource:
    args = connection_args(settings)
    named = {"account", "user", "password", "database", "schema", "role", "warehouse"}
    return SnowflakeResource(
        account=args["account"],
        user=args["user"],
        password=_secret("SNOWFLAKE_PASSWORD", args.get("password")),
        database=args.get("database"),
        schema_=args.get("schema"),
        role=args.get("role"),
        warehouse=args.get("warehouse"),
        additional_snowflake_connection_args={k: v for k, v in args.items() if k not in named} or None,
    )
