"""Launcher for the fakesnow Snowflake emulator that persists to disk.

`fakesnow -s` ignores `--db_path` in server mode and keeps everything in memory, so this serves
fakesnow's own Starlette app with its shared instance replaced by one `FakeSnow(db_path=...)`:
each database is one DuckDB file in that folder (`CRYPTO.db`).

Four behaviours are aligned with Snowflake. A FIXED binding with a fraction (a Decimal) is read as
one, where fakesnow's server took every FIXED binding for an integer, and a TIMESTAMP_NTZ binding as
a time without a zone, where fakesnow made it UTC-aware (and so slow to compare). A NULL timestamp
comes back as NULL: fakesnow builds the result's timestamp structs without a validity mask, so every
NULL read as 1970-01-01. And two transactions updating the same row: Snowflake makes the second wait
for the first and then sees its result; DuckDB fails the second at once, which fakesnow would answer
with an HTTP 500 that the connector retries for a minute. The launcher reports it as Snowflake's
lock error (000625) instead, so the client gets a SQL error at once and can roll back and retry, as
it would after a lock timeout on Snowflake.

And it compiles each statement text once (`_cache_compiled_statements`), where fakesnow translates
every call again: most of the emulator's CPU under the loader; and keeps the newest 256 query
results (`RecentResults`), where fakesnow kept every one for the server's life.
"""

from __future__ import annotations

import argparse
import functools
from collections import OrderedDict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import fakesnow.arrow
import fakesnow.cursor
import fakesnow.expr
import fakesnow.server
import pyarrow as pa
import uvicorn
from fakesnow.cursor import FakeSnowflakeCursor
from fakesnow.instance import FakeSnow
from snowflake.connector.errors import ProgrammingError
from sqlglot import exp

from crypto_platform.warehouse.connection import LOCK_ERRNO


def _keep_null_timestamps() -> None:
    to_struct = fakesnow.arrow.timestamp_to_sf_struct

    @functools.wraps(to_struct)
    def with_nulls(ts: pa.Array | pa.ChunkedArray) -> pa.Array:
        struct = to_struct(ts)
        if not ts.null_count:
            return struct
        nulls = (ts.combine_chunks() if isinstance(ts, pa.ChunkedArray) else ts).is_null()
        return pa.StructArray.from_arrays(struct.flatten(), fields=list(struct.type), mask=nulls)

    fakesnow.arrow.timestamp_to_sf_struct = with_nulls


def _bind_as_typed() -> None:
    """Bindings as the types the connector sent. A FIXED binding with a fraction (the connector
    binds a Decimal so) as a Decimal: fakesnow reads every FIXED binding with `int()`, which fails
    on "1.5" with an HTTP 500. A TIMESTAMP_NTZ binding (the connector's for a naive `datetime`) as a
    naive `datetime`: fakesnow makes it a UTC-aware one, which DuckDB binds as TIMESTAMPTZ, so a
    filter `TRADE_TS >= ?` compared every row cast to TIMESTAMPTZ and reached neither the table's
    min/max pruning nor below CORE.TRADES' window: 141 ms for the tick line at 5M trades instead of
    11 ms, 6.4 s for the Markets page at 50M (measured)."""
    from_binding = fakesnow.server.from_binding

    @functools.wraps(from_binding)
    def as_typed(binding: dict[str, str]) -> Any:
        if binding["type"] == "FIXED" and not binding["value"].lstrip("-").isdigit():
            return Decimal(binding["value"])
        if binding["type"] == "TIMESTAMP_NTZ":
            return from_binding(binding).replace(tzinfo=None)
        return from_binding(binding)

    fakesnow.server.from_binding = as_typed


def _report_conflicts_as_lock_errors() -> None:
    execute = FakeSnowflakeCursor.execute

    @functools.wraps(execute)
    def guarded(self: FakeSnowflakeCursor, *args: Any, **kwargs: Any) -> Any:
        try:
            return execute(self, *args, **kwargs)
        except duckdb.TransactionException as exc:
            raise ProgrammingError(
                msg=f"Transaction conflict: {exc}", errno=LOCK_ERRNO, sqlstate="57014"
            ) from None

    FakeSnowflakeCursor.execute = guarded


