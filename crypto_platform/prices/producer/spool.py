"""Records the producer could not get acknowledged before it had to stop, kept on disk and sent first
on the next start, so a restart during a Kafka outage loses nothing.

Each stop that leaves records behind writes one new file, `<home>/spool/producer-<ns>.jsonl`, one
`{"topic", "key", "value"}` object per line (keys and values are the producer's own UTF-8 JSON). A
file is deleted only once everything in it is acknowledged; a stop during the replay writes what is
still unacknowledged to a new file, so a record may be sent twice, never lost (CORE.TRADES keeps
one row per trade id).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from crypto_platform.prices.producer.sink import Record

SpooledRecord = tuple[str, Record]
"""A topic and a message (key, value)."""


def spool_dir(home: Path) -> Path:
    return home / "spool"


def save(folder: Path, records: list[SpooledRecord]) -> Path:
    """Write `records` to a new spool file (atomically: a reader never sees half of one)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"producer-{time.time_ns()}.jsonl"
    tmp = path.with_suffix(".tmp")
    lines = (
        json.dumps({"topic": topic, "key": key.decode(), "value": value.decode()}) + "\n"
        for topic, (key, value) in records
    )
    tmp.write_text("".join(lines))
    tmp.replace(path)
    return path


def files(folder: Path) -> list[Path]:
    """Spool files waiting to be sent, oldest first."""
    return sorted(folder.glob("producer-*.jsonl"))


def load(path: Path) -> list[SpooledRecord]:
    records = []
    for line in path.read_text().splitlines():
        item = json.loads(line)
        records.append((item["topic"], (item["key"].encode(), item["value"].encode())))
    return records
