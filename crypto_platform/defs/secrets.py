"""Secrets in resources: passed as `dg.EnvVar` when they come from the environment, so the Dagster
UI shows the variable's name and never its value."""

from __future__ import annotations

import os

import dagster as dg
from pydantic import SecretStr


def secret(env_name: str, value: str | SecretStr | None) -> str | dg.EnvVar | None:
    """`dg.EnvVar(env_name)` when that variable is set, else the value itself (a local default)."""
    if os.environ.get(env_name):
        return dg.EnvVar(env_name)
    return value.get_secret_value() if isinstance(value, SecretStr) else value
