"""A feed's counters in the producer, reported in its log and in the status file that
`crypto-platform status` reads."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields


@dataclass
class ProducerCounters:
    frames: int = 0  # frames received from the feed
    trades: int = 0  # valid trades parsed from them
    produced: int = 0  # trades acknowledged by Kafka
    dead_lettered: int = 0  # bad frames or items acknowledged on the dead-letter topic
    pings: int = 0
    feed_errors: int = 0  # the feed's own error frames
    reconnects: int = 0
    gaps: int = 0
    gap_seconds: float = 0.0
    dropped_frames: int = 0  # frames lost because the buffer stayed full (Kafka down too long)
    send_retries: int = 0  # Kafka sends that failed and were queued again

    @classmethod
    def total(cls, parts: Iterable[ProducerCounters]) -> ProducerCounters:
        """The counters of `parts` (each feed's) added up."""
        total = cls()
        for part in parts:
            for f in fields(cls):
                setattr(total, f.name, getattr(total, f.name) + getattr(part, f.name))
        return total

    def summary(self) -> str:
        return " ".join(
            f"{k}={v:.1f}" if isinstance(v, float) else f"{k}={v}" for k, v in asdict(self).items()
        )

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)
