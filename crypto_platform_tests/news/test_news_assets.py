"""The news batch against the real S3 server, the warehouse and the simulator's news endpoint."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import dagster as dg
import pytest

from crypto_platform.clients.s3 import s3_client
from crypto_platform.definitions import defs
from crypto_platform.defs.news import sensors as news_sensors
from crypto_platform.defs.news.assets import news, news_landing, raw_news
from crypto_platform.defs.news.sensors import news_arrival_sensor
from crypto_platform.news.landing import landing_key
from crypto_platform.news.records import to_jsonl
from crypto_platform.news.tagging import COINS, coin_tagger
from crypto_platform.settings import Settings
from crypto_platform.warehouse import connect
from crypto_platform.warehouse.news_tables import coins
from crypto_platform_tests.news.helpers import FIRST, backfill, expected_items, resources, rows
from crypto_platform_tests.streamlit_app.helpers import run_app

pytestmark = pytest.mark.stack


def test_a_seven_day_backfill_lands_loads_and_tags_every_day(news_env: Settings) -> None:
    last = FIRST + timedelta(days=6)
    result = backfill(news_env, FIRST, last)
    assert result.success
    client = s3_client(news_env.s3)
    days = [FIRST + timedelta(days=i) for i in range(7)]
    for day in days:
        client.head_object(Bucket=news_env.s3_bucket, Key=landing_key(day))
    expected = [item for day in days for item in expected_items(day)]
    assert sorted(r[0] for r in rows(news_env, "select ID from CORE.NEWS")) == sorted(
        i["id"] for i in expected
    )
    tags = {(n, t) for n, t in rows(news_env, "select NEWS_ID, TICKER from CORE.NEWS_COINS")}
    assert tags == {(i["id"], t) for i in expected for t in coin_tagger()(i["text"])}
    assert tags, "the archive mentions coins: tagging found none"
    assert all(e.passed for e in result.get_asset_check_evaluations())


def test_rerunning_a_day_duplicates_nothing(news_env: Settings) -> None:
    assert backfill(news_env, FIRST, FIRST).success
    before = rows(news_env, "select count(*) from CORE.NEWS")
    again = backfill(news_env, FIRST, FIRST)
    assert again.success
    assert rows(news_env, "select count(*) from CORE.NEWS") == before
    assert rows(news_env, "select count(*) from RAW.NEWS where PARTITION_DATE = '2026-10-05'")[0][0] > 0
    assert {e.check_name: e.passed for e in again.get_asset_check_evaluations()}["news_unique_ids"]


def test_a_corrupt_file_is_quarantined_and_reported_while_the_rest_loads(news_env: Settings) -> None:
    client = s3_client(news_env.s3)
    bad_key = f"news/date={FIRST.isoformat()}/copied-by-hand.jsonl"
    client.put_object(Bucket=news_env.s3_bucket, Key=bad_key, Body=b"\xff\xfe not json at all\n{{{\n")
    result = backfill(news_env, FIRST, FIRST)
    assert result.success
    metadata = result.asset_materializations_for_node("raw_news")[0].metadata
    assert metadata["quarantined"].value == [f"quarantine/{bad_key}"]
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=news_env.s3_bucket)["Contents"]}
    assert bad_key not in keys and f"quarantine/{bad_key}" in keys and f"quarantine/{bad_key}.reason" in keys
    assert rows(news_env, "select count(*) from CORE.NEWS")[0][0] == len(expected_items(FIRST))


def test_bad_lines_are_quarantined_and_good_lines_load(news_env: Settings) -> None:
    client = s3_client(news_env.s3)
    key = f"news/date={FIRST.isoformat()}/news.jsonl"
    good = {"id": 1, "datetime": 1_791_158_400 + 60, "headline": "Bitcoin rallies", "url": "https://x/1"}
    body = (json.dumps(good) + "\n" + '{"id": 2}\n' + "garbage\n").encode()
    client.put_object(Bucket=news_env.s3_bucket, Key=key, Body=body)
    result = dg.materialize([raw_news], resources=resources(news_env), partition_key=FIRST.isoformat())
    metadata = result.asset_materializations_for_node("raw_news")[0].metadata
    assert metadata["rows"].value == 1 and metadata["bad_lines"].value == 2
    quarantined = client.get_object(Bucket=news_env.s3_bucket, Key=f"quarantine/{key}.bad-lines.jsonl")
    assert [json.loads(line)["line"] for line in quarantined["Body"].read().decode().splitlines()] == [2, 3]


def requested_days(result: dg.SensorResult) -> list[tuple[str, str]]:
    """(first, last) day of each run requested: one partition, or a range."""
    return [
        (r.partition_key, r.partition_key)
        if r.partition_key
        else (r.partition_key_range.start, r.partition_key_range.end)
        for r in result.run_requests
    ]


def test_the_arrival_sensor_requests_one_load_per_new_object_consecutive_days_in_one_run(
    news_env: Settings,
) -> None:
    client = s3_client(news_env.s3)
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor: str | None) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(news_env))
        return news_arrival_sensor(context)

    for day in (FIRST, FIRST + timedelta(days=1), FIRST + timedelta(days=3)):
        client.put_object(Bucket=news_env.s3_bucket, Key=landing_key(day), Body=b"{}\n")
    first = tick(None)
    assert requested_days(first) == [("2026-10-05", "2026-10-06"), ("2026-10-08", "2026-10-08")]
    assert tick(first.cursor).run_requests == []

    client.put_object(Bucket=news_env.s3_bucket, Key="news/date=2026-10-09/by-hand.jsonl", Body=b"{}\n")
    third = tick(first.cursor)
    assert requested_days(third) == [("2026-10-09", "2026-10-09")]
    assert tick(third.cursor).run_requests == []

    day = FIRST + timedelta(days=2)  # landed and loaded in one run, as by a backfill of news_landing*
    assert dg.materialize(
        [news_landing, raw_news],
        resources=resources(news_env),
        partition_key=day.isoformat(),
        instance=instance,
    ).success
    assert tick(third.cursor).run_requests == []


def test_the_arrival_sensor_holds_back_a_day_a_run_will_load_until_that_run_has_finished(
    news_env: Settings,
) -> None:
    """Files of a day that a queued or running run plans to load are not requested while it is in
    flight; once it has finished, only what its `raw_news` did not read is."""
    client = s3_client(news_env.s3)
    instance = dg.DagsterInstance.ephemeral()
    day = FIRST.isoformat()

    def tick(cursor: str | None) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(news_env))
        return news_arrival_sensor(context)

    queued = instance.create_run_for_job(
        defs.resolve_job_def("news_load_job"), tags={"dagster/partition": day}
    )
    client.put_object(Bucket=news_env.s3_bucket, Key=landing_key(FIRST), Body=b"{}\n")
    held = tick(None)
    assert held.run_requests == [] and list(json.loads(held.cursor)["held"]) == [landing_key(FIRST)]
    assert tick(held.cursor).run_requests == []  # still in flight

    instance.report_run_failed(queued)  # it never read the file: load it now
    assert requested_days(tick(held.cursor)) == [(day, day)]

    instance.create_run_for_job(defs.resolve_job_def("news_load_job"), tags={"dagster/partition": day})
    client.put_object(Bucket=news_env.s3_bucket, Key=landing_key(FIRST), Body=b"{}\n")  # landed again
    held = tick(held.cursor)
    assert held.run_requests == []
    for run in instance.get_runs(dg.RunsFilter(statuses=[dg.DagsterRunStatus.NOT_STARTED])):
        instance.report_run_canceled(run)
    assert dg.materialize(
        [raw_news], resources=resources(news_env), partition_key=day, instance=instance
    ).success
    finished = tick(held.cursor)  # a later run read this very file: nothing to load
    assert finished.run_requests == [] and json.loads(finished.cursor)["held"] == {}


def test_a_file_for_a_day_that_is_not_a_partition_yet_is_held_until_it_is(
    news_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file landed for today (copied by hand, or by a machine whose clock runs ahead) used to be
    skipped, and the cursor moved past it: once the day was a partition, it was never loaded."""
    client = s3_client(news_env.s3)
    day = FIRST + timedelta(days=1)
    client.put_object(Bucket=news_env.s3_bucket, Key=landing_key(day), Body=b"{}\n")
    instance = dg.DagsterInstance.ephemeral()

    def tick(cursor: str | None) -> dg.SensorResult:
        context = dg.build_sensor_context(instance=instance, cursor=cursor, resources=resources(news_env))
        return news_arrival_sensor(context)

    until_first = dg.DailyPartitionsDefinition(
        start_date=str(FIRST - timedelta(days=10)), end_date=str(FIRST + timedelta(days=1)), timezone="UTC"
    )  # the partitions as they were on FIRST
    with monkeypatch.context() as before:
        before.setattr(news_sensors, "news_days", until_first)
        early = tick(None)
        assert early.run_requests == [] and list(json.loads(early.cursor)["held"]) == [landing_key(day)]
        assert tick(early.cursor).run_requests == []
    assert requested_days(tick(early.cursor)) == [(day.isoformat(), day.isoformat())]


