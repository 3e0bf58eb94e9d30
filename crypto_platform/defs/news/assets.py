"""Assets of the news domain: the S3 landing, RAW.NEWS and CORE.NEWS, by UTC day.

Each asset takes one day or, in a backfill, a whole range in a single run
(`BackfillPolicy.single_run()`), replacing exactly those days (delete-then-insert).
"""

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import dagster as dg
import httpx
import pyarrow as pa
from dagster import AssetExecutionContext
from dagster_aws.s3 import S3Resource
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.news.partitions import days_of, news_days
from crypto_platform.news.client import fetch_day
from crypto_platform.news.landing import day_prefix, landing_key, list_keys, quarantine_file, quarantine_lines
from crypto_platform.news.records import NewsRecord, read_file, to_jsonl
from crypto_platform.news.tagging import coin_tagger, sentiment
from crypto_platform.settings import get_settings
from crypto_platform.warehouse.news import coins, raw_news_rows, replace_core_news, replace_raw_news

GROUP = "news"
DAY_NOT_EMPTY = "day_not_empty"


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"s3"},
)
def news_landing(context: AssetExecutionContext, s3: S3Resource) -> dg.MaterializeResult:
    """Crypto news of each UTC day from Finnhub (`/news?category=crypto`, paged with minId, HTTP 429
    answered with backoff) or the local simulator, landed as JSON lines at
    `s3://<bucket>/news/date=YYYY-MM-DD/news.jsonl`. Re-running a day replaces its file."""
    settings = get_settings()
    base_url, token = settings.news_api
    client = s3.get_client()
    landed = {}
    with httpx.Client(timeout=30) as http:  # one connection for every day of a backfill
        for day in days_of(context):
            items = fetch_day(base_url, token, day, client=http)
            client.put_object(Bucket=settings.s3_bucket, Key=landing_key(day), Body=to_jsonl(items))
            landed[day.isoformat()] = len(items)
    return dg.MaterializeResult(
        metadata={
            "items": dg.MetadataValue.int(sum(landed.values())),
            "items_per_day": dg.MetadataValue.json(landed),
        }
    )


def _rows(records: Iterable[tuple[date, NewsRecord, str]]) -> pa.Table:
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    columns: dict[str, list[Any]] = {name: [] for name in RAW_NEWS_COLUMNS}
    for day, r, key in records:
        values = (day, r.id, r.published_at.astimezone(UTC).replace(tzinfo=None), r.headline, r.summary,
                  r.source, r.url, r.image, r.related, r.category, key, loaded_at)  # fmt: skip
        for name, value in zip(RAW_NEWS_COLUMNS, values, strict=True):
            columns[name].append(value)
    return pa.table(columns, schema=RAW_NEWS_SCHEMA)


RAW_NEWS_SCHEMA = pa.schema(
    [
        ("PARTITION_DATE", pa.date32()), ("ID", pa.int64()), ("PUBLISHED_AT", pa.timestamp("ms")),
        ("HEADLINE", pa.string()), ("SUMMARY", pa.string()), ("SOURCE", pa.string()), ("URL", pa.string()),
        ("IMAGE", pa.string()), ("RELATED", pa.string()), ("CATEGORY", pa.string()), ("S3_KEY", pa.string()),
        ("LOADED_AT", pa.timestamp("ms")),
    ]
)  # fmt: skip
RAW_NEWS_COLUMNS = RAW_NEWS_SCHEMA.names


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[news_landing],
    kinds={"snowflake", "s3"},
)
def raw_news(
    context: AssetExecutionContext, s3: S3Resource, snowflake: SnowflakeResource
) -> dg.MaterializeResult:
    """RAW.NEWS: every file under each day's landing prefix, loaded (Parquet, PUT, COPY INTO; the
    emulator cannot read s3:// stages, so files are fetched and PUT to an internal stage), replacing
    the day's rows. A file that cannot be read is moved under `quarantine/` with its reason; the
    unusable lines of a readable file are kept under `quarantine/` too, and the good lines load."""
    bucket = get_settings().s3_bucket
    client = s3.get_client()
    days = days_of(context)
    good: list[tuple[date, NewsRecord, str]] = []
    quarantined: list[str] = []
    read: dict[str, str] = {}  # key -> last modified, for the arrival sensor
    bad_lines = 0
    for day in days:
        for obj in list_keys(client, bucket, day_prefix(day)):
            key = obj["Key"]
            read[key] = obj["LastModified"].isoformat()
            records, bad, reason = read_file(client.get_object(Bucket=bucket, Key=key)["Body"].read())
            if reason:
                quarantined.append(quarantine_file(client, bucket, key, reason))
                context.log.warning(f"quarantined {key}: {reason}")
                continue
            good += [(day, r, key) for r in records]
            if bad:
                bad_lines += len(bad)
                quarantined.append(quarantine_lines(client, bucket, key, bad))
                context.log.warning(f"{key}: {len(bad)} unusable line(s) quarantined")
    with snowflake.get_connection() as conn:
        replace_raw_news(conn, days, _rows(good))
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(len(good)),
            "bad_lines": dg.MetadataValue.int(bad_lines),
            "quarantined": dg.MetadataValue.json(quarantined),
            "files_read": dg.MetadataValue.json(read),
        }
    )


def deduplicate(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first item of each id, then the first of each URL (the same story under two ids)."""
    seen_ids: set[int] = set()
    seen_urls: set[str] = set()
    unique = []
    for item in items:
        if item["id"] in seen_ids or item["url"] in seen_urls:
            continue
        seen_ids.add(item["id"])
        seen_urls.add(item["url"])
        unique.append(item)
    return unique


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[raw_news],
    kinds={"snowflake"},
    check_specs=[dg.AssetCheckSpec(DAY_NOT_EMPTY, asset="news", description="Each day has news (warn).")],
)
def news(context: AssetExecutionContext, snowflake: SnowflakeResource) -> dg.MaterializeResult:
    """CORE.NEWS and CORE.NEWS_COINS: each day's items without duplicates (by id, then by URL), in
    UTC, tagged with the coins they mention (whole words, tickers and names from CORE.COINS) and
    given a sentiment score in [-1, 1]. Replaces the original's stored procedure and task."""
    days = days_of(context)
    with snowflake.get_connection() as conn:
        tag = coin_tagger(coins(conn))
        items = deduplicate(raw_news_rows(conn, days))
        rows, tags = [], []
        for item in items:
            text = f"{item['headline']} {item['summary'] or ''}"
            rows.append({**item, "sentiment": sentiment(text)})
            tags += [
                {"news_id": item["id"], "partition_date": item["partition_date"], "ticker": ticker}
                for ticker in sorted(tag(text))
            ]
        replace_core_news(conn, days, rows, tags)
    counts = Counter(r["partition_date"] for r in rows)
    per_day = {day.isoformat(): counts[day] for day in days}
    empty = [day for day, count in per_day.items() if count == 0]
    return dg.MaterializeResult(
        metadata={"items": dg.MetadataValue.int(len(rows)), "tags": dg.MetadataValue.int(len(tags)),
                  "items_per_day": dg.MetadataValue.json(per_day)},
        check_results=[
            dg.AssetCheckResult(
                check_name=DAY_NOT_EMPTY, passed=not empty, severity=dg.AssetCheckSeverity.WARN,
                metadata={"empty_days": dg.MetadataValue.json(empty)},
            )
        ],
    )  # fmt: skip
