"""Every file under sql/ parses as Snowflake SQL, and is split into statements as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlglot

from crypto_platform.settings import get_settings
from crypto_platform.warehouse.sql import statements

SQL_DIR = get_settings().sql_dir
SQL_FILES = sorted(SQL_DIR.rglob("*.sql"))


def test_there_are_sql_files() -> None:
    assert SQL_FILES


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: str(p.relative_to(SQL_DIR)))
def test_sql_file_parses_as_snowflake(path: Path) -> None:
    # query files carry bound parameters %(name)s and, for PUT/COPY paths, {name} fields
    text = re.sub(r"\{(\w+)\}", r"\1", re.sub(r"%\((\w+)\)s", r"'\1'", path.read_text()))
    parsed = sqlglot.parse(text, read="snowflake", error_level=sqlglot.ErrorLevel.RAISE)
    assert [s for s in parsed if s is not None]


def test_statements_split_on_top_level_semicolons_only() -> None:
    text = "-- header; still a comment\ncreate schema A;\nselect ';' as s; /* a; b */ select 2;\n-- tail"
    assert statements(text) == [
        "-- header; still a comment\ncreate schema A",
        "select ';' as s",
        "/* a; b */ select 2",
    ]
