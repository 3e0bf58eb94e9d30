"""Applying `sql/` to the warehouse: one object per file, in file-name order, idempotently.

Files under `sql/snowflake/` use objects only Snowflake has (storage integrations, external
stages, pipes, tasks) and are applied only to a real account.
"""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

from snowflake.connector import SnowflakeConnection
from sqlglot.tokens import Tokenizer, TokenType

from crypto_platform.settings import Settings

log = logging.getLogger(__name__)


def sql_files(sql_dir: Path, *, snowflake_only: bool = False) -> list[Path]:
    folder = sql_dir / "snowflake" if snowflake_only else sql_dir
    return sorted(folder.glob("*.sql"))


def statements(text: str) -> list[str]:
    """Split SQL text at top-level `;` using sqlglot's Snowflake tokenizer, so a `;` inside a string
    or comment does not split; each statement is returned as written."""
    bounds = [-1]
    bounds += [
        t.start for t in Tokenizer(dialect="snowflake").tokenize(text) if t.token_type == TokenType.SEMICOLON
    ]
    bounds.append(len(text))
    parts = (text[a + 1 : b].strip() for a, b in itertools.pairwise(bounds))
    return [p for p in parts if p and not _only_comments(p)]


def _only_comments(sql: str) -> bool:
    return not Tokenizer(dialect="snowflake").tokenize(sql)


def apply_sql(conn: SnowflakeConnection, settings: Settings) -> list[Path]:
    """Apply every object file; returns the files applied."""
    files = sql_files(settings.sql_dir)
    if not settings.warehouse_is_local:
        files += sql_files(settings.sql_dir, snowflake_only=True)
    with conn.cursor() as cur:
        for path in files:
            for statement in statements(path.read_text()):
                cur.execute(statement)
            log.info("applied %s", path.name)
    return files
