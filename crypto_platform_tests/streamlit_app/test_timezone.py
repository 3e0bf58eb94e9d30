"""Times on the dashboard mean one instant each: UTC days by their UTC date, no chart time shown
twice at a clock change, and no portfolio time the local clock skips."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from streamlit_app import timezone
from streamlit_app.timezone import NotALocalTime, ambiguity, chart_times, day_start, stored


def in_zone(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setattr(timezone, "user_zone", lambda: ZoneInfo(name))


def test_a_utc_day_candle_is_labelled_with_its_utc_date_west_of_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    """In New York the 1 May candle used to be drawn at 30 April 20:00."""
    in_zone(monkeypatch, "America/New_York")
    days, zone = chart_times(pd.Series(pd.to_datetime(["2024-05-01", "2024-05-02"])), daily=True)
    assert [d.date().isoformat() for d in days] == ["2024-05-01", "2024-05-02"] and zone == "UTC dates"


def test_hourly_times_across_the_autumn_clock_change_are_drawn_in_utc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In Madrid, 2024-10-27 00:00 and 01:00 UTC are both 02:00 on the wall: two candles at one x."""
    in_zone(monkeypatch, "Europe/Madrid")
    across = pd.Series(pd.to_datetime(["2024-10-26 23:00", "2024-10-27 00:00", "2024-10-27 01:00"]))
    times, zone = chart_times(across)
    assert zone == "UTC" and times.is_unique
    calm = pd.Series(pd.to_datetime(["2024-10-20 10:00", "2024-10-20 11:00"]))
    times, zone = chart_times(calm)
    assert zone == "Europe/Madrid" and [t.hour for t in times] == [12, 13]


def test_a_day_begins_at_its_midnight_or_where_the_clock_skips_midnight_when_it_jumps(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The News page's date filter called `stored` on local midnights, which raised where the clock
    skips midnight (Sao Paulo, 2018-11-04: 00:00 -03 became 01:00 -02)."""
    in_zone(monkeypatch, "America/Sao_Paulo")
    with pytest.raises(NotALocalTime):
        stored(datetime(2018, 11, 4))
    assert day_start(date(2018, 11, 4)) == datetime(2018, 11, 4, 3)  # the jump, 00:00 -03 = 01:00 -02
    assert day_start(date(2018, 11, 5)) == datetime(2018, 11, 5, 2)


def test_a_time_the_clock_skips_is_refused_and_one_it_repeats_is_taken_as_the_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2024-03-31 02:30 does not exist in Madrid: it used to be stored as 01:30 UTC and shown as 03:30."""
    in_zone(monkeypatch, "Europe/Madrid")
    with pytest.raises(NotALocalTime, match="2024-03-31 02:30 does not exist in Europe/Madrid"):
        stored(datetime(2024, 3, 31, 2, 30))
    twice = datetime(2024, 10, 27, 2, 30)
    assert stored(twice) == datetime(2024, 10, 27, 0, 30)
    assert ambiguity(twice) == (
        "2024-10-27 02:30 happens twice in Europe/Madrid; taken as the first (00:30 UTC, not 01:30 UTC)."
    )
    assert ambiguity(datetime(2024, 10, 20, 2, 30)) is None
    assert stored(datetime(2024, 10, 20, 2, 30)) == datetime(2024, 10, 20, 0, 30)
