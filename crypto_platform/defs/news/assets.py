"""Assets of the news domain: the S3 landing, RAW.NEWS, CORE.NEWS and the price reactions to each
story (CORE.NEWS_REACTIONS), by UTC day.

Each asset takes one day or, in a backfill, a whole range in a single run
(`BackfillPolicy.single_run()`), replacing exactly those days (delete-then-insert). The two that
write the warehouse share the `news_warehouse` concurrency pool: the instance gives it one slot
(`concurrency.pools.default_limit` in dagster.yaml), so steps of overlapping runs that write news
wait for each other instead of interleaving. Each reports the seconds its stages took.
"""

import time
from collections import Counter
from datetime import UTC, date, datetime

import dagster as dg
import httpx
from dagster import AssetExecutionContext
from dagster_snowflake import SnowflakeResource

from crypto_platform.defs.days import days_of, news_days
from crypto_platform.defs.news.resources import LandingS3Resource, NewsSourceResource
from crypto_platform.news import sentiment
from crypto_platform.news.client import fetch_day
from crypto_platform.news.landing import day_prefix, landing_key, list_keys, quarantine_file, quarantine_lines
from crypto_platform.news.processing import process
from crypto_platform.news.reactions import HORIZONS, reactions
from crypto_platform.news.records import NewsRecord, read_file, to_jsonl
from crypto_platform.news.tagging import coin_tagger
from crypto_platform.warehouse.news_tables import (
    coins,
    raw_news_rows,
    raw_news_table,
    reaction_inputs,
    replace_core_news,
    replace_news_reactions,
    replace_raw_news,
)

GROUP = "news"
DAY_NOT_EMPTY = "day_not_empty"
REACTIONS_PRICED = "reactions_priced"
WAREHOUSE_POOL = "news_warehouse"


def seconds(value: float) -> dg.MetadataValue:
    return dg.MetadataValue.float(round(value, 3))


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"s3"},
)
def news_landing(
    context: AssetExecutionContext, s3: LandingS3Resource, news_source: NewsSourceResource
) -> dg.MaterializeResult:
    """Crypto news of each UTC day from Finnhub (`/news?category=crypto`, paged with minId, HTTP 429
    answered with backoff) or the local simulator, landed as JSON lines at
    `s3://<bucket>/news/date=YYYY-MM-DD/news.jsonl`. Re-running a day replaces its file."""
    client = s3.get_client()
    landed = {}
    fetching = writing = 0.0
    with httpx.Client(timeout=30) as http:  # one connection for every day of a backfill
        for day in days_of(context):
            started = time.perf_counter()
            items = fetch_day(news_source.base_url, news_source.token, day, client=http)
            fetched = time.perf_counter()
            client.put_object(Bucket=s3.bucket, Key=landing_key(day), Body=to_jsonl(items))
            fetching, writing = fetching + fetched - started, writing + time.perf_counter() - fetched
            landed[day.isoformat()] = len(items)
    return dg.MaterializeResult(
        metadata={
            "items": dg.MetadataValue.int(sum(landed.values())),
            "items_per_day": dg.MetadataValue.json(landed),
            "fetch_seconds": seconds(fetching),
            "s3_write_seconds": seconds(writing),
        }
    )


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[news_landing],
    kinds={"snowflake", "s3"},
    pool=WAREHOUSE_POOL,
)
def raw_news(
    context: AssetExecutionContext, s3: LandingS3Resource, snowflake: SnowflakeResource
) -> dg.MaterializeResult:
    """RAW.NEWS: every file under each day's landing prefix, loaded (Parquet, PUT, COPY INTO; the
    emulator cannot read s3:// stages, so files are fetched and PUT to an internal stage), replacing
    the day's rows. A file that cannot be read is moved under `quarantine/` with its reason; the
    unusable lines of a readable file are kept under `quarantine/` too, and the good lines load."""
    bucket, client = s3.bucket, s3.get_client()
    days = days_of(context)
    started = time.perf_counter()
    good: list[tuple[date, NewsRecord, str]] = []
    quarantined: list[str] = []
    read: dict[str, str] = {}  # key -> ETag of the content read, for the arrival sensor
    bad_lines = 0
    for day in days:
        for obj in list_keys(client, bucket, day_prefix(day)):
            key = obj["Key"]
            got = client.get_object(Bucket=bucket, Key=key)
            read[key] = got["ETag"]
            records, bad, reason = read_file(got["Body"].read())
            if reason:
                quarantined.append(quarantine_file(client, bucket, key, reason))
                context.log.warning(f"quarantined {key}: {reason}")
                continue
            good += [(day, r, key) for r in records]
            if bad:
                bad_lines += len(bad)
                quarantined.append(quarantine_lines(client, bucket, key, bad))
                context.log.warning(f"{key}: {len(bad)} unusable line(s) quarantined")
    read_at = time.perf_counter()
    with snowflake.get_connection() as conn:
        replace_raw_news(conn, days, raw_news_table(good))
    return dg.MaterializeResult(
        metadata={
            "rows": dg.MetadataValue.int(len(good)),
            "bad_lines": dg.MetadataValue.int(bad_lines),
            "quarantined": dg.MetadataValue.json(quarantined),
            "files_read": dg.MetadataValue.json(read),
            "s3_read_seconds": seconds(read_at - started),
            "warehouse_seconds": seconds(time.perf_counter() - read_at),
        }
    )


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[raw_news],
    kinds={"snowflake"},
    pool=WAREHOUSE_POOL,
    code_version=sentiment.analyser_name(),  # an analyser upgrade shows the days scored before it as changed
    check_specs=[dg.AssetCheckSpec(DAY_NOT_EMPTY, asset="news", description="Each day has news (warn).")],
)
def news(context: AssetExecutionContext, snowflake: SnowflakeResource) -> dg.MaterializeResult:
    """CORE.NEWS and CORE.NEWS_COINS: each day's items without duplicates (by id, then by URL), in
    UTC, tagged with the coins they mention (whole words, tickers and names from CORE.COINS) and
    given a sentiment score in [-1, 1] (VADER with the market's words; positive at >= 0.05,
    negative at <= -0.05), with the analyser's name and version. Replaces the original's stored
    procedure and task."""
    days = days_of(context)
    started = time.perf_counter()
    with snowflake.get_connection() as conn:
        rows, tags = process(raw_news_rows(conn, days), coin_tagger(coins(conn)))
        processed = time.perf_counter()
        replace_core_news(conn, days, rows, tags)
    counts = Counter(r["partition_date"] for r in rows)
    per_day = {day.isoformat(): counts[day] for day in days}
    empty = [day for day, count in per_day.items() if count == 0]
    return dg.MaterializeResult(
        metadata={"items": dg.MetadataValue.int(len(rows)), "tags": dg.MetadataValue.int(len(tags)),
                  "items_per_day": dg.MetadataValue.json(per_day),
                  "sentiment_analyser": dg.MetadataValue.text(sentiment.analyser_name()),
                  "read_and_process_seconds": seconds(processed - started),
                  "warehouse_write_seconds": seconds(time.perf_counter() - processed)},
        check_results=[
            dg.AssetCheckResult(
                check_name=DAY_NOT_EMPTY, passed=not empty, severity=dg.AssetCheckSeverity.WARN,
                metadata={"empty_days": dg.MetadataValue.json(empty)},
            )
        ],
    )  # fmt: skip


