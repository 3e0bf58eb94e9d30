"""Pipeline: how fresh each asset is, its latest check results, Kafka lag, the producer's (per feed)
and the loader's counters, the gaps in the feeds' trades and their repairs, and the alerts sent,
with a link into the Dagster UI for each asset."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pandas as pd
import streamlit as st

from crypto_platform.clients.dagster_api import AssetState, CheckState, DagsterUnavailable, asset_url
from crypto_platform.clients.kafka import KafkaSignInError
from crypto_platform.prices.health import COUNTERS, FEED_COUNTERS, health_of
from crypto_platform.settings import get_settings
from streamlit_app import data, health
from streamlit_app.timezone import local

st.title("Pipeline")


def age(seconds: float | None) -> str:
    if seconds is None:
        return "never"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f} {unit} ago"
    return f"{seconds:.0f} s ago"


def when(epoch: float | None) -> str | None:
    return (
        f"{local(datetime.fromtimestamp(epoch, UTC).replace(tzinfo=None)):%Y-%m-%d %H:%M:%S}"
        if epoch
        else None
    )


def result(check: CheckState) -> str:
    return (check.status or "not run yet").lower().replace("_", " ")


def checks_summary(state: AssetState) -> str:
    counts = Counter(result(c) for c in state.checks)
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def asset_tables(states: list[AssetState], base: str) -> None:
    now = time.time()
    st.subheader("Assets")
    st.dataframe(
        pd.DataFrame(
            {
                "asset": s.key,
                "group": s.group,
                "last materialized": when(s.materialized_at),
                "age": age(now - s.materialized_at if s.materialized_at else None),
                "checks": checks_summary(s),
                "Dagster": asset_url(base, s.key),
            }
            for s in states
        ),
        column_config={"Dagster": st.column_config.LinkColumn(display_text="open")},
        hide_index=True,
        width="stretch",
    )
    st.subheader("Latest check results")
    rows = [
        {
            "asset": s.key,
            "check": c.name,
            "result": result(c),
            "severity": c.severity,
            "blocking": c.blocking,
            "when": when(c.timestamp),
            "description": c.description,
        }
        for s in states
        for c in s.checks
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def counters(name: str) -> None:
    found = health.worker_status(name)
    if found is None:
        st.info(f"No {name} counters on this machine: it runs with `make up`.")
        return
    status, seconds = found
    state = health_of(status)
    if seconds > 30:
        st.error(f"The {name} has written nothing for {age(seconds).removesuffix(' ago')}: is it running?")
    elif not state.progressing:
        st.error(f"The {name} is {state.describe()}")
    shown = COUNTERS[name]
    columns = st.columns(len(shown))
    for column, key in zip(columns, shown, strict=True):
        value = status.get(key)
        column.metric(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    simulated = "; simulated" if status.get("simulated") else ""
    sources = f" (feeds: {', '.join(status['sources'])}{simulated})" if "sources" in status else ""
    st.caption(f"{name} {state.state}; counters updated {age(seconds)}{sources}")
    if feeds := status.get("feeds"):
        feeds_table(feeds)


def feeds_table(feeds: dict[str, dict]) -> None:
    """A row per feed of the producer: its state and counters, gaps included."""
    st.dataframe(
        pd.DataFrame(
            {
                "feed": name,
                "state": health_of(feed).describe(),
                "simulated": feed.get("simulated", False),
                **{key.replace("_", " "): feed.get(key) for key in FEED_COUNTERS},
            }
            for name, feed in feeds.items()
        ),
        hide_index=True,
        width="stretch",
    )


def kafka_section() -> None:
    settings = get_settings()
    st.subheader(f"Kafka lag on {settings.kafka_topic_trades}")
    try:
        lag = health.kafka_lag(data.loaded_offsets(settings.kafka_topic_trades))
    except health.KafkaUnavailable as exc:
        st.error(f"Kafka is not answering ({exc}).")
        return
    except KafkaSignInError as exc:
        st.error(f"{exc}.")
        return
    total, oldest = st.columns(2)
    total.metric("messages not loaded", f"{lag.total:,}")
    oldest.metric("oldest not loaded", age(lag.oldest_age_seconds()) if lag.total else "none")
    st.caption("per partition: " + ", ".join(f"{p}: {n:,}" for p, n in sorted(lag.per_partition.items())))


def gaps_section() -> None:
    """The gaps in the feeds' trades of the last day, and what became of each."""
    st.subheader("Gaps in the trades")
    found = data.gaps(datetime.now(UTC).replace(tzinfo=None) - timedelta(days=1))
    if found.empty:
        st.info("No gap in any feed's trades in the last day.")
        return
    for column in ("start_ts", "end_ts", "settled_at"):
        found[column] = [local(ts) if ts is not None and not pd.isna(ts) else None for ts in found[column]]
    open_count = int((found.state == "open").sum())
    unrepairable = int((found.state == "unrepairable").sum())
    st.caption(f"{len(found)} gap(s): {open_count} open, {unrepairable} unrepairable, the rest repaired")
    st.dataframe(found, hide_index=True, width="stretch")


def alerts_section() -> None:
    st.subheader("Alerts")
    sent = data.alerts()
    if sent.empty:
        st.info("No alerts sent yet.")
        return
    sent["raised_at"] = [local(ts) for ts in sent.raised_at]
    st.dataframe(
        sent,
        column_config={"dagster_url": st.column_config.LinkColumn("Dagster", display_text="open")},
        hide_index=True,
        width="stretch",
    )


@st.fragment(run_every=get_settings().dashboard_refresh_seconds)
@data.says_when_unavailable
def page() -> None:
    settings = get_settings()
    try:
        asset_tables(health.assets(), settings.dagster_ui)
    except DagsterUnavailable as exc:
        st.error(
            f"Dagster is not answering at {settings.dagster_api} ({exc}). "
            "Is the platform running? Try `make up`."
        )
    kafka_section()
    st.subheader("Producer")
    counters("producer")
    st.subheader("Loader")
    counters("loader")
    gaps_section()
    alerts_section()


page()
