"""The alerts file: structure, names checked against the code location, and price alerts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crypto_platform.alerts.config import AlertsConfigError, parse
from crypto_platform.definitions import alerts_config, check_keys
from crypto_platform.settings import PROJECT_ROOT

CHECKS = {"raw_trades:raw_trades_fresh": "prices", "news:day_not_empty": "news"}
GOOD = """
channels:
  hook: {type: webhook, url_env: HOOK_URL}
rules:
  - {name: r1, checks: ["group:prices", "news:*"], outcomes: [failed_warn], channels: [hook]}
"""


def test_the_example_in_the_repository_is_valid() -> None:
    assert alerts_config.rules and alerts_config.price_alerts
    assert "latest_prices:price_alert_btc_above_100k" in check_keys
    assert parse((PROJECT_ROOT / "config" / "alerts.yaml").read_text()).validate_against(check_keys)


def test_rules_match_by_check_asset_or_group() -> None:
    rule = parse(GOOD).validate_against(CHECKS).rules[0]
    assert rule.matches("raw_trades:raw_trades_fresh", "prices")
    assert rule.matches("news:day_not_empty", "news")
    assert not rule.matches("ohlcv:ohlcv_consistent", "other")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace("channels: [hook]", "channels: [pager]"),
            "rule 'r1': unknown channel 'pager' (defined: hook)",
        ),
        (GOOD.replace("group:prices", "raw_trades:nope"), "rule 'r1': unknown check 'raw_trades:nope'"),
        (GOOD.replace("group:prices", "group:nope"), "rule 'r1': unknown group 'nope'"),
        (GOOD.replace("news:*", "ohlcv:*"), "rule 'r1': no checks on asset 'ohlcv'"),
        (GOOD.replace("failed_warn", "broken"), "rules.0.outcomes.0: Input should be 'failed_warn'"),
        (GOOD.replace("type: webhook", "type: pager"), "channels.hook: Input tag 'pager' found"),
        (GOOD.replace("url_env: HOOK_URL", "url: https://example.com"), "channels.hook.webhook.url"),
        ("rules: [{name: r, channels: [x]}]", "a rule needs `checks`, `run_failures: true`, or both"),
        ("price_alerts: [{name: p, symbol: BTC-USD, channels: [x]}]", "exactly one of `above` or `below`"),
        ("rules: [", "is not valid YAML"),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(AlertsConfigError) as refused:
        parse(text, "alerts.yaml").validate_against(CHECKS)
    assert message in str(refused.value)


def test_a_price_alert_is_a_check_with_a_rule_of_its_own() -> None:
    config = parse("""
channels: {t: {type: table}}
price_alerts:
  - {name: btc-100k, symbol: BTC-USD, above: 100000, channels: [t]}
  - {name: eth-low, symbol: ETH-USD, below: 2500, channels: [t]}
""")
    btc, eth = config.price_alerts
    assert btc.check_name == "price_alert_btc_100k" and btc.describe() == "BTC-USD above 100,000"
    assert btc.crossed(Decimal("100000.01")) and not btc.crossed(Decimal("100000"))
    assert eth.crossed(Decimal("2499")) and not eth.crossed(Decimal("2500"))
    assert [r.checks for r in config.all_rules] == [
        ["latest_prices:price_alert_btc_100k"],
        ["latest_prices:price_alert_eth_low"],
    ]
    with pytest.raises(AlertsConfigError, match="unknown check 'latest_prices:price_alert_btc_100k'"):
        config.validate_against(CHECKS)
