"""What the benchmarks share: a Kafka broker to measure against, and a table of figures."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from crypto_platform.local.kafka import KafkaService
from crypto_platform.local.process import StackError, port_open, wait_until
from crypto_platform.settings import LOCAL_HOST, Settings


@contextmanager
def kafka_broker(settings: Settings) -> Iterator[Settings]:
    """The running local broker, or a fresh one in a temporary folder, stopped afterwards."""
    if port_open(LOCAL_HOST, settings.kafka_local_port):
        yield settings
        return
    with tempfile.TemporaryDirectory(prefix="bench-kafka-") as home:
        own = settings.model_copy(update={"home": Path(home)})
        kafka = KafkaService(own)
        kafka.prepare()
        kafka.process.start(kafka.command(), kafka.env())
        try:
            if not wait_until(kafka.healthy, kafka.startup_timeout):
                raise StackError(f"benchmark broker did not start: {kafka.process.log_tail(3)}")
            yield own
        finally:
            kafka.process.stop()


def print_table(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    print(f"\n{title}")
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")
