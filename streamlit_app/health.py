"""What the Pipeline page reads besides the warehouse: Dagster's view of assets and checks, the
broker's watermarks, and the status files the producer and loader rewrite every few seconds."""

from __future__ import annotations

import asyncio
import time

import streamlit as st

from crypto_platform.clients import dagster_api
from crypto_platform.clients.kafka import KafkaSignInError
from crypto_platform.prices.health import health_file, read_health
from crypto_platform.prices.loader.lag import Lag, measure_lag
from crypto_platform.settings import get_settings
from streamlit_app.data import MAX_ENTRIES, TTL_SECONDS

KAFKA_TIMEOUT_SECONDS = 10


class KafkaUnavailable(RuntimeError):
    """The broker did not answer in time."""


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def assets() -> list[dagster_api.AssetState]:
    return dagster_api.asset_health(get_settings().dagster_api)


@st.cache_data(ttl=TTL_SECONDS, max_entries=MAX_ENTRIES, show_spinner=False)
def kafka_lag(stored: dict[int, int]) -> Lag:
    settings = get_settings()
    measuring = measure_lag(settings.kafka, settings.kafka_topic_trades, stored)
    try:
        return asyncio.run(asyncio.wait_for(measuring, KAFKA_TIMEOUT_SECONDS))
    except KafkaSignInError:  # it answered, and said why not: shown as it is
        raise
    except Exception as exc:  # aiokafka's errors and the timeout both mean: no answer
        raise KafkaUnavailable(f"{type(exc).__name__}: {exc}") from exc


def worker_status(name: str) -> tuple[dict, float] | None:
    """A local worker's counters and their age in seconds, or None if it never wrote any."""
    status = read_health(health_file(get_settings().home, name))
    return (status, time.time() - status["updated_at"]) if status else None
