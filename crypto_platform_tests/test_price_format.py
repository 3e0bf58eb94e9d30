"""Prices are shown with the precision their size needs."""

from __future__ import annotations

import pytest

from crypto_platform.common.price_format import price_decimals, price_text


@pytest.mark.parametrize(
    ("price", "text"),
    [
        (93836.3312, "93,836.33"),
        (200.0, "200.00"),
        (35.127, "35.13"),
        (2.12345, "2.123"),
        (0.89664, "0.8966"),
        (0.0000123449, "0.00001234"),
        (0.0, "0.00"),
    ],
)
def test_at_least_four_significant_digits_and_two_decimals(price: float, text: str) -> None:
    assert price_text(price) == text


def test_a_change_is_shown_signed_with_its_prices_decimals() -> None:
    decimals = price_decimals(0.0000123)
    assert price_text(-0.0000002, decimals, sign=True) == "-0.00000020"
    assert price_text(1500.5, price_decimals(93000), sign=True) == "+1,500.50"
