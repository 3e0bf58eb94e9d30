"""The fakesnow Snowflake emulator on 127.0.0.1, reached through the real Snowflake connector."""

from __future__ import annotations

import sys

from crypto_platform.local.service import LocalService
from crypto_platform.settings import LOCAL_HOST
from crypto_platform.warehouse import apply_sql, connect, run_query


class WarehouseService(LocalService):
    name = "warehouse"

    @property
    def ports(self) -> list[int]:
        return [self.settings.snowflake_local_port]

    @property
    def external(self) -> bool:
        return not self.settings.warehouse_is_local

    @property
    def address(self) -> str:
        account = self.settings.snowflake_account
        return f"{account}.snowflakecomputing.com" if account else super().address

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "crypto_platform.local.emulator",
            "--db-dir",
            str(self.data_dir),
            "--host",
            LOCAL_HOST,
            "--port",
            str(self.ports[0]),
            "--memory-limit",
            self.settings.snowflake_local_memory,
        ]

    def healthy(self) -> bool:
        try:
            with connect(self.settings, login_timeout=3, network_timeout=5) as conn:
                return run_query(conn, "select 1").rows == [(1,)]
        except Exception:
            return False

    def initialise(self) -> None:
        with connect(self.settings) as conn:
            apply_sql(conn, self.settings)
