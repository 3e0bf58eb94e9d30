"""The daily landing schedule (the original EventBridge rule), the S3 arrival sensor (Snowpipe's
auto-ingest: a new or changed object under `news/` loads its day into RAW.NEWS, CORE.NEWS and the
reactions), the first-start sensor that gives a new platform its last days of news once, and the
sensor that fills reactions in as their horizons pass."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.days import news_days
from crypto_platform.defs.news.assets import news, news_landing, news_reactions, raw_news
from crypto_platform.defs.news.checks import checks
from crypto_platform.defs.news.resources import LandingS3Resource, NewsSourceResource
from crypto_platform.defs.runs import IN_FLIGHT
from crypto_platform.defs.structure import SETTINGS
from crypto_platform.news.landing import NEWS_PREFIX, day_of, list_keys
from crypto_platform.news.reactions import HORIZONS, SETTLED_AFTER, pending_since
from crypto_platform.warehouse.news_tables import has_raw_news, unsettled_reactions

news_landing_job = dg.define_asset_job(
    "news_landing_job", selection=[news_landing], description="Land a day's news in S3."
)
news_load_job = dg.define_asset_job(
    "news_load_job",
    selection=dg.AssetSelection.assets(raw_news, news, news_reactions) | dg.AssetSelection.checks(*checks),
    description="Load landed days into RAW.NEWS, process them into CORE.NEWS, measure the reactions.",
)
news_job = dg.define_asset_job(
    "news_job",
    selection=dg.AssetSelection.assets(news_landing, raw_news, news, news_reactions)
    | dg.AssetSelection.checks(*checks),
    description="Land, load and process days of news, and measure the reactions (the first start's run).",
)

news_daily_schedule = dg.build_schedule_from_partitioned_job(
    news_landing_job,
    hour_of_day=SETTINGS.news_schedule_hour,
    minute_of_hour=SETTINGS.news_schedule_minute,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)

news_reactions_job = dg.define_asset_job(
    "news_reactions_job",
    selection=[news_reactions],
    description="Measure the price reactions of days of news.",
)


def candidates(objects: list[dict], seen: dict[str, str]) -> list[dict]:
    """The objects to decide on, by key: those whose key is new or whose ETag changed since `seen`
    (key -> ETag of the objects decided on earlier ticks). Not by time: S3 stamps a multipart
    upload with the time it started, so a large copy can appear with a LastModified older than
    anything seen before; and a file copied in by hand can carry any time."""
    return sorted((o for o in objects if seen.get(o["Key"]) != o["ETag"]), key=lambda o: o["Key"])


def files_read(instance: dg.DagsterInstance, day: str) -> dict[str, str]:
    """Key -> ETag of the objects the day's latest `raw_news` materialization read (their last
    modified time, for materializations made before ETags were recorded)."""
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
    minimum_interval_seconds=SETTINGS.news_arrival_interval,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def news_arrival_sensor(context: dg.SensorEvaluationContext, s3: LandingS3Resource) -> dg.SensorResult:
    """Requests a load of the days with a new or changed object (by key and ETag) under `news/`
    that no run has read or will read: an object of a day that a queued or running run plans to
    load is held back until no run does, then loaded only if the day's latest `raw_news` did not
    read it; an object of a day that is not a partition yet (landed early, or by a clock running
    ahead) is held until the day is one. Consecutive days load in one run. The cursor keeps the
    ETag of every object decided on that is still in the bucket, so it is as large as the listing."""
    objects = list_keys(s3.get_client(), s3.bucket, NEWS_PREFIX)
    listed = {o["Key"] for o in objects}
    seen = {k: e for k, e in json.loads(context.cursor or "{}").get("seen", {}).items() if k in listed}
    todo = candidates(objects, seen)
    busy = days_being_loaded(context.instance) if todo else set()
    newest_day = date.fromisoformat(news_days.get_last_partition_key() or "0001-01-01")
    held: dict[str, str] = {}
    wanted: dict[date, list[str]] = defaultdict(list)
    read: dict[str, dict[str, str]] = {}  # day -> files_read, fetched once per day
    for obj in todo:
        key, etag = obj["Key"], obj["ETag"]
        day = day_of(key)
        if day is not None and day > newest_day:
            held[key] = etag  # decided once the day is a partition
            continue
        if day is None or not news_days.has_partition_key(day.isoformat()):
            context.log.warning(f"ignoring {key}: not news/date=YYYY-MM-DD/<file> within the partitions")
            seen[key] = etag
            continue
        partition = day.isoformat()
        if partition in busy:
            held[key] = etag
            continue
        if partition not in read:
            read[partition] = files_read(context.instance, partition)
        if read[partition].get(key) not in (etag, obj["LastModified"].isoformat()):
            wanted[day].append(f"{key}@{etag}")
        seen[key] = etag
    requests = []
    for first, last in day_ranges(wanted):
        files = sorted(f for day, keys in wanted.items() if first <= day <= last for f in keys)
        digest = hashlib.sha1("\n".join(files).encode()).hexdigest()[:16]
        requests.append(days_request(first, last, f"{first}...{last}@{digest}"))
    if held:
        context.log.info(
            f"holding back {len(held)} object(s) of days being loaded or to come: {sorted(held)}"
        )
    return dg.SensorResult(run_requests=requests, cursor=json.dumps({"seen": seen, "held": held}))


@dg.sensor(job=news_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def news_first_start_sensor(
    context: dg.SensorEvaluationContext, snowflake: SnowflakeResource, news_source: NewsSourceResource
) -> dg.SensorResult | dg.SkipReason:
    """On a platform without news, requests one `news_job` run that lands and loads the last
    NEWS_FIRST_START_DAYS days, so the News page has items minutes after the first start. It decides
    once (its cursor says what) and never requests again. With a FINNHUB_API_KEY it waits for
    NEWS_FIRST_START_FINNHUB=true instead of calling the real Finnhub unasked."""
    if context.cursor:
        return dg.SkipReason(f"decided on an earlier tick: {context.cursor}")
    if news_source.first_start_days <= 0:
        return dg.SkipReason("NEWS_FIRST_START_DAYS is 0")
    if not news_source.first_start_allowed:
        return dg.SkipReason("the news source is Finnhub: set NEWS_FIRST_START_FINNHUB=true to land from it")
    if context.instance.get_latest_materialization_event(raw_news.key) or days_being_loaded(context.instance):
        return dg.SensorResult(skip_reason="raw_news is or was loaded", cursor="raw_news loaded before")
    with snowflake.get_connection() as conn:
        found = has_raw_news(conn)
    if found is None:
        return dg.SkipReason("RAW.NEWS does not exist yet: the warehouse is being set up")
    if found:
        return dg.SensorResult(skip_reason="RAW.NEWS has rows", cursor="RAW.NEWS had rows")
    days = [date.fromisoformat(d) for d in news_days.get_partition_keys()[-news_source.first_start_days :]]
    if not days:
        return dg.SkipReason("no complete day of news since NEWS_START_DATE yet")
    request = days_request(days[0], days[-1], run_key="first-start")
    return dg.SensorResult(run_requests=[request], cursor=f"requested {days[0]}...{days[-1]}")


@dg.sensor(job=news_reactions_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def news_reactions_sensor(
    context: dg.SensorEvaluationContext, snowflake: SnowflakeResource
) -> dg.SensorResult:
    """Fills reactions in as their horizons pass: a run of each day that has a story whose 5-minute,
    1-hour or 1-day horizon settled after its reactions were computed. The run key names the day
    and the latest such horizon, so a day is requested once per horizon passed."""
    now = datetime.now(UTC).replace(tzinfo=None)
    with snowflake.get_connection() as conn:
        rows = unsettled_reactions(conn, now - max(HORIZONS.values()) - 2 * SETTLED_AFTER)
    latest: dict[date, datetime] = {}
    for day, published_at, computed_at in rows:
        if (due := pending_since(published_at, computed_at, now)) is not None:
            latest[day] = max(due, latest.get(day, due))
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"{day}@{due:%Y-%m-%dT%H:%M:%S}", partition_key=day.isoformat())
            for day, due in sorted(latest.items())
        ]
    )
