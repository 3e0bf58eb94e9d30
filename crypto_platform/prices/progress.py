"""Whether the producer and the loader are progressing, judged from the data alone (the topic and
the warehouse), for the Dagster checks `producer_progress` and `loader_progress`. The workers also
record their own state in those checks, with their reasons; these verdicts catch what a worker
cannot say itself (it died, or it hangs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Verdict:
    passed: bool
    description: str
    metadata: dict[str, Any] = field(default_factory=dict)


def loader_verdict(lag: int, seconds_since_advance: float | None, stall_seconds: float) -> Verdict:
    """Stalled when messages wait (`lag`) and no partition's offset advanced for `stall_seconds`."""
    metadata = {"lag": lag, "seconds_since_offsets_advanced": seconds_since_advance, "source": "data"}
    if lag and (seconds_since_advance is None or seconds_since_advance >= stall_seconds):
        since = "never" if seconds_since_advance is None else f"for {seconds_since_advance:.0f} s"
        return Verdict(False, f"stalled: {lag} message(s) wait and no offset advanced {since}", metadata)
    return Verdict(True, f"loading: {lag} message(s) wait", metadata)


def producer_verdict(seconds_since_newest: float | None, stall_seconds: float) -> Verdict:
    """Stalled when no message reached the topic for `stall_seconds` (a live market trades every
    second; the simulator many times a second)."""
    metadata = {"seconds_since_newest_message": seconds_since_newest, "source": "data"}
    if seconds_since_newest is None or seconds_since_newest >= stall_seconds:
        since = "ever" if seconds_since_newest is None else f"for {seconds_since_newest:.0f} s"
        return Verdict(False, f"stalled: no trade written to the topic {since}", metadata)
    return Verdict(True, f"producing: newest trade {seconds_since_newest:.0f} s old", metadata)
