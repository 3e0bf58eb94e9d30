"""Times in the user's time zone (the browser's, as Streamlit reports it; UTC when unknown). The
warehouse stores naive UTC.

Never ambiguous: a chart whose times would repeat on the local clock (the autumn clock change)
is drawn in UTC, and a UTC day's candle is labelled with its UTC date. A time the user enters that
the local clock skips (spring) is refused; one it shows twice (autumn) is taken as the first, and
`stored` says so."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd
import streamlit as st


def user_zone() -> tzinfo:
    try:
        return ZoneInfo(st.context.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(utc: datetime) -> datetime:
    """A stored (naive UTC) time in the user's zone."""
    return utc.replace(tzinfo=UTC).astimezone(user_zone())


def local_wall_times(utc: pd.Series) -> pd.Series:
    """Stored (naive UTC) times as naive wall-clock times in the user's zone, for chart axes."""
    return utc.dt.tz_localize(UTC).dt.tz_convert(user_zone()).dt.tz_localize(None)


def chart_times(utc: pd.Series, daily: bool = False) -> tuple[pd.Series, str]:
    """A chart's x values for stored (naive UTC) times, and the zone to name on its axis. UTC days
    (`daily`) are their UTC dates; other times are the user's wall-clock times, unless two of them
    would read the same or run backwards (a clock change inside the range): then UTC."""
    if daily:
        return utc.dt.normalize(), "UTC dates"
    wall = local_wall_times(utc)
    if wall.is_monotonic_increasing and wall.is_unique:
        return wall, zone_name()
    return utc, "UTC"


class NotALocalTime(ValueError):
    """A wall-clock time that does not exist in the user's zone (skipped at a clock change)."""


def stored(user_time: datetime) -> datetime:
    """A time the user entered (naive, in their zone) as stored: naive UTC. Raises NotALocalTime for
    a time the clock skips; of a time it shows twice, the first (`ambiguity` says so)."""
    zone = user_zone()
    aware = user_time.replace(tzinfo=zone, fold=0)
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != user_time:
        raise NotALocalTime(
            f"{user_time:%Y-%m-%d %H:%M} does not exist in {zone} (the clocks skip it): choose another time."
        )
    return aware.astimezone(UTC).replace(tzinfo=None)


def day_start(day: date) -> datetime:
    """When the user's local `day` begins, as stored (naive UTC): its midnight, or where the clock
    skips midnight (Sao Paulo on 2018-11-04 went from 00:00 straight to 01:00) the moment it jumps.
    Never raises: a date filter's bounds always exist."""
    return datetime.combine(day, time(), tzinfo=user_zone()).astimezone(UTC).replace(tzinfo=None)


def ambiguity(user_time: datetime) -> str | None:
    """What `stored` chose for a time the user's clock shows twice, or None when it shows it once."""
    zone = user_zone()
    first, second = (user_time.replace(tzinfo=zone, fold=fold) for fold in (0, 1))
    if first.utcoffset() == second.utcoffset():
        return None
    return (
        f"{user_time:%Y-%m-%d %H:%M} happens twice in {zone}; taken as the first "
        f"({first.astimezone(UTC):%H:%M} UTC, not {second.astimezone(UTC):%H:%M} UTC)."
    )


def zone_name() -> str:
    return str(user_zone())
