"""Launcher for the fakesnow Snowflake emulator that persists to disk.

`fakesnow -s` ignores `--db_path` in server mode and keeps everything in memory, so this serves
fakesnow's own Starlette app with its shared instance replaced by one `FakeSnow(db_path=...)`:
each database is one DuckDB file in that folder (`CRYPTO.db`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import fakesnow.server
import uvicorn
from fakesnow.instance import FakeSnow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db-dir", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    args.db_dir.mkdir(parents=True, exist_ok=True)
    instance = FakeSnow(db_path=args.db_dir)
    fakesnow.server.shared_fs = instance
    try:
        uvicorn.run(fakesnow.server.app, host=args.host, port=args.port, log_level="warning")
    finally:
        instance.duck_conn.close()  # checkpoints the DuckDB files


if __name__ == "__main__":
    main()
