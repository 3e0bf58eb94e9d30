"""The daily landing schedule (the original EventBridge rule), the S3 arrival sensor (Snowpipe's
auto-ingest: a new or changed object under `news/` loads its day into RAW.NEWS and CORE.NEWS), and
the first-start sensor that gives a new platform its last days of news once."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster_aws.s3 import S3Resource
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.news.assets import news, news_landing, raw_news
from crypto_platform.defs.news.checks import checks
from crypto_platform.defs.news.partitions import news_days
from crypto_platform.news.landing import NEWS_PREFIX, day_of, list_keys
from crypto_platform.settings import get_settings
from crypto_platform.warehouse.news_tables import has_raw_news

news_landing_job = dg.define_asset_job(
    "news_landing_job", selection=[news_landing], description="Land a day's news in S3."
)
news_load_job = dg.define_asset_job(
    "news_load_job",
    selection=dg.AssetSelection.assets(raw_news, news) | dg.AssetSelection.checks(*checks),
    description="Load landed days into RAW.NEWS and process them into CORE.NEWS.",
)
news_job = dg.define_asset_job(
    "news_job",
    selection=dg.AssetSelection.assets(news_landing, raw_news, news) | dg.AssetSelection.checks(*checks),
    description="Land, load and process days of news (the first start's run).",
)

_settings = get_settings()
news_daily_schedule = dg.build_schedule_from_partitioned_job(
    news_landing_job,
    hour_of_day=_settings.news_schedule_hour,
    minute_of_hour=_settings.news_schedule_minute,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

IN_FLIGHT = [
    dg.DagsterRunStatus.QUEUED,
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def candidates(objects: list[dict], cursor: dict) -> tuple[list[dict], dict]:
    """The objects to decide on this tick, by key: those newer than the cursor's listing position
    (last modified time, and the keys seen at that very time) and those `held` on an earlier tick and
    unchanged since; and the position after this listing. Comparing on time and key, not on a
    listing, also catches files copied in by hand and files rewritten under the same key."""
    since = cursor.get("last_modified", "")
    seen_at_since = set(cursor.get("keys", []))
    held = cursor.get("held", {})

    def is_candidate(obj: dict) -> bool:
        stamp = obj["LastModified"].isoformat()
        new = stamp > since or (stamp == since and obj["Key"] not in seen_at_since)
        return new or held.get(obj["Key"]) == stamp

    todo = sorted((o for o in objects if is_candidate(o)), key=lambda o: o["Key"])
    if not objects:
        return todo, {"last_modified": since, "keys": sorted(seen_at_since)}
    latest = max(o["LastModified"] for o in objects).isoformat()
    keys_at_latest = [o["Key"] for o in objects if o["LastModified"].isoformat() == latest]
    return todo, {"last_modified": latest, "keys": sorted(keys_at_latest)}


def files_read(instance: dg.DagsterInstance, day: str) -> dict[str, str]:
    """Key -> last modified time of the objects the day's latest `raw_news` materialization read."""
    latest = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=raw_news.key, asset_partitions=[day]), limit=1
    ).records
    if not latest or latest[0].asset_materialization is None:
        return {}
    files = latest[0].asset_materialization.metadata.get("files_read")
    return files.value if files is not None else {}


def planned_days(instance: dg.DagsterInstance, run_id: str) -> set[str]:
    """The days of `raw_news` a run planned to materialize: its planned-materialization events,
    which Dagster writes when it creates the run, name one partition or a whole range."""
    days: set[str] = set()
    planned = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    for record in planned.records:
        data = record.event_log_entry.dagster_event.event_specific_data
        if data.asset_key == raw_news.key:
            days |= {data.partition} if data.partition else set(data.partitions_subset.get_partition_keys())
    return days


def days_being_loaded(instance: dg.DagsterInstance) -> set[str]:
    """The days of `raw_news` that queued or running runs will load, whatever launched them (a CLI
    or UI backfill, a sensor, a schedule, a manual run)."""
    runs = instance.get_runs(dg.RunsFilter(statuses=IN_FLIGHT))
    return set().union(*(planned_days(instance, run.run_id) for run in runs))


