"""Typed settings, read once from the environment (and an optional `.env`).

Every service has two modes. Left unset, the embedded local stack provides it on 127.0.0.1; set
(`KAFKA_BOOTSTRAP_SERVERS`, `S3_ENDPOINT_URL`, AWS credentials or `S3_AMAZON`, `SNOWFLAKE_ACCOUNT`) the
platform uses the existing service and the local stack does not start its own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from crypto_platform.clients.kafka import KafkaConnection
from crypto_platform.clients.s3 import S3Connection

PROJECT_ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOST = "127.0.0.1"
FINNHUB_REST_URL = "https://finnhub.io/api/v1"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    home: Path = Field(PROJECT_ROOT / ".local", validation_alias="CRYPTO_PLATFORM_HOME")
    sql_dir: Path = Field(PROJECT_ROOT / "sql", validation_alias="CRYPTO_PLATFORM_SQL_DIR")

    # Kafka (MSK or any Kafka when set; else the local broker)
    kafka_bootstrap_servers: str | None = None
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_mechanism: str | None = None
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    kafka_topic_trades: str = "crypto.trades"
    kafka_topic_dlq: str = "crypto.trades.dlq"
    kafka_trades_partitions: int = 3
    kafka_replication_factor: int = 1
    kafka_local_port: int = 9092
    kafka_local_controller_port: int = 9093
    kafka_heap: str = "256m"  # the local broker's largest heap

    # S3 (Amazon S3 when AWS credentials are set and no endpoint is given; else the local server)
    s3_endpoint_url: str | None = None
    s3_bucket: str = "crypto-landing"
    aws_region: str = Field("us-east-1", validation_alias="AWS_REGION")
    aws_access_key_id: str | None = Field(None, validation_alias="AWS_ACCESS_KEY_ID")
    aws_secret_access_key: SecretStr | None = Field(None, validation_alias="AWS_SECRET_ACCESS_KEY")
    s3_local_port: int = 9000
    s3_local_access_key: str = "local"
    s3_local_secret_key: SecretStr = SecretStr("local-secret")

    # Warehouse (Snowflake when SNOWFLAKE_ACCOUNT is set; else the fakesnow emulator)
    snowflake_account: str | None = None
    snowflake_user: str | None = None
    snowflake_password: SecretStr | None = None
    snowflake_role: str | None = None
    snowflake_warehouse: str | None = None
    snowflake_database: str = "CRYPTO"
    snowflake_schema: str = "CORE"
    snowflake_local_host: str = LOCAL_HOST  # the emulator's host ("warehouse" under docker-compose)
    snowflake_local_port: int = 8765
    snowflake_local_memory: str = "384MB"  # DuckDB's buffer memory in the emulator (its default: 80% of RAM)

    # Production sign-in (docs/production.md): Kafka TLS files and MSK IAM, Snowflake key pair or
    # programmatic access token, Amazon S3 through the default AWS credential chain
    kafka_ssl_cafile: Path | None = (
        None  # CA bundle that signed the brokers' certificates; default: system CAs
    )
    kafka_ssl_certfile: Path | None = None  # client certificate, for brokers that require mutual TLS
    kafka_ssl_keyfile: Path | None = None  # its private key (PEM)
    kafka_ssl_key_password: SecretStr | None = None
    snowflake_private_key_file: Path | None = None  # key-pair sign-in: a PKCS#8 PEM file...
    snowflake_private_key: SecretStr | None = None  # ...or its PEM text
    snowflake_private_key_passphrase: SecretStr | None = None  # when the key is encrypted
    snowflake_token: SecretStr | None = None  # a programmatic access token, instead of a key or password
    s3_amazon: bool = (
        False  # Amazon S3 without AWS keys: the default credential chain (instance or task role)
    )

    # Producer: which feeds, which symbols, how it survives gaps and outages
    finnhub_api_key: SecretStr | None = None
    # comma-separated, read at once by one producer (names: prices.producer.feeds)
    producer_feeds: Annotated[list[str], NoDecode] = ["finnhub", "coinbase", "kraken", "binance"]
    # the local simulator stands in for every feed; default: when neither a key nor a URL is set
    producer_simulator: bool | None = None
    # one feed only: another address speaking its protocol (default: the feed's own)
    producer_feed_url: str | None = None
    # one feed only, comma-separated in the feed's spelling; default: the feed's usual pairs
    producer_symbols: Annotated[list[str] | None, NoDecode] = None
    # feed symbols the asset and quote tables cannot map: "BINANCE:BNBUSD=BNB-USD,..." (prices.symbols)
    producer_symbol_map: str = ""
    producer_silence_timeout: float = 20.0  # seconds without a frame before reconnecting
    producer_backoff_initial: float = 0.5
    producer_backoff_max: float = 30.0
    producer_buffer_frames: int = 20_000  # frames held while Kafka is unavailable
    producer_buffer_wait: float = 1.0  # seconds the feed reader waits for room before dropping
    producer_report_interval: float = 5.0
    producer_stop_timeout: float = 10.0  # seconds a SIGTERM may take; unacknowledged records are spooled
    producer_stall_seconds: float = 30.0  # trades received and none acknowledged this long: "stalled"
    producer_linger_ms: int = 20
    producer_compression: Literal["gzip", "snappy", "lz4", "zstd"] | None = "zstd"
    trade_history_start_date: str = "2026-10-01"  # first daily partition of <feed>_trade_history (UTC)

    # Loader (Kafka -> RAW.TRADES) and its lag sensor and checks
    trade_max_age_seconds: float = 86_400.0  # a live trade this much older than its receive time is refused
    trade_max_ahead_seconds: float = 60.0  # ...and one this much newer
    loader_batch_size: int = 250_000  # messages per transaction in a bounded run
    loader_follow_batch_size: int = 50_000  # messages per transaction of `load --follow`, at most
    loader_follow_interval: float = 0.5  # seconds between batches of `load --follow`
    loader_report_interval: float = 10.0  # seconds between materializations reported by the follower
    loader_stall_seconds: float = 60.0  # messages waiting and no offset advanced this long: "stalled"
    lag_max_messages: int = 10_000  # the lag sensor requests a run above this many unloaded messages...
    lag_max_age_seconds: float = 120.0  # ...or when the oldest unloaded message is older than this
    lag_retry_seconds: float = 600.0  # a breach with no progress is requested again after this long
    trades_freshness_seconds: float = 300.0  # raw_trades_fresh warns when the newest trade is older

    # News batch
    news_start_date: str = "2026-10-01"  # first daily partition (UTC)
    news_schedule_hour: int = 0  # the daily landing of yesterday's news runs at this UTC time
    news_schedule_minute: int = 30
    finnhub_rest_url: str | None = None  # default: Finnhub's; the local simulator without a key
    news_arrival_interval: int = 30  # seconds between the arrival sensor's listings of news/
    news_first_start_days: int = 7  # on a platform without news, land and load this many days once (0: never)
    news_first_start_finnhub: bool = False  # the first start may land them from the real Finnhub too

    # Local feed simulator (every feed's websocket and trade history, Finnhub's news), used when no
    # FINNHUB_API_KEY is set
    simulator_port: int = 8090
    simulator_rate: float = 50.0  # trades per second per venue: 200 in all with the four feeds
    simulator_seed: int = 42
    simulator_error_ratio: float = 0.001  # chance per 0.1 s tick of a Finnhub error frame (~1 in 100 s)
    simulator_malformed_ratio: float = 0.0  # chance per tick of a frame or item fit for the dead-letter topic

    # Alerts
    alerts_file: Path = PROJECT_ROOT / "config" / "alerts.yaml"  # channels, rules and price alerts
    checks_interval_seconds: float = 300.0  # how often the prices checks and price alerts run; 0: never

    # Orchestration and dashboard
    dagster_port: int = 3000
    dagster_url: str | None = None  # the Dagster UI as users reach it; default: the local one
    dagster_api_url: str | None = None  # the webserver as the dashboard reaches it; default: dagster_url
    dashboard_port: int = 8501
    dashboard_refresh_seconds: float = 5.0  # how often live parts of the dashboard refresh
    report_to_dagster: bool = True  # the workers report their state (checks) and the loader its loads

    @field_validator("producer_compression", mode="before")
    @classmethod
    def _no_compression(cls, value: object) -> object:
        return None if value in ("", "none") else value

    @field_validator("producer_symbols", "producer_feeds", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [s.strip() for s in value.split(",") if s.strip()] or None
        return value

    # ---- derived ------------------------------------------------------------------------------

    @property
    def kafka_is_local(self) -> bool:
        return not self.kafka_bootstrap_servers

    @property
    def kafka(self) -> KafkaConnection:
        """The Kafka connection: the configured brokers and sign-in, or the local broker."""
        return KafkaConnection(
            bootstrap_servers=self.kafka_bootstrap_servers or f"{LOCAL_HOST}:{self.kafka_local_port}",
            security_protocol=self.kafka_security_protocol,
            sasl_mechanism=self.kafka_sasl_mechanism,
            sasl_username=self.kafka_sasl_username,
            sasl_password=_text(self.kafka_sasl_password),
            ssl_cafile=_text(self.kafka_ssl_cafile),
            ssl_certfile=_text(self.kafka_ssl_certfile),
            ssl_keyfile=_text(self.kafka_ssl_keyfile),
            ssl_key_password=_text(self.kafka_ssl_key_password),
            aws_region=self.aws_region,
        )

    @property
    def kafka_topics(self) -> dict[str, int]:
        """Topic name -> partition count for every topic the platform writes."""
        return {self.kafka_topic_trades: self.kafka_trades_partitions, self.kafka_topic_dlq: 1}

    @property
    def s3_is_local(self) -> bool:
        """No endpoint, no AWS keys and no S3_AMAZON: the local S3 server."""
        return not (self.s3_endpoint_url or self.aws_access_key_id or self.s3_amazon)

    @property
    def s3_endpoint(self) -> str | None:
        """The endpoint to give boto3; None means Amazon S3 itself."""
        if self.s3_is_local:
            return f"http://{LOCAL_HOST}:{self.s3_local_port}"
        return self.s3_endpoint_url

    @property
    def s3(self) -> S3Connection:
        """The S3 connection: the local server with its fixed keys; Amazon S3 or another endpoint
        with AWS keys, or with none (boto3's default chain)."""
        if self.s3_is_local:
            key, secret = self.s3_local_access_key, self.s3_local_secret_key.get_secret_value()
        else:
            key, secret = self.aws_access_key_id, _text(self.aws_secret_access_key)
        return S3Connection(
            endpoint_url=self.s3_endpoint, region=self.aws_region, access_key_id=key, secret_access_key=secret
        )

    @property
    def warehouse_is_local(self) -> bool:
        return not self.snowflake_account

    @property
    def use_simulator(self) -> bool:
        """Whether the local simulator stands in for the feeds: PRODUCER_SIMULATOR, or else neither a
        Finnhub key nor another feed URL is set."""
        if self.producer_simulator is not None:
            return self.producer_simulator
        return not self.finnhub_api_key and not self.producer_feed_url

    @property
    def news_api(self) -> tuple[str, str]:
        """Base URL and token of Finnhub's REST API, or of the simulator when no key is set."""
        if self.finnhub_api_key:
            return self.finnhub_rest_url or FINNHUB_REST_URL, self.finnhub_api_key.get_secret_value()
        return self.finnhub_rest_url or f"http://{LOCAL_HOST}:{self.simulator_port}/api/v1", "local"

    @property
    def dagster_ui(self) -> str:
        return (self.dagster_url or f"http://{LOCAL_HOST}:{self.dagster_port}").rstrip("/")

    @property
    def dagster_api(self) -> str:
        return (self.dagster_api_url or self.dagster_ui).rstrip("/")

    @property
    def dagster_home(self) -> Path:
        return Path(os.environ.get("DAGSTER_HOME") or self.home / "dagster")


def _text(value: Path | SecretStr | None) -> str | None:
    if value is None:
        return None
    return value.get_secret_value() if isinstance(value, SecretStr) else str(value)


def get_settings() -> Settings:
    return Settings()
