"""A second, real Apache Kafka broker that only speaks TLS, for the sign-in tests.

It runs from the jars the local stack already resolved (`KafkaService`) on free ports of
127.0.0.1, with certificates made by PyPI `trustme` for this run, and listeners:

- `SASL_SSL`: SASL over TLS with SCRAM-SHA-256 and SCRAM-SHA-512 (users created at format time
  with `StorageTool format --add-scram`), PLAIN (users in the JAAS line) and OAUTHBEARER (Kafka's
  default validator, which accepts unsigned JWTs: enough to see a token provider's token arrive);
- `MTLS`: TLS that requires a client certificate signed by the same CA;
- `INTERNAL` (plaintext, for the broker itself) and `CONTROLLER` (KRaft).

The normal local listener (`make up`, the stack on 9092) is not touched.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import trustme
from cryptography.hazmat.primitives import serialization
from pydantic import SecretStr

from crypto_platform.clients.kafka import list_topics
from crypto_platform.local.kafka import SINGLE_NODE, KafkaService, _cluster_id
from crypto_platform.local.process import StackError, wait_until
from crypto_platform.settings import LOCAL_HOST, PROJECT_ROOT, Settings

SCRAM_USERS = {"SCRAM-SHA-512": ("producer", "producer-secret"), "SCRAM-SHA-256": ("loader", "loader-secret")}
PLAIN_USER = ("dashboard", "dashboard-secret")


@dataclass(frozen=True)
class Certificates:
    ca: Path  # the CA clients trust (KAFKA_SSL_CAFILE)
    client_cert: Path  # a client certificate and its key, signed by the same CA (mutual TLS)
    client_key: Path


class SecureKafka(KafkaService):
    name = "kafka-secure"

    def __init__(self, settings: Settings, directory: Path) -> None:
        super().__init__(settings.model_copy(update={"home": directory, "kafka_heap": "256m"}))
        self.stack_libs = settings.home / "kafka" / "libs"  # resolved by the running stack
        self._ports = _free_ports(4)
        self.certificates = self._make_certificates(directory / "certs")

    @property
    def ports(self) -> list[int]:
        """SASL_SSL, MTLS, INTERNAL, CONTROLLER."""
        return self._ports

    @property
    def external(self) -> bool:
        return False

    @property
    def libs_dir(self) -> Path:
        return self.stack_libs

    def _make_certificates(self, directory: Path) -> Certificates:
        directory.mkdir(parents=True)
        ca = trustme.CA()
        broker = ca.issue_cert(LOCAL_HOST, "localhost", key_type=trustme.KeyType.RSA)
        client = ca.issue_cert("crypto-platform-client", key_type=trustme.KeyType.RSA)
        # Kafka's PEM key store wants the key as PKCS#8, then the certificate chain, in one file
        (directory / "broker.pem").write_bytes(
            _pkcs8(broker.private_key_pem.bytes()) + b"".join(c.bytes() for c in broker.cert_chain_pems)
        )
        ca.cert_pem.write_to_path(str(directory / "ca.pem"))
        client.cert_chain_pems[0].write_to_path(str(directory / "client.pem"))
        (directory / "client.key").write_bytes(_pkcs8(client.private_key_pem.bytes()))
        return Certificates(directory / "ca.pem", directory / "client.pem", directory / "client.key")

    def prepare(self) -> None:
        assert (self.libs_dir / ".pom-sha256").exists(), "start the local stack first: its jars are reused"
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(self._server_properties())
        scram = [f"--add-scram={m}=[name={u},password={p}]" for m, (u, p) in SCRAM_USERS.items()]
        self._java(
            "kafka.tools.StorageTool",
            "format",
            f"--cluster-id={_cluster_id()}",
            "-c",
            str(self.config_file),
            *scram,
        )

    def _server_properties(self) -> str:
        sasl, mtls, internal, controller = self.ports
        certs = self.certificates.ca.parent
        plain_user, plain_password = PLAIN_USER
        listeners = {"SASL_SSL": sasl, "MTLS": mtls, "INTERNAL": internal}
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@{LOCAL_HOST}:{controller}",
                "listeners="
                + ",".join(f"{name}://{LOCAL_HOST}:{port}" for name, port in listeners.items())
                + f",CONTROLLER://{LOCAL_HOST}:{controller}",
                "advertised.listeners="
                + ",".join(f"{name}://{LOCAL_HOST}:{port}" for name, port in listeners.items()),
                "listener.security.protocol.map=SASL_SSL:SASL_SSL,MTLS:SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "inter.broker.listener.name=INTERNAL",
                "controller.listener.names=CONTROLLER",
                f"log.dirs={self.log_dir}",
                "ssl.keystore.type=PEM",
                f"ssl.keystore.location={certs / 'broker.pem'}",
                "ssl.truststore.type=PEM",
                f"ssl.truststore.location={certs / 'ca.pem'}",
                "listener.name.mtls.ssl.client.auth=required",
                "sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER",
                "listener.name.sasl_ssl.plain.sasl.jaas.config="
                "org.apache.kafka.common.security.plain.PlainLoginModule required "
                f'user_{plain_user}="{plain_password}";',
                *(
                    f"listener.name.sasl_ssl.{m.lower()}.sasl.jaas.config="
                    "org.apache.kafka.common.security.scram.ScramLoginModule required;"
                    for m in SCRAM_USERS
                ),
                "listener.name.sasl_ssl.oauthbearer.sasl.jaas.config="
                "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required "
                'unsecuredLoginStringClaim_sub="broker";',
                *SINGLE_NODE,
                "",
            ]
        )

    def healthy(self) -> bool:
        internal = self.settings.model_copy(
            update={"kafka_bootstrap_servers": f"{LOCAL_HOST}:{self.ports[2]}"}
        )
        try:
            list_topics(internal.kafka, timeout_ms=2_000)
        except Exception:
            return False
        return True

    def client_settings(self, base: Settings, mechanism: str = "SCRAM-SHA-512") -> Settings:
        """`base` pointed at the SASL_SSL listener, signed in as `mechanism`'s user, trusting the CA."""
        user, password = SCRAM_USERS.get(mechanism, PLAIN_USER)
        return base.model_copy(
            update={
                "kafka_bootstrap_servers": f"{LOCAL_HOST}:{self.ports[0]}",
                "kafka_security_protocol": "SASL_SSL",
                "kafka_sasl_mechanism": mechanism,
                "kafka_sasl_username": user,
                "kafka_sasl_password": SecretStr(password),
                "kafka_ssl_cafile": self.certificates.ca,
            }
        )


@contextmanager
def running_secure_kafka(stack: Settings, directory: Path) -> Iterator[SecureKafka]:
    """The TLS-only broker, started and healthy for the block, then stopped by its PID."""
    broker = SecureKafka(stack, directory)
    broker.prepare()
    broker.process.start(broker.command(), cwd=PROJECT_ROOT)
    try:
        if not wait_until(lambda: broker.healthy() or broker.process.exited(), broker.startup_timeout, 0.5):
            raise StackError(f"the TLS broker did not start: {broker.process.log_tail(3)}")
        if broker.process.exited():
            raise StackError(f"the TLS broker exited: {broker.process.log_tail(3)}")
        yield broker
    finally:
        broker.process.stop()


def _pkcs8(pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(pem, password=None)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind((LOCAL_HOST, 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()
