"""Once per failure episode, a recovery only after an announced failure, quiet periods."""

from __future__ import annotations

from crypto_platform.alerts.episodes import step

QUIET = 600.0


def run(outcomes: list[tuple[float, bool]]) -> list[str | None]:
    state: dict = {}
    events = []
    for now, failing in outcomes:
        state, event = step(state, failing, QUIET, now)
        events.append(event)
    return events


def test_one_alert_per_episode_and_one_recovery() -> None:
    assert run([(0, False), (10, True), (20, True), (30, True), (40, False), (50, False)]) == [
        None, "failure", None, None, "recovery", None,
    ]  # fmt: skip


def test_a_new_failure_within_the_quiet_period_stays_quiet_and_so_does_its_recovery() -> None:
    assert run([(0, True), (10, False), (20, True), (30, False), (700, True), (710, False)]) == [
        "failure", "recovery", None, None, "failure", "recovery",
    ]  # fmt: skip
