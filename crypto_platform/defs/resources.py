"""The warehouse resource every domain shares, and every resource of the code location built from
settings (`resources`): the one way settings reach assets, checks and sensors, and what the Dagster
UI shows of them. Secrets are `dg.EnvVar`s (`defs.secrets`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
import dagster_snowflake
from pydantic import Field

from crypto_platform.defs.news.resources import news_source_resource, s3_resource
from crypto_platform.defs.prices.resources import kafka_resource, loader_resource, producer_resource
from crypto_platform.defs.secrets import secret
from crypto_platform.defs.structure import SETTINGS
from crypto_platform.settings import Settings
from crypto_platform.warehouse.connection import (
    EMULATOR_PASSWORD,
    PAT_AUTHENTICATOR,
    connection_args,
    sign_in_method,
)

NAMED_ARGS = {"account", "user", "database", "schema", "role", "warehouse"}
SIGN_IN_ARGS = {"password", "private_key", "authenticator", "token"}


def resources(settings: Settings) -> dict[str, dg.ConfigurableResource]:
    """Every resource of the code location, by the key assets, checks and sensors name it."""
    return {
        "snowflake": snowflake_resource(settings),
        "s3": s3_resource(settings),
        "news_source": news_source_resource(settings),
        "kafka": kafka_resource(settings),
        "loader": loader_resource(settings),
        "producer": producer_resource(settings),
    }


class WarehouseResource(dagster_snowflake.SnowflakeResource):
    """dagster-snowflake's resource with a `token` field: a programmatic access token is passed to
    the connector as `token` with authenticator `PROGRAMMATIC_ACCESS_TOKEN`, and the resource has no
    field for it (its `password` would be sent as a password)."""

    token: str | None = Field(default=None, description="Programmatic access token (secret).")

    @property
    def _connection_args(self) -> Mapping[str, Any]:
        args = dict(super()._connection_args)
        if self._resolved_config_dict.get("token"):
            args["token"] = self._resolved_config_dict["token"]
        return args


def snowflake_resource(settings: Settings) -> WarehouseResource:
    """The warehouse resource for `settings`: the emulator locally; Snowflake signed in to with a
    key pair, a programmatic access token or a password. Raises SnowflakeSignInError when the
    sign-in settings are missing, contradictory or the key cannot be read."""
    args = connection_args(settings)
    return WarehouseResource(
        account=args["account"],
        user=args["user"],
        database=args.get("database"),
        **{"schema": args.get("schema")},  # the field is `schema_`, set by its alias
        role=args.get("role"),
        warehouse=args.get("warehouse"),
        **_sign_in(settings),
        additional_snowflake_connection_args={
            k: v for k, v in args.items() if k not in NAMED_ARGS | SIGN_IN_ARGS
        }
        or None,
    )


def _sign_in(settings: Settings) -> dict[str, Any]:
    """The resource's sign-in fields, secrets as `dg.EnvVar` (the key as PEM text or its path:
    dagster-snowflake reads and decrypts it as `warehouse.connection.private_key_der` does)."""
    if settings.warehouse_is_local:
        return {"password": EMULATOR_PASSWORD}
    method = sign_in_method(settings)
    passphrase = secret("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE", settings.snowflake_private_key_passphrase)
    if method == "SNOWFLAKE_PRIVATE_KEY_FILE":
        return {
            "private_key_path": str(settings.snowflake_private_key_file),
            "private_key_password": passphrase,
        }
    if method == "SNOWFLAKE_PRIVATE_KEY":
        return {
            "private_key": secret("SNOWFLAKE_PRIVATE_KEY", settings.snowflake_private_key),
            "private_key_password": passphrase,
        }
    if method == "SNOWFLAKE_TOKEN":
        return {
            "authenticator": PAT_AUTHENTICATOR,
            "token": secret("SNOWFLAKE_TOKEN", settings.snowflake_token),
        }
    return {"password": secret("SNOWFLAKE_PASSWORD", settings.snowflake_password)}


@dg.definitions
def defs() -> dg.Definitions:
    """The resources as the code location loads them."""
    return dg.Definitions(resources=resources(SETTINGS))
