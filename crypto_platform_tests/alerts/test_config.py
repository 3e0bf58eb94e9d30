"""The alerts file: structure, names checked against the code location, and price alerts."""

from __future__ import annotations

from decimal import Decimal

import dagster as dg
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto_platform.alerts.config import AlertsConfigError, parse
from crypto_platform.definitions import alerts_config, build, check_keys
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
        # Each used to be accepted: the symbols' checks passed forever ("No price for btc-usd yet."),
        # and 0,5 became 5.
        (
            "price_alerts: [{name: p, symbol: btc-usd, above: 1, channels: [x]}]",
            "price_alerts.0.symbol: Value error, 'btc-usd' is not a symbol as the platform names them",
        ),
        ("price_alerts: [{name: p, symbol: BTCUSD, above: 1, channels: [x]}]", "'BTCUSD' is not a symbol"),
        (
            "price_alerts: [{name: p, symbol: BTC-USD, above: '0,5', channels: [x]}]",
            "The `above` threshold must be a number, not '0,5'",
        ),
        # Unquoted, YAML 1.1 read these as 1000, 16 and 90, which the portfolio form refuses.
        (
            "price_alerts: [{name: p, symbol: BTC-USD, above: 1_000, channels: [x]}]",
            "The `above` threshold must be a number, not '1_000'",
        ),
        (
            "price_alerts: [{name: p, symbol: BTC-USD, below: 0x10, channels: [x]}]",
            "The `below` threshold must be a number, not '0x10'",
        ),
        (
            "price_alerts: [{name: p, symbol: BTC-USD, below: 1:30, channels: [x]}]",
            "The `below` threshold must be a number, not '1:30'",
        ),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(AlertsConfigError) as refused:
        parse(text, "alerts.yaml").validate_against(CHECKS)
    assert message in str(refused.value)


def test_a_threshold_with_a_thousands_grouping_is_the_number_typed() -> None:
    text = "price_alerts: [{name: p, symbol: BTC-USD, below: '63,000.50', channels: [x]}]"
    assert parse(text).price_alerts[0].below == Decimal("63000.50")


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


def test_two_entries_that_become_one_dagster_name_are_refused_naming_both() -> None:
    text = """
channels: {t: {type: table}}
rules: [{name: price-eth, checks: ["group:prices"], channels: [t]}]
price_alerts:
  - {name: btc-100k, symbol: BTC-USD, above: 100000, channels: [t]}
  - {name: btc_100k, symbol: BTC-USD, above: 100000, channels: [t]}
  - {name: eth, symbol: ETH-USD, below: 2500, channels: [t]}
"""
    with pytest.raises(AlertsConfigError) as refused:
        parse(text).validate_against(check_keys)
    message = str(refused.value)
    assert (
        "price alert 'btc-100k' and price alert 'btc_100k' both become Dagster check name "
        "'price_alert_btc_100k'" in message
    )
    assert "rule 'price-eth' and price alert 'eth' both become rule name 'price-eth'" in message


def test_a_key_given_twice_is_refused_not_replaced() -> None:
    with pytest.raises(AlertsConfigError, match="key 't' is given twice"):
        parse("channels:\n  t: {type: table}\n  t: {type: webhook, url_env: X}\n")


NAMES = st.sampled_from(["btc-100k", "btc_100k", "eth", "price-eth", "a1", "a-1", "a_1"])
alerts_files = st.fixed_dictionaries(
    {
        "channels": st.dictionaries(
            st.sampled_from(["t", "w", "x"]),
            st.sampled_from([{"type": "table"}, {"type": "webhook", "url_env": "HOOK"}]),
            max_size=3,
        ),
        "rules": st.lists(
            st.fixed_dictionaries(
                {
                    "name": NAMES,
                    "checks": st.lists(
                        st.sampled_from([*sorted(check_keys), "group:prices", "news:*", "latest_prices:*"]),
                        max_size=3,
                    ),
                    "channels": st.lists(st.sampled_from(["t", "w", "x"]), min_size=1, max_size=2),
                    "run_failures": st.booleans(),
                }
            ),
            max_size=3,
        ),
        "price_alerts": st.lists(
            st.fixed_dictionaries(
                {
                    "name": NAMES,
                    "symbol": st.sampled_from(["BTC-USD", "ETH-USD"]),
                    "above": st.integers(1, 10**6),
                    "channels": st.lists(st.sampled_from(["t", "w"]), min_size=1, max_size=2),
                }
            ),
            max_size=4,
        ),
    }
)


@settings(max_examples=150, deadline=None, database=None)
@given(data=alerts_files)
def test_every_file_the_validator_accepts_loads_as_a_code_location(data: dict) -> None:
    try:  # what the code location (and `crypto-platform alerts test`) does with the file
        defs, _ = build(parse(yaml.safe_dump(data)))
    except AlertsConfigError:
        return  # refused, saying why: the Dagster UI shows it
    dg.Definitions.validate_loadable(defs)