CACHED_COMMANDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "ROLLBACK"})
"""Statements whose compiled form depends on their text and the session's database and schema
alone (no DDL, SET, USE, stages, or IDENTIFIER(...) on a bound value)."""


def _cache_compiled_statements(size: int = 512) -> None:
    """Compile each statement text once. fakesnow parses every statement with sqlglot and runs some
    40 rewriting passes over it on every call: 3 to 13 ms for the loader's statements and 55-60 ms
    for the incremental candles' (measured). With values bound on the server (`?`, see
    `crypto_platform.warehouse.sql.bind`) a statement's text is the same on every call, so its
    parse and rewrite are kept, per database and schema, and copied for each run. The server's own
    parse of each request (it only reads the statement's type and placeholders) shares the kept
    parse: a fifth of the emulator's CPU under the loader went to parsing it again."""
    parse = fakesnow.cursor.parse_one
    transform = FakeSnowflakeCursor._transform

    @functools.lru_cache(maxsize=size)
    def parsed(command: str) -> exp.Expression:
        return parse(command)

    def parse_cached(command: str) -> exp.Expression:
        statement = parsed(command).copy()
        statement.meta["crypto_platform_text"] = command
        return statement

    store: dict[tuple[str, str | None, str | None], exp.Expression] = {}  # oldest first

    def transform_cached(
        self: FakeSnowflakeCursor, expression: exp.Expression, params: Any
    ) -> exp.Expression:
        text = expression.meta.get("crypto_platform_text")
        if text is None or "IDENTIFIER" in text.upper():
            return transform(self, expression, params)
        key = (text, self._conn.database, self._conn.schema)
        if (kept := store.get(key)) is not None:
            return kept.copy()
        transformed = transform(self, expression, params)
        custom = set(transformed.args) - set(type(transformed).arg_types)  # fakesnow's own markers
        if fakesnow.expr.key_command(transformed) in CACHED_COMMANDS and not custom:
            if len(store) >= size:
                store.pop(next(iter(store)))  # the oldest
            store[key] = transformed.copy()
        return transformed

    fakesnow.cursor.parse_one = parse_cached
    fakesnow.server.parse_one = parsed  # the server parses each statement too, to read its type
    FakeSnowflakeCursor._transform = transform_cached


class RecentResults(OrderedDict):
    """fakesnow's results cache (query id -> result, for RESULT_SCAN and a later fetch of a query's
    result) kept to its newest `size` entries. fakesnow keeps every result of every session for the
    server's life: the loader's commits alone grew the emulator by 140 MiB a minute (each entry
    holds the result's Arrow table and the statement's compiled form). Snowflake keeps results 24
    hours; a client of the emulator reads a result right after its query."""

    def __init__(self, size: int = 256) -> None:
        super().__init__()
        self.size = size

    def __setitem__(self, key: str, value: tuple) -> None:
        super().__setitem__(key, value)
        if len(self) > self.size:
            self.popitem(last=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--memory-limit", default="384MB", help="DuckDB's buffer memory (its default is 80%% of RAM)"
    )
    args = parser.parse_args()
    args.db_dir.mkdir(parents=True, exist_ok=True)
    _keep_null_timestamps()
    _bind_as_typed()
    _report_conflicts_as_lock_errors()
    _cache_compiled_statements()
    instance = FakeSnow(db_path=args.db_dir)
    instance.results_cache = RecentResults()  # before any session: each shares this one
    instance.duck_conn.execute("SET memory_limit = ?", [args.memory_limit])
    fakesnow.server.shared_fs = instance
    try:
        uvicorn.run(fakesnow.server.app, host=args.host, port=args.port, log_level="warning")
    finally:
        instance.duck_conn.close()  # checkpoints the DuckDB files


if __name__ == "__main__":
    main()
