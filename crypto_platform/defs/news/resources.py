"""The news domain's resources: the S3 landing bucket and the news source (Finnhub or the local
simulator)."""

from __future__ import annotations

import dagster as dg
from dagster_aws.s3 import S3Resource
from pydantic import Field

from crypto_platform.defs.secrets import secret
from crypto_platform.settings import Settings


class LandingS3Resource(S3Resource):
    """dagster-aws's S3 resource with the bucket news lands in."""

    bucket: str = Field(description="the landing bucket (S3_BUCKET)")


class NewsSourceResource(dg.ConfigurableResource):
    """Where crypto news comes from: Finnhub's REST API, or the local simulator without a key."""

    base_url: str = Field(description="REST base, e.g. https://finnhub.io/api/v1 (FINNHUB_REST_URL)")
    token: str = Field(description="the API key (FINNHUB_API_KEY; `local` for the simulator)")
    first_start_days: int = Field(
        description="days a platform without news lands and loads once (NEWS_FIRST_START_DAYS; 0: never)"
    )
    first_start_allowed: bool = Field(
        description="whether that first landing may call the source: always for the simulator, "
        "for Finnhub only with NEWS_FIRST_START_FINNHUB=true"
    )


def s3_resource(settings: Settings) -> LandingS3Resource:
    """Local S3 with its fixed keys; Amazon S3 with AWS keys, or none: boto3's default chain."""
    s3 = settings.s3
    return LandingS3Resource(
        endpoint_url=s3.endpoint_url,
        region_name=s3.region,
        aws_access_key_id=s3.access_key_id,
        aws_secret_access_key=s3.secret_access_key
        if settings.s3_is_local
        else secret("AWS_SECRET_ACCESS_KEY", s3.secret_access_key),
        bucket=settings.s3_bucket,
    )


def news_source_resource(settings: Settings) -> NewsSourceResource:
    base_url, token = settings.news_api
    return NewsSourceResource(
        base_url=base_url,
        token=secret("FINNHUB_API_KEY", settings.finnhub_api_key) or token,
        first_start_days=settings.news_first_start_days,
        first_start_allowed=not settings.finnhub_api_key or settings.news_first_start_finnhub,
    )
