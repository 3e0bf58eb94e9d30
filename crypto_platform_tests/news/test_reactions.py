"""Reactions against hand-worked 1-minute candles (times naive UTC)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from crypto_platform.news.reactions import Prices, Story, candle_window, pending_since, reactions

D = date(2026, 11, 30)
D1 = D + timedelta(days=1)


def at(hhmmss: str, day: date = D) -> datetime:
    return datetime.combine(day, datetime.strptime(hhmmss, "%H:%M:%S").time())


CANDLES = [  # (bucket start, time of its last trade, close)
    ("11:58:00", "11:58:50", "100"),
    ("11:59:00", "11:59:40", "101"),
    ("12:00:00", "12:00:20", "102"),
    ("12:04:00", "12:04:59", "103"),
    ("12:05:00", "12:05:10", "104"),
    ("12:59:00", "12:59:30", "110"),
    ("23:57:00", "23:57:30", "200"),
    ("23:59:00", "23:59:59", "202"),
]
NEXT_DAY = [("00:02:00", "00:02:10", "206")]
PRICES = Prices(
    [("BTC-USD", at(s), at(c), Decimal(p)) for s, c, p in CANDLES]
    + [("BTC-USD", at(s, D1), at(c, D1), Decimal(p)) for s, c, p in NEXT_DAY]
)
LATER = at("12:00:00", D + timedelta(days=5))


def story(published: datetime, ticker: str = "BTC") -> Story:
    return Story(published.date(), 1, ticker, published, 0.5)


def react(published: datetime, now: datetime = LATER, ticker: str = "BTC") -> dict:
    (row,) = reactions([story(published, ticker)], PRICES, now)
    return row


def test_a_story_at_an_exact_minute_boundary() -> None:
    row = react(at("12:00:00"))
    assert row["price_at"] == Decimal("101")  # the 12:00 candle's trades are not before 12:00:00
    assert row["return_5m"] == pytest.approx(103 / 101 - 1)  # 12:05:00: the 12:04 candle's close
    assert row["return_1h"] == pytest.approx(110 / 101 - 1)  # 13:00:00: the 12:59 candle's close


def test_within_a_minute_the_last_trade_before_it_when_the_candles_hold_it() -> None:
    assert react(at("12:00:30"))["price_at"] == Decimal("102")  # the 12:00 candle closed at 12:00:20
    assert react(at("12:00:10"))["price_at"] == Decimal("101")  # not in the candles: the minute before


def test_a_story_before_the_coins_first_trade_is_flagged_not_priced() -> None:
    row = react(at("11:00:00"))
    assert row["price_at"] is None and row["return_5m"] is row["return_1h"] is row["return_1d"] is None
    assert row["missing"] == "at publication: no BTC-USD trade before 2026-11-30 11:00:00 UTC"
    assert react(at("12:00:00"), ticker="PEPE")["missing"].startswith("at publication: no PEPE-USD trade")


def test_a_horizon_in_a_gap_is_flagged_not_taken_from_older_prices() -> None:
    row = react(at("12:10:00"))  # 12:15: the last trade was 12:05:10, more than 5 min before
    assert row["price_at"] == Decimal("104") and row["return_5m"] is None
    assert "5m: no BTC-USD trade in the 5 min before 2026-11-30 12:15:00 UTC" in row["missing"]


def test_a_horizon_over_a_utc_midnight() -> None:
    row = react(at("23:58:00"))
    assert row["partition_date"] == D and row["price_at"] == Decimal("200")
    assert row["return_5m"] == pytest.approx(206 / 200 - 1)  # 00:03:00 the next day


def test_a_horizon_not_reached_yet_is_null_and_not_flagged() -> None:
    row = react(at("12:00:00"), now=at("12:05:30"))  # 12:05:00 passed, but has not settled (1 min)
    assert row["price_at"] == Decimal("101") and row["return_5m"] is row["return_1h"] is None
    assert row["missing"] is None
    assert react(at("12:00:00"), now=at("12:06:00"))["return_5m"] == pytest.approx(103 / 101 - 1)


def test_a_row_is_due_again_once_per_horizon_settled_after_it_was_computed() -> None:
    published = at("12:00:00")
    assert pending_since(published, at("12:02:00"), at("12:05:59")) is None
    assert pending_since(published, at("12:02:00"), at("12:06:00")) == at("12:06:00")
    assert pending_since(published, at("12:02:00"), at("14:00:00")) == at("13:01:00")
    assert pending_since(published, at("13:01:00"), at("14:00:00")) is None
    assert pending_since(published, LATER, LATER + timedelta(days=1)) is None


def test_the_candle_window_covers_every_horizon() -> None:
    since, until = candle_window([story(at("12:00:00")), story(at("23:58:00"))])
    assert since <= at("11:54:00") and until >= at("23:58:00") + timedelta(days=1)
    assert candle_window([]) is None
