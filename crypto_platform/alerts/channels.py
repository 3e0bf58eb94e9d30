"""Sending an alert to a channel: a webhook (JSON POST), Slack (dagster-slack), or OPS.ALERTS.

Secrets are read from the environment at send time; a channel whose variable is not set is
skipped with a warning rather than failing the others.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time

import httpx
from dagster_slack import SlackResource

from crypto_platform.alerts.alert import Alert
from crypto_platform.alerts.config import Channel, SlackChannel, TableChannel, WebhookChannel
from crypto_platform.warehouse import alert_tables
from crypto_platform.warehouse.connection import Connect

log = logging.getLogger(__name__)


class ChannelSkipped(RuntimeError):
    """The channel is not configured on this machine (its secret is not set)."""


def _secret(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ChannelSkipped(f"{name} is not set")
    return value


def slack_text(alert: Alert) -> str:
    icon = {"failure": ":red_circle:", "recovery": ":large_green_circle:", "run_failure": ":x:"}.get(
        alert.kind, ":bell:"
    )
    link = f" <{alert.dagster_url}|open in Dagster>" if alert.dagster_url else ""
    return f"{icon} *{alert.kind.replace('_', ' ')}* ({alert.rule}): {alert.message}{link}"


def post_webhook(
    url: str, alert: Alert, timeout: float, retry_delays: tuple[float, ...] = (0.5, 2.0)
) -> None:
    """POST the alert as JSON; a connection error or a 5xx answer is retried after each delay in
    turn. Errors are raised without the URL, which is a secret. Receivers can deduplicate on `id`."""
    for delay in (*retry_delays, None):
        try:
            response = httpx.post(url, json=alert.as_json(), timeout=timeout)
            if response.status_code < 500 or delay is None:
                response.raise_for_status()
                return
        except httpx.HTTPStatusError as exc:
            raise RuntimeError(f"the webhook answered HTTP {exc.response.status_code}") from None
        except httpx.HTTPError as exc:
            if delay is None:
                raise RuntimeError(f"the webhook did not answer ({type(exc).__name__})") from None
        time.sleep(delay)


def send(channel: Channel, alert: Alert, connect: Connect) -> None:
    """Deliver `alert` (`connect` opens a warehouse connection, for OPS.ALERTS); raises ChannelSkipped
    when unconfigured, or the transport's error."""
    if isinstance(channel, TableChannel):
        with connect() as conn:
            alert_tables.record(conn, dataclasses.asdict(alert))
    elif isinstance(channel, WebhookChannel):
        post_webhook(_secret(channel.url_env), alert, channel.timeout_seconds)
    elif isinstance(channel, SlackChannel):
        client = SlackResource(token=_secret(channel.token_env)).get_client()
        if api_url := os.environ.get("SLACK_API_URL"):  # a local stand-in for slack.com, in tests
            client.base_url = api_url
        client.chat_postMessage(channel=channel.channel, text=slack_text(alert))


def send_all(
    channels: dict[str, Channel], names: list[str], alert: Alert, connect: Connect
) -> dict[str, str]:
    """Send to each named channel; one failing channel does not stop the others. Returns what
    happened per channel ("sent", "skipped: ...", "failed: ...")."""
    results = {}
    for name in names:
        try:
            send(channels[name], alert, connect)
            results[name] = "sent"
        except ChannelSkipped as exc:
            results[name] = f"skipped: {exc}"
            log.warning("alert channel %s skipped: %s", name, exc)
        except Exception as exc:  # a channel's own error, reported, never raised past the others
            results[name] = f"failed: {type(exc).__name__}: {exc}"
            log.error("alert channel %s failed: %s", name, results[name])
    return results
