"""Bulk writes: an Arrow table as a Parquet file, PUT to a stage folder of its own, ready for COPY INTO
(fast on Snowflake and on the emulator; row-by-row inserts are not)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from snowflake.connector.cursor import SnowflakeCursor

from crypto_platform.warehouse.sql import query


def put_parquet(cur: SnowflakeCursor, rows: pa.Table, put_query: str, load_id: str) -> None:
    """PUT `rows` with the named query (fields `{path}`, `{load_id}`) into the `load_id` stage folder."""
    with tempfile.TemporaryDirectory(prefix="bulk-") as folder:
        path = Path(folder) / f"{load_id}.parquet"
        pq.write_table(rows, path, compression="snappy")
        cur.execute(query(put_query).format(path=path, load_id=load_id))
