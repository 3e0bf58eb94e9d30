"""Kafka client configuration, sign-in and topic provisioning, shared by the producer, loader and stack.

Sign-in: PLAINTEXT locally; in production TLS (`SSL`, with a CA file and optionally a client
certificate) and SASL over TLS (`SASL_SSL`) with PLAIN, SCRAM-SHA-256/512 or Amazon MSK IAM
(OAUTHBEARER with a token signed by PyPI `aws-msk-iam-sasl-signer-python`).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiokafka.abc import AbstractTokenProvider
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.conn import collect_hosts, create_conn
from aiokafka.errors import (
    AuthenticationFailedError,
    KafkaConnectionError,
    KafkaError,
    SaslAuthenticationFailed,
    UnsupportedSaslMechanismError,
)
from aiokafka.helpers import create_ssl_context
from aiokafka.protocol.metadata import MetadataRequest
from pydantic import BaseModel, ConfigDict, Field

SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "AWS_MSK_IAM")
MSK_IAM = "AWS_MSK_IAM"
"""Our name for MSK IAM sign-in (the one the Java `aws-msk-iam-auth` library uses); on the wire it
is SASL/OAUTHBEARER with a signed token."""


class KafkaSignInError(RuntimeError):
    """Kafka cannot be signed in to as configured (the broker refused our TLS or SASL sign-in, or the
    settings contradict each other): retrying cannot help. The message is one line naming the
    cause and the settings to check."""


class MskIamTokenProvider(AbstractTokenProvider):
    """OAUTHBEARER tokens for Amazon MSK IAM sign-in, signed with the default AWS credential chain
    (environment keys, profile, IRSA web identity, ECS task role or EC2 instance profile).

    A token is a base64url SigV4-presigned `kafka-cluster:Connect` URL for
    `kafka.<region>.amazonaws.com`, valid 15 minutes (`aws_msk_iam_sasl_signer`); it is reused
    until one minute before it expires, as aiokafka's `AbstractTokenProvider` asks.
    """

    REFRESH_MARGIN_MS = 60_000

    def __init__(self, region: str, sign: Callable[[str], tuple[str, int]] | None = None) -> None:
        if sign is None:
            from aws_msk_iam_sasl_signer import MSKAuthTokenProvider

            sign = MSKAuthTokenProvider.generate_auth_token
        self.region = region
        self._sign = sign
        self._token: tuple[str, int] | None = None

    async def token(self) -> str:
        now_ms = time.time_ns() // 1_000_000
        if self._token is None or self._token[1] - now_ms < self.REFRESH_MARGIN_MS:
            # signing may fetch credentials (instance metadata, STS): not on the event loop
            self._token = await asyncio.to_thread(self._sign, self.region)
        return self._token[0]


class KafkaConnection(BaseModel):
    """Where Kafka is and how to sign in (see the module docstring): the one description of a Kafka
    connection. `Settings.kafka` builds it from the environment, the Dagster `KafkaResource` carries
    its fields, and `client_config` is the one conversion into aiokafka's arguments. Paths are PEM
    files; the two passwords are left out of `repr`."""

    model_config = ConfigDict(frozen=True)

    bootstrap_servers: str = Field(description="host:port[,host:port...] of the brokers")
    security_protocol: str = Field("PLAINTEXT", description="PLAINTEXT, SSL, SASL_SSL or SASL_PLAINTEXT")
    sasl_mechanism: str | None = Field(None, description="PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or AWS_MSK_IAM")
    sasl_username: str | None = None
    sasl_password: str | None = Field(None, repr=False)
    ssl_cafile: str | None = Field(None, description="CA bundle that signed the brokers' certificates")
    ssl_certfile: str | None = Field(None, description="client certificate, for mutual TLS")
    ssl_keyfile: str | None = Field(None, description="the client certificate's private key")
    ssl_key_password: str | None = Field(None, repr=False)
    aws_region: str | None = Field(None, description="the region MSK IAM tokens are signed for")

    def client_config(self) -> dict[str, Any]:
        """Connection keyword arguments for any aiokafka client.

        Raises KafkaSignInError, naming the settings, for an unknown SASL mechanism or one set
        without `SASL_SSL`/`SASL_PLAINTEXT`.
        """
        config: dict[str, Any] = {
            "bootstrap_servers": self.bootstrap_servers,
            "security_protocol": self.security_protocol,
        }
        if self.security_protocol in ("SSL", "SASL_SSL"):
            config["ssl_context"] = create_ssl_context(
                cafile=self.ssl_cafile,
                certfile=self.ssl_certfile,
                keyfile=self.ssl_keyfile,
                password=self.ssl_key_password,
            )
        if not self.sasl_mechanism:
            return config
        if self.sasl_mechanism not in SASL_MECHANISMS:
            raise KafkaSignInError(
                f"KAFKA_SASL_MECHANISM={self.sasl_mechanism} is not supported; use one of "
                + ", ".join(SASL_MECHANISMS)
            )
        if not self.security_protocol.startswith("SASL_"):
            raise KafkaSignInError(
                f"KAFKA_SASL_MECHANISM={self.sasl_mechanism} needs KAFKA_SECURITY_PROTOCOL=SASL_SSL "
                f"(it is {self.security_protocol})"
            )
        if self.sasl_mechanism == MSK_IAM:
            return config | {
                "sasl_mechanism": "OAUTHBEARER",
                "sasl_oauth_token_provider": MskIamTokenProvider(self.aws_region or "us-east-1"),
            }
        return config | {
            "sasl_mechanism": self.sasl_mechanism,
            "sasl_plain_username": self.sasl_username,
            "sasl_plain_password": self.sasl_password,
        }


async def sign_in_problem(config: dict[str, Any], timeout_ms: int = 10_000) -> str | None:
    """Connect once to each bootstrap server with `config` (aiokafka client arguments) and return
    one line naming why TLS or SASL refused us; None when no server refused (reachable and answering,
    or not reachable at all). aiokafka itself only logs this cause and raises "Unable to
    bootstrap", so a failed start is explained with this probe."""
    keys = (
        "security_protocol", "ssl_context", "sasl_mechanism", "sasl_plain_username",
        "sasl_plain_password", "sasl_oauth_token_provider",
    )  # fmt: skip
    for host, port, _ in collect_hosts(config["bootstrap_servers"], randomize=False):
        where = f"Kafka at {host}:{port}"
        try:
            conn = await create_conn(
                host, port, request_timeout_ms=timeout_ms, **{k: config[k] for k in keys if k in config}
            )
            try:
                await conn.send(MetadataRequest([]))
            finally:
                conn.close()
        except ssl.SSLCertVerificationError as exc:
            return (
                f"{where}: the broker's TLS certificate is not trusted ({exc.verify_message}); "
                "set KAFKA_SSL_CAFILE to the CA that signed it"
            )
        except ssl.SSLError as exc:
            return (
                f"{where}: the TLS handshake failed ({exc.reason or exc}); check KAFKA_SECURITY_PROTOCOL "
                "and, if the broker requires a client certificate, KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE"
            )
        except (SaslAuthenticationFailed, AuthenticationFailedError) as exc:
            return f"{where} refused the sign-in: {_sasl_refusal(config, exc)}"
        except UnsupportedSaslMechanismError as exc:
            return f"{where} does not offer this SASL mechanism ({exc}); check KAFKA_SASL_MECHANISM"
        except KafkaConnectionError:
            if await _answers(host, port, config.get("ssl_context"), timeout_ms):
                return (
                    f"{where} closed the connection at the first request: the listener may require a "
                    "client certificate (KAFKA_SSL_CERTFILE, KAFKA_SSL_KEYFILE), SASL or TLS "
                    "(KAFKA_SECURITY_PROTOCOL)"
                )
        except (TimeoutError, OSError, KafkaError):
            pass  # not reachable, or not answering: not a sign-in problem
    return None


