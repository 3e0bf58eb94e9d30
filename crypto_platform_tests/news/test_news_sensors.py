"""The arrival sensor's bookkeeping and the first-start sensor's decisions, without services."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pytest

from crypto_platform.definitions import defs
from crypto_platform.defs.news.resources import news_source_resource
from crypto_platform.defs.news.sensors import (
    candidates,
    day_ranges,
    days_being_loaded,
    news_first_start_sensor,
)
from crypto_platform.settings import Settings

T1, T2 = datetime(2026, 10, 5, 1, tzinfo=UTC), datetime(2026, 10, 5, 2, tzinfo=UTC)


def obj(key: str, when: datetime, etag: str = '"e1"') -> dict:
    return {"Key": key, "LastModified": when, "ETag": etag}


def test_candidates_are_objects_new_or_changed_by_key_and_etag_whatever_their_time() -> None:
    a, b = obj("news/date=2026-10-05/a", T2), obj("news/date=2026-10-05/b", T2)
    assert candidates([a, b], {}) == [a, b]
    seen = {a["Key"]: a["ETag"], b["Key"]: b["ETag"]}
    assert candidates([a, b], seen) == []
    changed = obj(a["Key"], T2, '"e2"')
    assert candidates([changed, b], seen) == [changed]  # rewritten with other content
    # A multipart upload is stamped with the time it started: older than all seen, and still new.
    late = obj("news/date=2026-10-05/big-copy", T1)
    assert candidates([a, b, late], seen) == [late]
    assert candidates([], seen) == []


def test_day_ranges_join_consecutive_days() -> None:
    days = [date(2026, 10, d) for d in (9, 5, 6, 7, 12, 6)]
    assert day_ranges(days) == [
        (date(2026, 10, 5), date(2026, 10, 7)),
        (date(2026, 10, 9), date(2026, 10, 9)),
        (date(2026, 10, 12), date(2026, 10, 12)),
    ]
    assert day_ranges([]) == []


def test_days_being_loaded_are_those_of_raw_news_in_runs_not_finished() -> None:
    instance = dg.DagsterInstance.ephemeral()
    load, land = defs.resolve_job_def("news_load_job"), defs.resolve_job_def("news_landing_job")
    one = instance.create_run_for_job(load, tags={"dagster/partition": "2026-10-05"})
    instance.create_run_for_job(
        load,
        tags={
            "dagster/asset_partition_range_start": "2026-10-07",
            "dagster/asset_partition_range_end": "2026-10-08",
        },
    )
    instance.create_run_for_job(land, tags={"dagster/partition": "2026-10-20"})  # lands, loads nothing
    assert days_being_loaded(instance) == {"2026-10-05", "2026-10-07", "2026-10-08"}
    instance.report_run_failed(one)
    assert days_being_loaded(instance) == {"2026-10-07", "2026-10-08"}


@pytest.mark.parametrize(
    ("env", "cursor", "reason"),
    [
        ({"NEWS_FIRST_START_DAYS": "7"}, "requested 2026-11-01...2026-11-07", "decided on an earlier tick"),
        ({"NEWS_FIRST_START_DAYS": "0"}, None, "NEWS_FIRST_START_DAYS is 0"),
        ({"NEWS_FIRST_START_DAYS": "7", "FINNHUB_API_KEY": "k"}, None, "set NEWS_FIRST_START_FINNHUB=true"),
    ],
)
def test_the_first_start_sensor_skips_without_asking_the_warehouse(
    monkeypatch: pytest.MonkeyPatch, env: dict, cursor: str | None, reason: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), cursor=cursor)
    result = news_first_start_sensor(context, snowflake=None, news_source=news_source_resource(Settings()))
    assert isinstance(result, dg.SkipReason) and reason in result.skip_message


def test_the_first_start_sensor_decides_no_when_news_was_loaded_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWS_FIRST_START_DAYS", "7")
    instance = dg.DagsterInstance.ephemeral()
    instance.report_runless_asset_event(dg.AssetMaterialization("raw_news", partition="2026-10-05"))
    context = dg.build_sensor_context(instance=instance)
    result = news_first_start_sensor(context, snowflake=None, news_source=news_source_resource(Settings()))
    assert result.run_requests == [] and result.cursor == "raw_news loaded before"
