"""OPS.ALERTS: the record of every alert sent, which the dashboard's Pipeline page shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from snowflake.connector import SnowflakeConnection

from crypto_platform.warehouse.sql import bind, query


def record(conn: SnowflakeConnection, alert: Mapping[str, Any]) -> None:
    """Insert one alert: the fields of `crypto_platform.alerts.alert.Alert`, by name."""
    with conn.cursor() as cur:
        cur.execute(*bind(query("alerts_insert"), alert))