async def _answers(host: str, port: int, ssl_context: ssl.SSLContext | None, timeout_ms: int) -> bool:
    """Whether a TCP connection (and the TLS handshake, with a context) to the broker succeeds: then
    a connection closed at the first Kafka request was the broker refusing what we sent."""
    try:
        _, writer = await asyncio.wait_for(
            asyncio.open_connection(host, port, ssl=ssl_context), timeout_ms / 1000
        )
    except (OSError, TimeoutError):
        return False
    writer.close()
    return True


def _sasl_refusal(config: dict[str, Any], exc: Exception) -> str:
    broker_says = str(exc).split(": ", 1)[-1]  # aiokafka prefixes the error's class name
    if config.get("sasl_oauth_token_provider") is not None:
        region = getattr(config["sasl_oauth_token_provider"], "region", "?")
        return (
            f"MSK IAM authentication failed ({broker_says}); check that the AWS identity may "
            f"kafka-cluster:Connect and that AWS_REGION ({region}) is the cluster's"
        )
    return (
        f"{config.get('sasl_mechanism')} authentication failed for user "
        f"{config.get('sasl_plain_username')!r} ({broker_says}); check KAFKA_SASL_USERNAME and "
        "KAFKA_SASL_PASSWORD"
    )


async def start_client(start: Callable[[], Awaitable[None]], config: dict[str, Any]) -> None:
    """`await start()` (an aiokafka client's start); when it cannot bootstrap because the broker
    refused our TLS or SASL sign-in, raise KafkaSignInError with the cause instead of aiokafka's
    "Unable to bootstrap". Other failures (broker away) propagate unchanged, to be retried."""
    try:
        await start()
    except KafkaConnectionError:
        problem = await sign_in_problem(config)
        if problem:
            raise KafkaSignInError(problem) from None
        raise


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


