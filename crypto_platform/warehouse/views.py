"""The processed views in `sql/` that the prices assets own: applying one, describing it, counting it."""

from __future__ import annotations

from pathlib import Path

from snowflake.connector import SnowflakeConnection

from crypto_platform.warehouse.migrations import statements


def view_description(path: Path) -> str:
    """The file's leading `--` comment, which says what the view holds."""
    lines = []
    for line in path.read_text().splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)


def apply_view(conn: SnowflakeConnection, path: Path) -> None:
    with conn.cursor() as cur:
        for statement in statements(path.read_text()):
            cur.execute(statement)


def count_rows(conn: SnowflakeConnection, relation: str) -> int:
    """Rows in a table or view named by the platform's own SQL files (never by user input)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {relation}")
        return int(cur.fetchone()[0])


def scalar_row(conn: SnowflakeConnection, sql: str) -> tuple:
    with conn.cursor() as cur:
        cur.execute(sql)
        return tuple(cur.fetchone())
