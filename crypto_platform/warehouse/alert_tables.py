"""OPS.ALERTS: the record of every alert sent, which the dashboard's Pipeline page shows."""

from __future__ import annotations

import dataclasses

from snowflake.connector import SnowflakeConnection

from crypto_platform.alerts.alert import Alert
from crypto_platform.warehouse.sql import bind, query


def record(conn: SnowflakeConnection, alert: Alert) -> None:
    with conn.cursor() as cur:
        cur.execute(*bind(query("alerts_insert"), dataclasses.asdict(alert)))
