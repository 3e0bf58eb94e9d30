"""Resources shared by every domain, built from settings.

Secrets are passed as `dg.EnvVar` when they come from the environment, so the Dagster UI shows
the variable's name and never its value.
"""

from __future__ import annotations

import os

import dagster as dg
from dagster_aws.s3 import S3Resource
from dagster_snowflake import SnowflakeResource
from pydantic import SecretStr

from crypto_platform.settings import Settings
from crypto_platform.warehouse.connection import connection_args


def secret(env_name: str, value: str | SecretStr | None) -> str | dg.EnvVar | None:
    if os.environ.get(env_name):
        return dg.EnvVar(env_name)
    return value.get_secret_value() if isinstance(value, SecretStr) else value


def s3_resource(settings: Settings) -> S3Resource:
    key, secret_key = settings.s3_credentials
    return S3Resource(
        endpoint_url=settings.s3_endpoint,
        region_name=settings.aws_region,
        aws_access_key_id=key,
        aws_secret_access_key=secret_key
        if settings.s3_is_local
        else secret("AWS_SECRET_ACCESS_KEY", secret_key),
    )


def snowflake_resource(settings: Settings) -> SnowflakeResource:
    args = connection_args(settings)
    named = {"account", "user", "password", "database", "schema", "role", "warehouse"}
    return SnowflakeResource(
        account=args["account"],
        user=args["user"],
        password=secret("SNOWFLAKE_PASSWORD", args.get("password")),
        database=args.get("database"),
        **{"schema": args.get("schema")},  # the field is `schema_`, set by its alias
        role=args.get("role"),
        warehouse=args.get("warehouse"),
        additional_snowflake_connection_args={k: v for k, v in args.items() if k not in named} or None,
    )
