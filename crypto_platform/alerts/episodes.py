"""When a check outcome becomes an alert: once per failure episode, and a recovery when it passes.

An episode starts at the first matching failure after a pass and ends at the next pass. Its start
is announced unless the rule's last announcement was less than `quiet_minutes` ago (a flapping
check stays quiet for that long), and then it is announced as soon as the quiet period is over
while the episode is still open: a channel's last word is never "passes again" while the check
fails (Alertmanager's group interval). With `repeat_minutes`, an open episode is announced again
that often (Alertmanager's repeat interval). Its end is announced only if its start was. The
state per rule and check is a small dict kept in the sensor's cursor; times are epoch seconds.
"""

from __future__ import annotations

from typing import Literal

Event = Literal["failure", "recovery"]


def step(
    state: dict, failing: bool, quiet_seconds: float, now: float, repeat_seconds: float | None = None
) -> tuple[dict, Event | None]:
    """The new state and what to announce, if anything, for one evaluation of one check (or, with
    `failing` true, for a sensor tick that finds its episode still open: see `due`)."""
    is_open, announced, last_sent = (
        state.get("open", False),
        state.get("announced", False),
        state.get("last_sent"),
    )
    if failing:
        if is_open and announced and not _elapsed(last_sent, repeat_seconds, now):
            return state, None
        if (not is_open or not announced) and not _elapsed(last_sent, quiet_seconds, now):
            return {"open": True, "announced": announced, "last_sent": last_sent}, None
        return {"open": True, "announced": True, "last_sent": now}, "failure"
    if is_open:
        return {"open": False, "announced": False, "last_sent": now if announced else last_sent}, (
            "recovery" if announced else None
        )
    return state, None


def due(state: dict, quiet_seconds: float, now: float, repeat_seconds: float | None = None) -> bool:
    """Whether an open episode is owed an announcement now, without a new evaluation: its quiet
    period ended while it was unannounced, or its repeat interval passed."""
    if not state.get("open"):
        return False
    return step(state, True, quiet_seconds, now, repeat_seconds)[1] is not None


def _elapsed(last_sent: float | None, interval: float | None, now: float) -> bool:
    """Whether `interval` seconds have passed since `last_sent` (never sent: yes; no interval: no)."""
    if last_sent is None:
        return True
    return interval is not None and now - last_sent >= interval
