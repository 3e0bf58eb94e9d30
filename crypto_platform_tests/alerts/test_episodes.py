"""Once per failure episode, a recovery only after an announced failure, quiet periods that delay
an announcement but never swallow it, and repeats."""

from __future__ import annotations

from crypto_platform.alerts.episodes import due, step

QUIET = 600.0


def run(
    outcomes: list[tuple[float, bool]], quiet: float = QUIET, repeat: float | None = None
) -> list[str | None]:
    state: dict = {}
    events = []
    for now, failing in outcomes:
        state, event = step(state, failing, quiet, now, repeat)
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


def test_a_failure_still_open_when_its_quiet_period_ends_is_announced_then() -> None:
    """The issue's replay (quiet_minutes: 30): fails at 0 s, passes at 60 s, fails at 120 s and stays
    failing. Nothing was ever sent after the recovery; now the failure is, once the quiet period
    after the last announcement (60 s) is over, and its recovery after it."""
    assert run([(0, True), (60, False), (120, True), (1800, True), (1860, True), (3600, True),
                (14_400, True), (14_460, False)], quiet=1800) == [
        "failure", "recovery", None, None, "failure", None, None, "recovery",
    ]  # fmt: skip


def test_an_open_episode_is_due_on_a_tick_without_a_new_evaluation() -> None:
    state, _ = step({}, True, 1800, 0)
    state, _ = step(state, False, 1800, 60)
    state, event = step(state, True, 1800, 120)
    assert event is None
    assert not due(state, 1800, 1859) and due(state, 1800, 1860)
    assert not due(step(state, False, 1800, 200)[0], 1800, 10_000), "a closed episode is owed nothing"


def test_an_open_failure_is_repeated_every_repeat_interval() -> None:
    assert run([(0, True), (100, True), (3600, True), (3700, True), (7200, True), (7300, False)],
               repeat=3600) == ["failure", None, "failure", None, "failure", "recovery"]  # fmt: skip
