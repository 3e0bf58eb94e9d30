"""Times in the user's time zone (the browser's, as Streamlit reports it; UTC when unknown). The
warehouse stores naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
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


def stored(user_time: datetime) -> datetime:
    """A time the user entered (naive, in their zone) as stored: naive UTC."""
    return user_time.replace(tzinfo=user_zone()).astimezone(UTC).replace(tzinfo=None)


def zone_name() -> str:
    return str(user_zone())
