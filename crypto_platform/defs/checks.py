"""The shape most checks share: a query in `sql/queries/` counts offending rows, and none must exist."""

from __future__ import annotations

import dagster as dg
from dagster_snowflake import SnowflakeResource

from crypto_platform.warehouse.sql import query, scalar_row


def none_found_check(
    asset: str, name: str, query_name: str, what: str, description: str, blocking: bool = False
) -> dg.AssetChecksDefinition:
    """An ERROR check on `asset` that passes when `sql/queries/<query_name>.sql` counts zero; the
    count is reported as metadata under `what`."""

    @dg.asset_check(asset=asset, name=name, blocking=blocking, description=description)
    def _check(snowflake: SnowflakeResource) -> dg.AssetCheckResult:
        with snowflake.get_connection() as conn:
            (found,) = scalar_row(conn, query(query_name))
        return dg.AssetCheckResult(passed=found == 0, metadata={what: found})

    return _check
