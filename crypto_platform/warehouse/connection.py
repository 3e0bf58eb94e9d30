"""Connections to the warehouse: Snowflake itself, or the fakesnow emulator over HTTP.

Both go through the real `snowflake-connector-python`; only the connection arguments differ.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import snowflake.connector
from snowflake.connector import SnowflakeConnection
from snowflake.connector.cursor import SnowflakeCursor

from crypto_platform.settings import Settings

EMULATOR_ACCOUNT = "fakesnow"
EMULATOR_USER = "fake"
EMULATOR_PASSWORD = "snow"  # the emulator accepts any password; this is not a secret


def emulator_endpoint(settings: Settings) -> dict[str, Any]:
    """Host, port and protocol that route the connector to the local emulator."""
    return {"host": settings.snowflake_local_host, "port": settings.snowflake_local_port, "protocol": "http"}


def connection_args(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for `snowflake.connector.connect` (password included: never log them)."""
    if settings.warehouse_is_local:
        return {
            "account": EMULATOR_ACCOUNT,
            "user": EMULATOR_USER,
            "password": EMULATOR_PASSWORD,
            "database": settings.snowflake_database,
            "schema": settings.snowflake_schema,
            **emulator_endpoint(settings),
            "session_parameters": {"CLIENT_OUT_OF_BAND_TELEMETRY_ENABLED": False},
            "login_timeout": 10,
            # No probing for cloud metadata servers at login: on a machine without them the DNS
            # lookups now and then held a connect for 5 s (1 connect in 10 to 60 measured).
            "platform_detection_timeout_seconds": 0.0,
            "network_timeout": 60,
        }
    password = settings.snowflake_password
    args = {
        "account": settings.snowflake_account,
        "user": settings.snowflake_user,
        "password": password.get_secret_value() if password else None,
        "role": settings.snowflake_role,
        "warehouse": settings.snowflake_warehouse,
        "database": settings.snowflake_database,
        "schema": settings.snowflake_schema,
    }
    return {k: v for k, v in args.items() if v is not None}


@contextmanager
def connect(settings: Settings, **overrides: Any) -> Iterator[SnowflakeConnection]:
    conn = snowflake.connector.connect(**(connection_args(settings) | overrides))
    try:
        yield conn
    finally:
        conn.close()


@contextmanager
def transaction(conn: SnowflakeConnection) -> Iterator[SnowflakeCursor]:
    """A cursor inside BEGIN ... COMMIT; anything raised (even an interrupt) rolls back first."""
    with conn.cursor() as cur:
        cur.execute("BEGIN")
        try:
            yield cur
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
