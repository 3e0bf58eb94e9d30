"""Raw Finnhub news items as checked records, and the JSON lines files they land in.

A landing file holds one raw item per line, exactly as the source sent it (`to_jsonl`), so a rule
change here can be replayed on old files. Reading one (`parse_jsonl`) keeps every usable line and
reports every other with its line number, reason and text, for quarantine; `read_file` also says
when the file as a whole is unusable.

The corrupt-file rule: a file is corrupt, and quarantined whole, when it is not UTF-8, or when it has
at least one non-blank line and not one of them is a usable item (a JSON array, a CSV, a truncated
or binary file all end up here). Otherwise its good lines load and only its bad lines are
quarantined. An empty file is not corrupt: it is a day without news.

The text rule: content never stops the pipeline. A record's text fields are repaired, not refused:
a lone surrogate (text cut in the middle of an emoji, valid JSON as `\ud83d`) becomes U+FFFD, and
NUL, the other control characters but tab and line feed, and the bidirectional controls (U+202A to
U+202E, U+2066 to U+2069, which could make a link read as another) are removed.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

DEFAULT_CATEGORY = "crypto"  # the batch only asks for category=crypto
MAX_ID = 2**63 - 1  # RAW.NEWS.ID is loaded through a 64-bit integer column
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REMOVED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
BadLine = tuple[int, str, str]
"""(line number from 1, reason, the raw line) of a line that did not become a record."""


class BadNewsItem(ValueError):
    """An item that cannot be used; the message is the reason."""


@dataclass(frozen=True, slots=True)
class NewsRecord:
    id: int
    published_at: datetime
    """UTC-aware."""
    headline: str
    summary: str
    source: str
    url: str
    image: str | None
    related: str | None
    category: str


def normalise(item: Any) -> NewsRecord:
    """The item as a record, or `BadNewsItem(reason)`. Strings are stripped; absent, null or empty
    optional fields become "" (summary, source), None (image, related) or "crypto" (category)."""
    if not isinstance(item, dict):
        raise BadNewsItem(f"not a JSON object but {type(item).__name__}")
    return NewsRecord(
        id=_id(item.get("id")),
        published_at=_published_at(item.get("datetime")),
        headline=_text(item, "headline") or _missing("headline"),
        summary=_text(item, "summary"),
        source=_text(item, "source"),
        url=_text(item, "url") or _missing("url"),
        image=_text(item, "image") or None,
        related=_text(item, "related") or None,
        category=_text(item, "category") or DEFAULT_CATEGORY,
    )


def _id(value: Any) -> int:
    if value is None:
        raise BadNewsItem("missing id")
    if not isinstance(value, int) or isinstance(value, bool):
        raise BadNewsItem(f"id is not an integer: {value!r}")
    if value <= 0:
        raise BadNewsItem(f"id is not positive: {value}")
    if value > MAX_ID:
        raise BadNewsItem(f"id is larger than RAW.NEWS holds (2^63 - 1): {value}")
    return value


def _published_at(value: Any) -> datetime:
    if value is None:
        raise BadNewsItem("missing datetime")
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise BadNewsItem(f"datetime is not a number: {value!r}")
    if value <= 0:
        raise BadNewsItem(f"datetime is not after 1970: {value}")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise BadNewsItem(f"datetime out of range: {value}") from None


def _text(item: dict[str, Any], field: str) -> str:
    value = item.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadNewsItem(f"{field} is not a string: {value!r}")
    return repaired(value).strip()


def repaired(text: str) -> str:
    """`text` by the text rule of this module: lone surrogates as U+FFFD; NUL, control characters
    (but tab and line feed) and bidirectional controls removed."""
    return REMOVED.sub("", LONE_SURROGATE.sub("\ufffd", text))


def _missing(field: str) -> NoReturn:
    raise BadNewsItem(f"missing {field}")


def parse_jsonl(text: str) -> tuple[list[NewsRecord], list[BadLine]]:
    """The records of a JSON lines text, and the lines that are not (blank lines are neither)."""
    records: list[NewsRecord] = []
    bad: list[BadLine] = []
    # Not splitlines(): it also splits at U+2028 and friends, which JSON strings may hold unescaped.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            records.append(normalise(json.loads(line)))
        except json.JSONDecodeError as exc:
            bad.append((number, f"invalid JSON: {exc.msg} at column {exc.colno}", line))
        except BadNewsItem as exc:
            bad.append((number, str(exc), line))
    return records, bad


def read_file(data: bytes) -> tuple[list[NewsRecord], list[BadLine], str | None]:
    """A landing file's records and unusable lines, and why the whole file must be quarantined (the
    rule is in the module docstring), None when its good lines can load."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], [], f"not UTF-8 (byte {exc.start}: {exc.reason})"
    records, bad = parse_jsonl(text)
    if bad and not records:
        return records, bad, f"no usable line among {len(bad)}; line {bad[0][0]}: {bad[0][1]}"
    return records, bad, None


def to_jsonl(items: list[dict[str, Any]]) -> bytes:
    """One compact JSON object per line, UTF-8: the landing file's format. Unicode is written as
    is, but an item holding a lone surrogate (which UTF-8 cannot encode) is written with `\\u`
    escapes, so that the line still holds exactly what the source sent."""
    return b"".join(_json_line(item) for item in items)


def _json_line(item: dict[str, Any]) -> bytes:
    try:
        return (json.dumps(item, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
    except UnicodeEncodeError:
        return (json.dumps(item, separators=(",", ":")) + "\n").encode()
