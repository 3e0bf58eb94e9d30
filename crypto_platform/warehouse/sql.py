"""The SQL files and running them: `sql/` (one warehouse object per file, applied in name order),
`sql/queries/` (one statement per file, run by name) and ad-hoc statements with their results.

`sql/` is found in one way only, `Settings.sql_dir` (`CRYPTO_PLATFORM_SQL_DIR`). Files under
`sql/snowflake/` use objects only Snowflake has (storage integrations, external stages, pipes, tasks)
and are applied only to a real account.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from snowflake.connector import SnowflakeConnection
from sqlglot.tokens import Tokenizer, TokenType

from crypto_platform.settings import Settings, get_settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


_NAMED = re.compile(r"%\((\w+)\)s")


def bind(sql: str, params: Mapping[str, Any] | None = None) -> tuple[str, list[Any] | None]:
    """`sql` with each `%(name)s` as `?`, and `params` as the list in that order: for connections
    with `paramstyle="qmark"` (all of the platform's), which bind values on the server. The text of
    a statement is then the same on every call, so the warehouse can reuse its compiled form (the
    emulator caches it, see `local/emulator.py`), and no value is ever formatted into SQL."""
    if params is None:
        return sql, None
    return _NAMED.sub("?", sql), [params[name] for name in _NAMED.findall(sql)]


def bind_many(sql: str, rows: Sequence[Mapping[str, Any]]) -> tuple[str, list[list[Any]]]:
    """`bind` for `executemany`: one list of values per row."""
    names = _NAMED.findall(sql)
    return _NAMED.sub("?", sql), [[row[name] for name in names] for row in rows]


@functools.cache
def query(name: str) -> str:
    """The statement in `sql/queries/<name>.sql`, without its comment lines (they describe it, and
    may name its parameters) and its trailing `;`."""
    text = (get_settings().sql_dir / "queries" / f"{name}.sql").read_text()
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def run_query(
    conn: SnowflakeConnection, sql: str, params: Sequence[Any] | Mapping[str, Any] | None = None
) -> QueryResult:
    """Execute one statement; user values are always passed in `params` (a mapping for `%(name)s`
    placeholders, or a sequence for `?`), never formatted into `sql`."""
    if isinstance(params, Mapping):
        sql, params = bind(sql, params)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        columns = [d.name for d in cur.description or []]
        rows = [tuple(r) for r in cur.fetchall()] if cur.description else []
    return QueryResult(columns, rows)


def scalar_row(conn: SnowflakeConnection, sql: str) -> tuple:
    """The one row a statement of the platform's own returns (a check's counts)."""
    with conn.cursor() as cur:
        cur.execute(sql)
        return tuple(cur.fetchone())


def count_rows(conn: SnowflakeConnection, relation: str) -> int:
    """Rows in a table or view named by the platform's own SQL files (never by user input)."""
    with conn.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM {relation}")
        return int(cur.fetchone()[0])


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


def apply_file(conn: SnowflakeConnection, path: Path) -> None:
    """Run every statement of one object file."""
    with conn.cursor() as cur:
        for statement in statements(path.read_text()):
            cur.execute(statement)


def object_file(name: str) -> Path:
    """The object file `sql/<name>` (e.g. `023_core_ohlcv.sql`), found as `query` finds statements."""
    return get_settings().sql_dir / name


def apply_objects(conn: SnowflakeConnection, names: Sequence[str]) -> None:
    """(Re)create the objects of the named files of `sql/`, in the order given."""
    for name in names:
        apply_file(conn, object_file(name))


def apply_sql(conn: SnowflakeConnection, settings: Settings) -> list[Path]:
    """Apply every object file (idempotent: each creates if missing or replaces); returns the files."""
    files = sql_files(settings.sql_dir)
    if not settings.warehouse_is_local:
        files += sql_files(settings.sql_dir, snowflake_only=True)
    for path in files:
        apply_file(conn, path)
        log.info("applied %s", path.name)
    return files


def description(name: str) -> str:
    """The leading `--` comment of the object file `sql/<name>`, which says what its object holds."""
    lines = []
    for line in object_file(name).read_text().splitlines():
        if not line.startswith("--"):
            break
        lines.append(line.removeprefix("--").strip())
    return " ".join(lines)