def test_the_arrival_sensor_skips_days_outside_the_partitions(news_env: Settings) -> None:
    """A file for a day before the partitions, or outside the layout, is skipped with a warning;
    one for a day to come is held; neither fails the tick nor holds back the files that load."""
    client = s3_client(news_env.s3)
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    for key in (f"news/date={tomorrow}/early.jsonl", "news/date=2020-01-01/old.jsonl", landing_key(FIRST)):
        client.put_object(Bucket=news_env.s3_bucket, Key=key, Body=b"{}\n")
    context = dg.build_sensor_context(instance=dg.DagsterInstance.ephemeral(), resources=resources(news_env))
    assert requested_days(news_arrival_sensor(context)) == [(FIRST.isoformat(), FIRST.isoformat())]


def test_the_coins_table_seed_matches_the_one_table_of_assets(news_env: Settings) -> None:
    with connect(news_env) as conn:
        table = coins(conn)
    assert {t: set(n) - {""} for t, n in table.items()} == {t: set(n) - {t} for t, n in COINS.items()}


HOSTILE = [  # what a feed may send as text: each item used to stop the day, or to reach the page as is
    ("Bitcoin rallies \ud83d", "Bitcoin rallies \ufffd"),  # a lone surrogate: text cut inside an emoji
    ("Ether\x00 jumps\x07", "Ether jumps"),  # NUL and a control character
    ("Solana \u202eSU 000,001\u202c up", "Solana SU 000,001 up"),  # a bidirectional override
    ("Cardano " + "very long " * 10_000, ("Cardano " + "very long " * 10_000).strip()),
]


def test_no_character_stops_landing_loading_processing_or_the_news_page(
    news_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = s3_client(news_env.s3)
    items = [
        {"id": 900 + i, "datetime": 1_791_158_400 + 60 * i, "headline": sent, "url": f"https://x.example/{i}"}
        for i, (sent, _) in enumerate(HOSTILE)
    ]
    key = f"news/date={FIRST.isoformat()}/hostile.jsonl"
    client.put_object(Bucket=news_env.s3_bucket, Key=key, Body=to_jsonl(items))
    result = dg.materialize([raw_news, news], resources=resources(news_env), partition_key=FIRST.isoformat())
    assert result.success
    assert result.asset_materializations_for_node("raw_news")[0].metadata["bad_lines"].value == 0
    stored = dict(rows(news_env, "select ID, HEADLINE from CORE.NEWS"))
    assert [stored[900 + i] for i in range(len(HOSTILE))] == [shown for _, shown in HOSTILE]

    app = run_app(monkeypatch, news_env)
    app.switch_page("views/news.py").run()
    assert not app.exception, app.exception
    headlines = [m.value for m in app.markdown if m.value.startswith("**[")]
    assert len(headlines) == len(HOSTILE) and any("\ufffd" in h for h in headlines)
