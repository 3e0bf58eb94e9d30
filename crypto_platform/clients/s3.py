"""The boto3 S3 client for one endpoint (Amazon S3, or the local S3-compatible server)."""

from __future__ import annotations

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import ClientError
from pydantic import BaseModel, ConfigDict, Field


class S3Connection(BaseModel):
    """Where S3 is and how to sign in; `Settings.s3` builds it. Without keys (Amazon S3 with
    `S3_AMAZON`), boto3 signs with its default credential chain: environment, profile, IRSA web
    identity, ECS task role, EC2 instance."""

    model_config = ConfigDict(frozen=True)

    endpoint_url: str | None = Field(None, description="None: Amazon S3 itself")
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: str | None = Field(None, repr=False)


def s3_client(connection: S3Connection, timeout: float = 10.0) -> BaseClient:
    """A client for `connection`, with `timeout` seconds to connect and to read, and 2 attempts."""
    return boto3.client(
        "s3",
        endpoint_url=connection.endpoint_url,
        region_name=connection.region,
        aws_access_key_id=connection.access_key_id,
        aws_secret_access_key=connection.secret_access_key,
        config=Config(
            connect_timeout=timeout,
            read_timeout=timeout,
            retries={"max_attempts": 2},
            s3={"addressing_style": "path"} if connection.endpoint_url else None,
        ),
    )


def ensure_bucket(connection: S3Connection, bucket: str) -> bool:
    """Create `bucket` when missing (in the connection's region); returns whether it was created."""
    client = s3_client(connection)
    try:
        client.head_bucket(Bucket=bucket)
        return False
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket", "NotFound"):
            raise
    region = {}
    if connection.endpoint_url is None and connection.region != "us-east-1":  # Amazon S3 elsewhere
        region = {"CreateBucketConfiguration": {"LocationConstraint": connection.region}}
    client.create_bucket(Bucket=bucket, **region)
    return True
