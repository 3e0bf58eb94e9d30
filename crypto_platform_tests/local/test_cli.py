"""The `crypto-platform` command against the running stack."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from crypto_platform.cli import app
from crypto_platform.settings import Settings
from crypto_platform_tests.local.helpers import wait_all_healthy

pytestmark = pytest.mark.stack
runner = CliRunner()


def test_sql_prints_a_table(local_stack: Settings) -> None:
    result = runner.invoke(app, ["sql", "select 1 as one, 'two' as two"])
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["ONE", "TWO", "-----", "-----", "1", "two"]


def test_sql_prints_csv(local_stack: Settings) -> None:
    result = runner.invoke(app, ["sql", "select 1 as one, 'a,b' as two", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["ONE,TWO", '1,"a,b"']


def test_sql_reports_a_bad_query_on_one_line(local_stack: Settings) -> None:
    result = runner.invoke(app, ["sql", "select * from OPS.NO_SUCH_TABLE"])
    assert result.exit_code == 1
    assert "error:" in result.output and "NO_SUCH_TABLE" in result.output.upper()


def test_status_exits_zero_when_all_healthy(local_stack: Settings) -> None:
    wait_all_healthy(local_stack)
    result = runner.invoke(app, ["status"])
    assert result.exit_code == 0, result.output
    assert result.output.count("healthy") == 8
    assert "producer: frames=" in result.output
