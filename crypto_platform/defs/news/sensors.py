"""The daily landing schedule (the original EventBridge rule) and the S3 arrival sensor (Snowpipe's
auto-ingest): a new or changed object under `news/` loads its day into RAW.NEWS and CORE.NEWS."""

from __future__ import annotations

import json

import dagster as dg
from dagster_aws.s3 import S3Resource

from crypto_platform.defs.news.assets import news, news_landing, raw_news
from crypto_platform.defs.news.checks import checks
from crypto_platform.defs.news.partitions import news_days
from crypto_platform.news.landing import NEWS_PREFIX, day_of, list_keys
from crypto_platform.settings import get_settings

news_landing_job = dg.define_asset_job(
    "news_landing_job", selection=[news_landing], description="Land a day's news in S3."
)
news_load_job = dg.define_asset_job(
    "news_load_job",
    selection=dg.AssetSelection.assets(raw_news, news) | dg.AssetSelection.checks(*checks),
    description="Load a landed day into RAW.NEWS and process it into CORE.NEWS.",
)

_settings = get_settings()
news_daily_schedule = dg.build_schedule_from_partitioned_job(
    news_landing_job,
    hour_of_day=_settings.news_schedule_hour,
    minute_of_hour=_settings.news_schedule_minute,
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def new_objects(objects: list[dict], cursor: dict) -> tuple[list[dict], dict]:
    """Objects newer than the cursor (last modified time, and the keys seen at that very time) and the
    cursor after them. Comparing on time and key, not on a listing, also catches files copied in by
    hand and files rewritten under the same key."""
    since = cursor.get("last_modified", "")
    seen_at_since = set(cursor.get("keys", []))

    def is_new(obj: dict) -> bool:
        stamp = obj["LastModified"].isoformat()
        return stamp > since or (stamp == since and obj["Key"] not in seen_at_since)

    fresh = [o for o in objects if is_new(o)]
    if not fresh:
        return [], cursor
    latest = max(o["LastModified"] for o in objects).isoformat()
    keys_at_latest = [o["Key"] for o in objects if o["LastModified"].isoformat() == latest]
    return fresh, {"last_modified": latest, "keys": sorted(keys_at_latest)}


def files_read(instance: dg.DagsterInstance, day: str) -> dict[str, str]:
    """Key -> last modified time of the objects the day's latest `raw_news` materialization read (a
    backfill of `news_landing*` lands and loads in one run: what it read needs no second load)."""
    latest = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=raw_news.key, asset_partitions=[day]), limit=1
    ).records
    if not latest or latest[0].asset_materialization is None:
        return {}
    files = latest[0].asset_materialization.metadata.get("files_read")
    return files.value if files is not None else {}


@dg.sensor(job=news_load_job, minimum_interval_seconds=30, default_status=dg.DefaultSensorStatus.RUNNING)
def news_arrival_sensor(context: dg.SensorEvaluationContext, s3: S3Resource) -> dg.SensorResult:
    """Requests one load of the object's day for each new or changed object under `news/` that no
    `raw_news` run has read yet."""
    objects = list_keys(s3.get_client(), get_settings().s3_bucket, NEWS_PREFIX)
    fresh, cursor = new_objects(objects, json.loads(context.cursor or "{}"))
    requests = []
    read: dict[str, dict[str, str]] = {}  # day -> files_read, fetched once per day
    for obj in sorted(fresh, key=lambda o: o["Key"]):
        day = day_of(obj["Key"])
        if day is None or not news_days.has_partition_key(day.isoformat()):
            context.log.warning(
                f"ignoring {obj['Key']}: not news/date=YYYY-MM-DD/<file> within the partitions"
            )
            continue
        partition, modified = day.isoformat(), obj["LastModified"].isoformat()
        if partition not in read:
            read[partition] = files_read(context.instance, partition)
        if read[partition].get(obj["Key"]) == modified:
            continue
        requests.append(dg.RunRequest(run_key=f"{obj['Key']}@{modified}", partition_key=partition))
    return dg.SensorResult(run_requests=requests, cursor=json.dumps(cursor))