@dg.asset(
    group_name=GROUP,
    partitions_def=news_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[news, dg.AssetKey("ohlcv")],
    kinds={"snowflake"},
    pool=WAREHOUSE_POOL,
    check_specs=[
        dg.AssetCheckSpec(
            REACTIONS_PRICED, asset="news_reactions",
            description="Every reaction has its prices; one missing (a feed gap) is named (warn).",
        )
    ],
)  # fmt: skip
def news_reactions(context: AssetExecutionContext, snowflake: SnowflakeResource) -> dg.MaterializeResult:
    """CORE.NEWS_REACTIONS: for each story and coin it is tagged with, the coin's price when the
    story was published (the last trade before it, on BASE-USD) and its return 5 minutes, 1 hour
    and 1 day later, from the 1-minute candles. A horizon not passed yet is null and filled in by a
    later run (`news_reactions_sensor`); a price missing for want of trades (a feed gap) is null
    and named in MISSING, never taken from older prices."""
    days = days_of(context)
    computed_at = datetime.now(UTC).replace(tzinfo=None)
    with snowflake.get_connection() as conn:
        stories, prices = reaction_inputs(conn, days)
        rows = reactions(stories, prices, computed_at)
        replace_news_reactions(conn, days, rows, computed_at)
    missing = [f"{r['news_id']} {r['ticker']}: {r['missing']}" for r in rows if r["missing"]]
    filled = {name: sum(r[f"return_{name}"] is not None for r in rows) for name in HORIZONS}
    return dg.MaterializeResult(
        metadata={"rows": dg.MetadataValue.int(len(rows)), "returns_filled": dg.MetadataValue.json(filled)},
        check_results=[
            dg.AssetCheckResult(
                check_name=REACTIONS_PRICED, passed=not missing, severity=dg.AssetCheckSeverity.WARN,
                metadata={"missing": dg.MetadataValue.int(len(missing)),
                          "first_missing": dg.MetadataValue.json(missing[:20])},
            )
        ],
    )  # fmt: skip
