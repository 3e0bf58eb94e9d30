"""Raw items as records, every reason an item is refused, JSON lines both ways, and corrupt files."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crypto_platform.news.records import (
    REMOVED,
    BadNewsItem,
    NewsRecord,
    normalise,
    parse_jsonl,
    read_file,
    repaired,
    to_jsonl,
)
from crypto_platform.simulator import news_for_date

GOOD = {
    "category": "crypto",
    "datetime": 1_735_776_000,
    "headline": " Bitcoin’s rally — traders eye €40,000 🚀 ",  # noqa: RUF001 (typographic quote on purpose)
    "id": 20_090_001,
    "image": "",
    "related": "BTC",
    "source": "CoinDesk",
    "summary": "比特币 price\u2028next line",
    "url": "https://news.example.com/1",
}


def test_a_complete_item() -> None:
    assert normalise(GOOD) == NewsRecord(
        id=20_090_001,
        published_at=datetime(2025, 1, 2, tzinfo=UTC),
        headline="Bitcoin’s rally — traders eye €40,000 🚀",  # noqa: RUF001
        summary="比特币 price\u2028next line",
        source="CoinDesk",
        url="https://news.example.com/1",
        image=None,
        related="BTC",
        category="crypto",
    )


def test_optional_fields_default() -> None:
    record = normalise({"id": 1, "datetime": 1.5, "headline": "h", "url": "u", "summary": None})
    assert (record.summary, record.source, record.image, record.related, record.category) == (
        "",
        "",
        None,
        None,
        "crypto",
    )
    assert record.published_at == datetime(1970, 1, 1, 0, 0, 1, 500_000, tzinfo=UTC)


def test_every_simulated_item_normalises() -> None:
    items = [item for n in range(10) for item in news_for_date(date(2025, 1, 1) + timedelta(days=n))]
    assert all(normalise(item).published_at.tzinfo is UTC for item in items)


def without(field: str) -> dict[str, Any]:
    return {name: value for name, value in GOOD.items() if name != field}


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (["not", "an", "object"], "not a JSON object but list"),
        (without("id"), "missing id"),
        (GOOD | {"id": None}, "missing id"),
        (GOOD | {"id": "20090001"}, "id is not an integer: '20090001'"),
        (GOOD | {"id": 1.5}, "id is not an integer: 1.5"),
        (GOOD | {"id": True}, "id is not an integer: True"),
        (GOOD | {"id": 0}, "id is not positive: 0"),
        (GOOD | {"id": 2**63}, "id is larger than RAW.NEWS holds (2^63 - 1): 9223372036854775808"),
        (without("datetime"), "missing datetime"),
        (GOOD | {"datetime": "2025-01-02"}, "datetime is not a number: '2025-01-02'"),
        (GOOD | {"datetime": float("nan")}, "datetime is not a number: nan"),
        (GOOD | {"datetime": False}, "datetime is not a number: False"),
        (GOOD | {"datetime": -60}, "datetime is not after 1970: -60"),
        (GOOD | {"datetime": 10**15}, "datetime out of range: 1000000000000000"),
        (without("headline"), "missing headline"),
        (GOOD | {"headline": "  "}, "missing headline"),
        (GOOD | {"headline": 42}, "headline is not a string: 42"),
        (without("url"), "missing url"),
        (GOOD | {"url": ""}, "missing url"),
        (GOOD | {"image": ["a.jpg"]}, "image is not a string: ['a.jpg']"),
    ],
)
def test_unusable_items_give_their_reason(item: Any, reason: str) -> None:
    with pytest.raises(BadNewsItem) as err:
        normalise(item)
    assert str(err.value) == reason


def test_jsonl_round_trip_keeps_unicode() -> None:
    items = [GOOD, *news_for_date(date(2025, 1, 2))]
    data = to_jsonl(items)
    assert data.count(b"\n") == len(items) and data.endswith(b"\n")
    assert "🚀".encode() in data and b"\\u" not in data and b'", "' not in data  # raw UTF-8, compact
    assert [json.loads(line) for line in data.decode().split("\n")[:-1]] == items
    records, bad = parse_jsonl(data.decode())
    assert bad == [] and records == [normalise(item) for item in items]  # U+2028 did not split a line
    assert to_jsonl([]) == b""


def test_bad_lines_are_reported_with_number_reason_and_text() -> None:
    lines = [json.dumps(GOOD), "{not json", "", "[1, 2]", json.dumps(without("url")), json.dumps(GOOD)]
    records, bad = parse_jsonl("\r\n".join(lines) + "\r\n")
    assert records == [normalise(GOOD)] * 2
    assert [(number, raw) for number, _reason, raw in bad] == [(2, lines[1]), (4, lines[3]), (5, lines[4])]
    assert [reason for _number, reason, _raw in bad] == [
        "invalid JSON: Expecting property name enclosed in double quotes at column 2",
        "not a JSON object but list",
        "missing url",
    ]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (gzip.compress(to_jsonl([GOOD])), "not UTF-8"),
        (b'{"id": 1, "headline": "caf\xe9"}\n', "not UTF-8"),
        (json.dumps([GOOD], indent=2).encode(), "no usable line among"),
        (json.dumps([GOOD]).encode(), "no usable line among 1; line 1: not a JSON object but list"),
        (b"id,datetime,headline\n1,2,h\n", "no usable line among 2; line 1: invalid JSON"),
        (to_jsonl([without("headline")] * 3), "no usable line among 3; line 1: missing headline"),
    ],
)
def test_files_with_no_usable_line_are_corrupt(data: bytes, reason: str) -> None:
    assert (read_file(data)[2] or "").startswith(reason)


@pytest.mark.parametrize("data", [b"", b"\n\n", to_jsonl([without("url"), GOOD]), to_jsonl([GOOD])])
def test_files_with_a_usable_line_or_none_at_all_are_not_corrupt(data: bytes) -> None:
    assert read_file(data)[2] is None


def test_a_lone_surrogate_lands_as_sent_and_loads_repaired() -> None:
    """`"headline":"Bitcoin rallies \\ud83d"` is valid JSON (text cut inside an emoji); it used to
    make `to_jsonl` raise UnicodeEncodeError, so a backfill stopped at that day."""
    item = json.loads(
        '{"id": 7, "datetime": 1735776000, "headline": "Bitcoin rallies \\ud83d", "url": "https://x/7"}'
    )
    data = to_jsonl([GOOD, item])
    assert data.decode("utf-8").count("\n") == 2  # valid UTF-8, one line each
    assert [json.loads(line) for line in data.decode().split("\n")[:-1]] == [GOOD, item]  # exactly as sent
    records, bad, corrupt = read_file(data)
    assert bad == [] and corrupt is None
    assert records[1].headline == "Bitcoin rallies \ufffd"


def test_control_and_bidirectional_characters_are_removed_from_the_text() -> None:
    item = GOOD | {"headline": "Bit\x00coin\x07 \u202eSU 000,001\u202c up\tnow", "summary": "a\r\nb"}
    record = normalise(item)
    assert record.headline == "Bitcoin SU 000,001 up\tnow" and record.summary == "a\nb"


TEXT = st.text(st.characters(exclude_categories=()), max_size=300) | st.just("x" * 100_000)


@settings(max_examples=300, deadline=None, database=None)
@given(headline=TEXT, summary=TEXT, source=TEXT)
def test_no_text_stops_landing_or_loading(headline: str, summary: str, source: str) -> None:
    """Any text a feed may send (lone surrogates, NUL, control characters, bidirectional marks, very
    long fields) lands, reads back, and becomes a record or a reasoned bad line, never an error."""
    item = GOOD | {"headline": headline, "summary": summary, "source": source}
    data = to_jsonl([item])
    records, bad, _ = read_file(data)
    assert len(records) + len(bad) == 1
    for record in records:
        for text in (record.headline, record.summary, record.source):
            text.encode("utf-8")  # no lone surrogate left
            assert not REMOVED.search(text)
    if not headline.strip() or not repaired(headline).strip():
        assert bad and "missing headline" in bad[0][1]