async def _admin(connection: KafkaConnection, timeout_ms: int | None = None) -> AIOKafkaAdminClient:
    """A started admin client (raises KafkaSignInError when the broker refuses our sign-in)."""
    config = connection.client_config()
    admin = AIOKafkaAdminClient(**config, **({"request_timeout_ms": timeout_ms} if timeout_ms else {}))
    await start_client(admin.start, config)
    return admin


async def _ensure_topics(
    connection: KafkaConnection, topics: Mapping[str, int], replication_factor: int, timeout_ms: int
) -> list[str]:
    admin = await _admin(connection, timeout_ms)
    try:
        existing = set(await admin.list_topics())
        missing = [
            NewTopic(name, partitions, replication_factor=replication_factor)
            for name, partitions in topics.items()
            if name not in existing
        ]
        if missing:
            await admin.create_topics(missing)
        return [t.name for t in missing]
    finally:
        await admin.close()


def ensure_topics(
    connection: KafkaConnection,
    topics: Mapping[str, int],
    replication_factor: int = 1,
    timeout_ms: int = 10_000,
) -> list[str]:
    """Create the topics (name -> partition count) where missing; returns the names created."""
    return asyncio.run(_ensure_topics(connection, topics, replication_factor, timeout_ms))


async def _list_topics(connection: KafkaConnection, timeout_ms: int) -> list[str]:
    admin = await _admin(connection, timeout_ms)
    try:
        return sorted(await admin.list_topics())
    finally:
        await admin.close()


def list_topics(connection: KafkaConnection, timeout_ms: int = 5_000) -> list[str]:
    """The broker's topics; raises when the broker does not answer within the timeout."""
    return asyncio.run(_list_topics(connection, timeout_ms))


async def missing_topics(connection: KafkaConnection, topics: list[str]) -> list[str]:
    """Those of `topics` the broker does not have (raises when the broker does not answer)."""
    admin = await _admin(connection)
    try:
        existing = set(await admin.list_topics())
    finally:
        await admin.close()
    return [t for t in topics if t not in existing]


async def partition_ids(connection: KafkaConnection, topic: str) -> list[int]:
    """The topic's partitions, from the broker's metadata; raises if the topic does not exist."""
    admin = await _admin(connection)
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described.get("error_code") or not described["partitions"]:
        raise RuntimeError(f"Kafka topic {topic!r} does not exist")
    return sorted(p["partition"] for p in described["partitions"])
