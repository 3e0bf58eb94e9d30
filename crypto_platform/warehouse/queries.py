"""Running a statement and getting its result back as columns and rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from snowflake.connector import SnowflakeConnection


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_query(
    conn: SnowflakeConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> QueryResult:
    """Execute one statement; user values are always passed in `params`, never formatted into `sql`."""
    with conn.cursor() as cur:
        cur.execute(sql, params)
        columns = [d.name for d in cur.description or []]
        rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
    return QueryResult(columns, rows)
