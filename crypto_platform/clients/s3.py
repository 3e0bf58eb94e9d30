"""The boto3 S3 client for the configured endpoint (Amazon S3, or the local S3-compatible server)."""

from __future__ import annotations

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError

from crypto_platform.settings import Settings


def s3_client(settings: Settings, timeout: float = 10.0) -> BaseClient:
    """A client for `settings`' S3. Without keys (Amazon S3 with `S3_AMAZON`), boto3 signs with its
    default credential chain: environment, profile, IRSA web identity, ECS task role, EC2 instance."""
    key, secret = settings.s3_credentials
    return boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint,
        region_name=settings.aws_region,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2},
            s3={"addressing_style": "path"} if settings.s3_endpoint else None,
        ),
    )


def ensure_bucket(settings: Settings) -> bool:
    """Create the landing bucket when missing (in AWS_REGION); returns whether it was created."""
    client = s3_client(settings)
    try:
        client.head_bucket(Bucket=settings.s3_bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    region = {}
    if settings.s3_endpoint is None and settings.aws_region != "us-east-1":  # Amazon S3 outside us-east-1
        region = {"CreateBucketConfiguration": {"LocationConstraint": settings.aws_region}}
    client.create_bucket(Bucket=settings.s3_bucket, **region)
    return True
