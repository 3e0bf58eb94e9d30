"""`news_reactions` against the warehouse: a 3-day backfill fills each (story, coin) once, a rerun
changes nothing, a price that is missing is flagged by its check, and the sensor asks for a day
again once a horizon has passed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import dagster as dg
import pytest

from crypto_platform.defs.news.assets import news, news_landing, news_reactions, raw_news
from crypto_platform.defs.news.sensors import news_reactions_sensor
from crypto_platform.news.reactions import HORIZONS
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform_tests.news.helpers import FIRST, resources, rows

pytestmark = pytest.mark.stack

LAST = FIRST + timedelta(days=2)
INSERT_CANDLE = (
    "insert into CORE.CANDLES (SYMBOL, TIMEFRAME, BUCKET_START, OPEN, HIGH, LOW, CLOSE, VOLUME, QUOTE_VOLUME,"
    " TRADE_COUNT, OPEN_TS, OPEN_PARTITION, OPEN_OFFSET, CLOSE_TS, CLOSE_PARTITION, CLOSE_OFFSET, REFRESH_ID)"
    " values (?, '1m', ?, ?, ?, ?, ?, 1, ?, 1, ?, 0, 0, ?, 0, 0, 'test')"
)


def price_of(minute: datetime) -> Decimal:
    """A BTC-USD close that differs from one minute to the next."""
    return Decimal(90_000 + minute.hour * 60 + minute.minute) + Decimal(minute.day) / 10


REACTIONS = (
    "select NEWS_ID, TICKER, PARTITION_DATE, PRICE_AT, RETURN_5M, RETURN_1H, RETURN_1D, MISSING"
    " from CORE.NEWS_REACTIONS order by NEWS_ID, TICKER"
)
INSERT_REACTION = (
    "insert into CORE.NEWS_REACTIONS (PARTITION_DATE, NEWS_ID, TICKER, SYMBOL, PUBLISHED_AT, SENTIMENT,"
    " COMPUTED_AT) values (?, 1, 'BTC', 'BTC-USD', ?, 0.0, ?)"
)


def backfill(settings: Settings, *assets: dg.AssetsDefinition) -> dg.ExecuteInProcessResult:
    """The assets over FIRST..LAST in one in-process run, as a single-run backfill does."""
    return dg.materialize(
        list(assets),
        resources=resources(settings),
        tags={"dagster/asset_partition_range_start": FIRST.isoformat(),
              "dagster/asset_partition_range_end": LAST.isoformat()},
    )  # fmt: skip


def test_a_backfill_of_3_days_fills_its_reactions_once_and_a_rerun_changes_nothing(
    news_env: Settings,
) -> None:
    assert dg.materialize(
        [news_landing, raw_news, news], resources=resources(news_env),
        tags={"dagster/asset_partition_range_start": FIRST.isoformat(),
              "dagster/asset_partition_range_end": LAST.isoformat()},
    ).success  # fmt: skip
    published = rows(news_env, "select distinct N.PUBLISHED_AT from CORE.NEWS N join CORE.NEWS_COINS C "
                               "on C.NEWS_ID = N.ID where C.TICKER = 'BTC'")  # fmt: skip
    assert published, "the archive has stories about BTC"
    minutes = {  # one candle, closing a second before each minute any BTC price is read at
        (t + h).replace(second=0, microsecond=0) - timedelta(minutes=1)
        for (t,) in published for h in (timedelta(0), *HORIZONS.values())
    }  # fmt: skip
    with connect(news_env) as conn, conn.cursor() as cur:
        cur.executemany(INSERT_CANDLE, [
            ("BTC-USD", m, price_of(m), price_of(m), price_of(m), price_of(m), price_of(m), m,
             m + timedelta(seconds=59)) for m in sorted(minutes)
        ])  # fmt: skip

    first = backfill(news_env, news_landing, raw_news, news, news_reactions)
    assert first.success
    tags = rows(news_env, "select NEWS_ID, TICKER from CORE.NEWS_COINS")
    reactions = rows(news_env, REACTIONS)
    assert sorted((r[0], r[1]) for r in reactions) == sorted(tags)  # each (story, coin) once
    assert {r[2] for r in reactions} == {FIRST, FIRST + timedelta(days=1), LAST}
    btc = [r for r in reactions if r[1] == "BTC"]
    assert btc and all(r[3] is not None and None not in r[4:7] and r[7] is None for r in btc)
    others = [r for r in reactions if r[1] != "BTC"]  # no candles: flagged, never priced
    assert others and all(r[3] is None and r[7].startswith("at publication: no ") for r in others)
    (check,) = [e for e in first.get_asset_check_evaluations() if e.check_name == "reactions_priced"]
    assert not check.passed and check.metadata["missing"].value == len(others)

    assert backfill(news_env, news_landing, raw_news, news, news_reactions).success
    again = rows(news_env, REACTIONS)
    assert again == reactions


def test_the_sensor_asks_for_a_day_again_once_a_horizon_has_passed(news_env: Settings) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    published, computed = now - timedelta(minutes=10), now - timedelta(minutes=9)
    with connect(news_env) as conn, conn.cursor() as cur:
        cur.execute(INSERT_REACTION, (published.date(), published, computed))
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), resources=resources(news_env))
    result = news_reactions_sensor(context)
    due = published + timedelta(minutes=6)  # the 5-minute horizon settled, after it was computed
    assert [(r.partition_key, r.run_key) for r in result.run_requests] == [
        (published.date().isoformat(), f"{published.date()}@{due:%Y-%m-%dT%H:%M:%S}")
    ]