def day_ranges(days: Iterable[date]) -> list[tuple[date, date]]:
    """Runs of consecutive days as (first, last), in order."""
    ranges: list[tuple[date, date]] = []
    for day in sorted(set(days)):
        if ranges and ranges[-1][1] + timedelta(days=1) == day:
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def days_request(first: date, last: date, run_key: str) -> dg.RunRequest:
    """One run over the days first..last (a single partition, or a range run like a backfill's)."""
    if first == last:
        return dg.RunRequest(run_key=run_key, partition_key=first.isoformat())
    tags = {ASSET_PARTITION_RANGE_START_TAG: first.isoformat(), ASSET_PARTITION_RANGE_END_TAG: str(last)}
    return dg.RunRequest(run_key=run_key, tags=tags)


@dg.sensor(
    job=news_load_job,
    minimum_interval_seconds=_settings.news_arrival_interval,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def news_arrival_sensor(context: dg.SensorEvaluationContext, s3: S3Resource) -> dg.SensorResult:
    """Requests a load of the days with a new or changed object under `news/` that no run has read
    or will read: an object of a day that a queued or running run plans to load is held back until
    no run does, then loaded only if the day's latest `raw_news` did not read it. Consecutive days
    load in one run."""
    objects = list_keys(s3.get_client(), get_settings().s3_bucket, NEWS_PREFIX)
    todo, cursor = candidates(objects, json.loads(context.cursor or "{}"))
    busy = days_being_loaded(context.instance) if todo else set()
    held: dict[str, str] = {}
    wanted: dict[date, list[str]] = defaultdict(list)
    read: dict[str, dict[str, str]] = {}  # day -> files_read, fetched once per day
    for obj in todo:
        day = day_of(obj["Key"])
        if day is None or not news_days.has_partition_key(day.isoformat()):
            context.log.warning(
                f"ignoring {obj['Key']}: not news/date=YYYY-MM-DD/<file> within the partitions"
            )
            continue
        partition, modified = day.isoformat(), obj["LastModified"].isoformat()
        if partition in busy:
            held[obj["Key"]] = modified
            continue
        if partition not in read:
            read[partition] = files_read(context.instance, partition)
        if read[partition].get(obj["Key"]) != modified:
            wanted[day].append(f"{obj['Key']}@{modified}")
    requests = []
    for first, last in day_ranges(wanted):
        files = sorted(f for day, keys in wanted.items() if first <= day <= last for f in keys)
        digest = hashlib.sha1("\n".join(files).encode()).hexdigest()[:16]
        requests.append(days_request(first, last, f"{first}...{last}@{digest}"))
    if held:
        context.log.info(f"holding back {len(held)} object(s) of days a run is loading: {sorted(held)}")
    return dg.SensorResult(run_requests=requests, cursor=json.dumps({**cursor, "held": held}))


@dg.sensor(job=news_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def news_first_start_sensor(
    context: dg.SensorEvaluationContext, snowflake: SnowflakeResource
) -> dg.SensorResult | dg.SkipReason:
    """On a platform without news, requests one `news_job` run that lands and loads the last
    NEWS_FIRST_START_DAYS days, so the News page has items minutes after the first start. It decides
    once (its cursor says what) and never requests again. With a FINNHUB_API_KEY it waits for
    NEWS_FIRST_START_FINNHUB=true instead of calling the real Finnhub unasked."""
    if context.cursor:
        return dg.SkipReason(f"decided on an earlier tick: {context.cursor}")
    settings = get_settings()
    if settings.news_first_start_days <= 0:
        return dg.SkipReason("NEWS_FIRST_START_DAYS is 0")
    if settings.finnhub_api_key and not settings.news_first_start_finnhub:
        return dg.SkipReason("the news source is Finnhub: set NEWS_FIRST_START_FINNHUB=true to land from it")
    if context.instance.get_latest_materialization_event(raw_news.key) or days_being_loaded(context.instance):
        return dg.SensorResult(skip_reason="raw_news is or was loaded", cursor="raw_news loaded before")
    with snowflake.get_connection() as conn:
        found = has_raw_news(conn)
    if found is None:
        return dg.SkipReason("RAW.NEWS does not exist yet: the warehouse is being set up")
    if found:
        return dg.SensorResult(skip_reason="RAW.NEWS has rows", cursor="RAW.NEWS had rows")
    days = [date.fromisoformat(d) for d in news_days.get_partition_keys()[-settings.news_first_start_days :]]
    if not days:
        return dg.SkipReason("no complete day of news since NEWS_START_DATE yet")
    request = days_request(days[0], days[-1], run_key="first-start")
    return dg.SensorResult(run_requests=[request], cursor=f"requested {days[0]}...{days[-1]}")
