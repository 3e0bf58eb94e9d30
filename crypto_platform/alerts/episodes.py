"""When a check outcome becomes an alert: once per failure episode, and a recovery when it passes.

An episode starts at the first matching failure after a pass and ends at the next pass. Its start
is announced unless the rule's last announcement was less than `quiet_minutes` ago (a flapping
check stays quiet); its end is announced only if its start was. The state per rule and check is
a small dict kept in the sensor's cursor.
"""

from __future__ import annotations

from typing import Literal

Event = Literal["failure", "recovery"]


def step(state: dict, failing: bool, quiet_seconds: float, now: float) -> tuple[dict, Event | None]:
    """The new state and what to announce, if anything, for one evaluation of one check."""
    is_open, announced, last_sent = (
        state.get("open", False),
        state.get("announced", False),
        state.get("last_sent"),
    )
    if failing and not is_open:
        announce = last_sent is None or now - last_sent >= quiet_seconds
        new = {"open": True, "announced": announce, "last_sent": now if announce else last_sent}
        return new, "failure" if announce else None
    if not failing and is_open:
        return {"open": False, "announced": False, "last_sent": now if announced else last_sent}, (
            "recovery" if announced else None
        )
    return state, None
