"""The trade gaps sensor and the completeness checks, on gaps written into OPS.TRADE_GAPS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from crypto_platform.defs.prices.checks import completeness_checks
from crypto_platform.defs.prices.sensors import trade_gaps_sensor
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform.warehouse.gap_tables import gaps, settle
from crypto_platform_tests.prices.helpers import resources

pytestmark = pytest.mark.stack
NOW = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def add_gap(settings: Settings, gap_id: str, source: str, first_id: int | None) -> None:
    with connect(settings) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO OPS.TRADE_GAPS (GAP_ID, SOURCE, SYMBOL, FEED_SYMBOL, START_TS, END_TS,"
            " FIRST_MISSING_ID, LAST_MISSING_ID, STATE, DETECTED_AT)"
            " VALUES (?, ?, 'BTC-USD', 'BTC', ?, ?, ?, ?, 'open', ?)",
            [gap_id, source, NOW - timedelta(minutes=5), NOW - timedelta(minutes=4), first_id,
             None if first_id is None else first_id + 9, NOW],
        )  # fmt: skip


def tick(settings: Settings, instance: dg.DagsterInstance, cursor: str | None) -> dg.SensorResult:
    context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(settings))
    return trade_gaps_sensor(context)


def test_open_gaps_request_one_repair_per_feed_and_finnhubs_are_settled_unrepairable(fresh: Settings) -> None:
    add_gap(fresh, "c1", "coinbase", 100)
    add_gap(fresh, "c2", "coinbase", 500)
    add_gap(fresh, "b1", "binance", 100)
    add_gap(fresh, "f1", "finnhub", None)
    instance = dg.DagsterInstance.ephemeral()
    first = tick(fresh, instance, None)
    assert sorted(r.partition_key for r in first.run_requests) == ["binance", "coinbase"]
    with connect(fresh) as conn:
        states = {g.gap_id: (g.state, g.source) for g in gaps(conn, NOW - timedelta(days=1))}
        (finnhub,) = gaps(conn, NOW - timedelta(days=1), state="unrepairable")
    assert states == {"c1": ("open", "coinbase"), "c2": ("open", "coinbase"), "b1": ("open", "binance"),
                      "f1": ("unrepairable", "finnhub")}  # fmt: skip
    assert finnhub.recovered is None
    # The same open gaps are not asked for again at once (a run may be on its way); a new gap is.
    assert tick(fresh, instance, first.cursor).run_requests == []
    add_gap(fresh, "k1", "kraken", 7)
    assert [r.partition_key for r in tick(fresh, instance, first.cursor).run_requests] == ["kraken"]


def test_a_feeds_completeness_check_names_its_unrepaired_gaps(fresh: Settings) -> None:
    check, snowflake = completeness_checks["binance"], resources(fresh)["snowflake"]
    assert check(snowflake=snowflake).passed
    add_gap(fresh, "b1", "binance", 100)
    add_gap(fresh, "k1", "kraken", 7)  # another feed's: not this check's
    failed = check(snowflake=snowflake)
    assert not failed.passed and failed.description is not None
    assert (
        failed.description.startswith("1 gap(s) not repaired: BTC ")
        and "ids 100-109 (open)" in failed.description
    )
    with connect(fresh) as conn:
        settle(conn, [("b1", "repaired", 10, None)])
    passed = check(snowflake=snowflake)
    assert passed.passed and passed.metadata["trades_recovered"].value == 10
