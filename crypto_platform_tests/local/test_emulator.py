"""The emulator's launcher: what it keeps of past query results, and how it binds times."""

from __future__ import annotations

from datetime import datetime

import pytest
from snowflake.connector.errors import ProgrammingError

from crypto_platform.local.emulator import RecentResults
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect, run_query


def test_recent_results_keep_the_newest_entries() -> None:
    results = RecentResults(size=3)
    for n in range(5):
        results[f"q{n}"] = (n,)
    assert list(results) == ["q2", "q3", "q4"]


@pytest.mark.stack
def test_the_emulator_forgets_old_results_and_keeps_recent_ones(local_stack: Settings) -> None:
    """A long-lived session (the loader's) no longer grows the emulator with every result: the
    result of a query 300 queries ago is gone, the last one can still be scanned."""
    with connect(local_stack) as conn, conn.cursor() as cur:
        cur.execute("select 1 as n")
        oldest = cur.sfqid
        for n in range(300):
            cur.execute("select ? as n", (n,))
        newest = cur.sfqid
        # The emulator takes a query id only as a literal; these are its own uuids.
        cur.execute(f"select n from table(result_scan('{newest}'))")
        assert cur.fetchall() == [(299,)]
        with pytest.raises(ProgrammingError, match="not found"):
            cur.execute(f"select n from table(result_scan('{oldest}'))")


@pytest.mark.stack
def test_a_naive_time_is_bound_as_a_time_without_a_zone(local_stack: Settings) -> None:
    """The connector binds a naive `datetime` as TIMESTAMP_NTZ, and the emulator takes it as one
    (DuckDB's TIMESTAMP): fakesnow alone made it TIMESTAMP WITH TIME ZONE, so `TRADE_TS >= ?`
    compared every row cast to it and read all of RAW.TRADES."""
    noon = datetime(2026, 1, 1, 12, 0, 0, 123000)
    same = "select typeof(?), ? = '2026-01-01 12:00:00.123'::timestamp_ntz"
    with connect(local_stack) as conn:
        rows = run_query(conn, same, [noon, noon]).rows
    assert rows == [("TIMESTAMP", True)]
