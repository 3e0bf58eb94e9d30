"""Statements kept in `sql/queries/`, read by name."""

from __future__ import annotations

import functools

from crypto_platform.settings import PROJECT_ROOT

QUERIES_DIR = PROJECT_ROOT / "sql" / "queries"


@functools.cache
def query(name: str) -> str:
    """The text of `sql/queries/<name>.sql` without its trailing `;`."""
    return (QUERIES_DIR / f"{name}.sql").read_text().strip().rstrip(";")
