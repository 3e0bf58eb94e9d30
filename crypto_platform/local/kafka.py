"""Apache Kafka as one KRaft node (broker + controller) on 127.0.0.1, run from Maven-resolved jars."""

from __future__ import annotations

import base64
import hashlib
import logging
import shutil
import subprocess
import uuid
from pathlib import Path

from crypto_platform.clients.kafka import ensure_topics, list_topics
from crypto_platform.local.process import StackError
from crypto_platform.local.service import LocalService
from crypto_platform.settings import LOCAL_HOST, PROJECT_ROOT

POM = PROJECT_ROOT / "infra" / "kafka" / "pom.xml"
LOG_CONFIG = PROJECT_ROOT / "infra" / "kafka" / "log4j2.properties"
SINGLE_NODE = (
    "offsets.topic.replication.factor=1",
    "transaction.state.log.replication.factor=1",
    "transaction.state.log.min.isr=1",
    "share.coordinator.state.topic.replication.factor=1",
    "share.coordinator.state.topic.min.isr=1",
    "group.initial.rebalance.delay.ms=0",
    "auto.create.topics.enable=false",
    # The log cleaner (compacting __consumer_offsets) allocates its whole dedupe buffer on the heap
    # at start: 128 MiB by default, for 5.5M keys a pass; 4 MiB holds 170k.
    "log.cleaner.dedupe.buffer.size=4194304",
)
"""Broker settings of any one-node local broker (the stack's, and the tests' TLS one)."""


class KafkaService(LocalService):
    name = "kafka"
    startup_timeout = 90.0

    @property
    def ports(self) -> list[int]:
        return [self.settings.kafka_local_port, self.settings.kafka_local_controller_port]

    @property
    def external(self) -> bool:
        return not self.settings.kafka_is_local

    @property
    def address(self) -> str:
        return self.settings.kafka.bootstrap_servers

    @property
    def libs_dir(self) -> Path:
        return self.data_dir / "libs"

    @property
    def config_file(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "data"

    def prepare(self) -> None:
        for tool in ("java", "mvn"):
            if shutil.which(tool) is None:
                raise StackError(f"kafka: `{tool}` not found on PATH; install JDK 17 and Maven")
        self._resolve_jars()
        self.config_file.write_text(self._server_properties())
        if not (self.log_dir / "meta.properties").exists():
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "--ignore-formatted",
                f"--cluster-id={_cluster_id()}",  # the id may start with "-"
                "-c",
                str(self.config_file),
            )

    def _resolve_jars(self) -> None:
        """`mvn dependency:copy-dependencies` once per pom version (Maven caches under ~/.m2)."""
        stamp = self.libs_dir / ".pom-sha256"
        digest = hashlib.sha256(POM.read_bytes()).hexdigest()
        if stamp.exists() and stamp.read_text() == digest:
            return
        shutil.rmtree(self.libs_dir, ignore_errors=True)
        result = subprocess.run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(POM),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={self.libs_dir}",
                "-DincludeScope=runtime",
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            last = (result.stdout + result.stderr).strip().splitlines()[-1:] or ["no output"]
            raise StackError(f"kafka: resolving the broker jars with Maven failed: {last[0]}")
        stamp.write_text(digest)

    def _java(self, main: str, *args: str) -> None:
        result = subprocess.run(
            ["java", "-cp", f"{self.libs_dir}/*", f"-Dlog4j2.configurationFile={LOG_CONFIG}", main, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise StackError(f"kafka: {main} failed: {(result.stderr or result.stdout).strip()[:300]}")

    def _server_properties(self) -> str:
        port, controller = self.ports
        return "\n".join(
            [
                "process.roles=broker,controller",
                "node.id=1",
                f"controller.quorum.voters=1@{LOCAL_HOST}:{controller}",
                f"listeners=PLAINTEXT://{LOCAL_HOST}:{port},CONTROLLER://{LOCAL_HOST}:{controller}",
                f"advertised.listeners=PLAINTEXT://{LOCAL_HOST}:{port}",
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                f"log.dirs={self.log_dir}",
                f"num.partitions={self.settings.kafka_trades_partitions}",
                *SINGLE_NODE,
                "",
            ]
        )

    def command(self) -> list[str]:
        return [
            "java",
            # Sized for one laptop's feed, not a cluster's (Kafka's own scripts give 1 GiB and G1):
            # a heap that starts small and grows to KAFKA_HEAP, the serial collector (no collector
            # threads, no region overhead) and a smaller JIT code cache.
            f"-Xmx{self.settings.kafka_heap}",
            "-Xms32m",
            "-XX:+UseSerialGC",
            "-XX:ReservedCodeCacheSize=48m",
            f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            "-cp",
            f"{self.libs_dir}/*",
            "kafka.Kafka",
            str(self.config_file),
        ]

    def healthy(self) -> bool:
        aiokafka_log = logging.getLogger("aiokafka")
        level = aiokafka_log.level
        aiokafka_log.setLevel(logging.CRITICAL)  # a probe of a starting broker fails by design
        try:
            list_topics(self.settings.kafka, timeout_ms=2_000)
        except Exception:
            return False
        finally:
            aiokafka_log.setLevel(level)
        return True

    def initialise(self) -> None:
        s = self.settings
        ensure_topics(s.kafka, s.kafka_topics, s.kafka_replication_factor)


def _cluster_id() -> str:
    """A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (as `random-uuid`)."""
    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
