"""The webhook and Slack channels against a local HTTP receiver (standing in for the endpoint and
for slack.com's Web API), secrets from the environment and never in errors."""

from __future__ import annotations

import pytest

from crypto_platform.alerts.alert import Alert
from crypto_platform.alerts.channels import send_all
from crypto_platform.alerts.config import parse
from crypto_platform_tests.alerts.receiver import receiver

CHANNELS = parse("""
channels:
  hook: {type: webhook, url_env: TEST_HOOK_URL}
  slack: {type: slack, token_env: TEST_SLACK_TOKEN, channel: "#alerts"}
""").channels
ALERT = Alert("r", "failure", "raw_trades:raw_trades_fresh failed (WARN)", "raw_trades", "raw_trades_fresh",
              "WARN", "http://127.0.0.1:3000/assets/raw_trades?view=checks")  # fmt: skip


def no_warehouse() -> None:
    raise AssertionError("no channel of these tests writes to the warehouse")


def test_slack_gets_one_message_with_the_alert_and_a_link(monkeypatch: pytest.MonkeyPatch) -> None:
    with receiver() as slack:
        monkeypatch.setenv("TEST_SLACK_TOKEN", "xoxb-test-token")
        monkeypatch.setenv("SLACK_API_URL", f"{slack.url}/api/")
        assert send_all(CHANNELS, ["slack"], ALERT, no_warehouse) == {"slack": "sent"}
    [(path, body)] = slack.posts
    assert path == "/api/chat.postMessage" and body["channel"] == "#alerts"
    assert body["text"] == (
        ":red_circle: *failure* (r): raw_trades:raw_trades_fresh failed (WARN) "
        "<http://127.0.0.1:3000/assets/raw_trades?view=checks|open in Dagster>"
    )


def test_an_unset_secret_skips_the_channel_and_a_failing_one_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TEST_SLACK_TOKEN", raising=False)
    monkeypatch.setenv("TEST_HOOK_URL", "http://127.0.0.1:9/secret-path")  # nothing listens on port 9
    results = send_all(CHANNELS, ["hook", "slack"], ALERT, no_warehouse)
    assert results == {
        "hook": "failed: RuntimeError: the webhook did not answer (ConnectError)",
        "slack": "skipped: TEST_SLACK_TOKEN is not set",
    }
    assert "secret-path" not in str(results)


def test_a_webhook_answering_5xx_is_retried_and_a_4xx_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    with receiver() as hook:
        monkeypatch.setenv("TEST_HOOK_URL", f"{hook.url}/hook")
        hook.failures = [503, 502]
        assert send_all(CHANNELS, ["hook"], ALERT, no_warehouse) == {"hook": "sent"}
        assert [b["id"] for b in hook.bodies] == [ALERT.id] * 3  # the same alert, deduplicable by id
        hook.failures = [404]
        assert send_all(CHANNELS, ["hook"], ALERT, no_warehouse) == {
            "hook": "failed: RuntimeError: the webhook answered HTTP 404"
        }
        assert len(hook.posts) == 4
