"""The news landing area in S3: where each day's file goes, and where bad input is moved.

news/date=YYYY-MM-DD/news.jsonl        the day's items as landed (other files there load too)
quarantine/news/date=.../<file>        a file that could not be read at all, moved here
quarantine/news/date=.../<file>.reason the reason, beside it
quarantine/news/date=.../<file>.bad-lines.jsonl   the unusable lines of a file that loaded
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

NEWS_PREFIX = "news/"
QUARANTINE_PREFIX = "quarantine/"
_DAY = re.compile(r"^news/date=(\d{4}-\d{2}-\d{2})/[^/]+$")


def day_prefix(day: date) -> str:
    return f"{NEWS_PREFIX}date={day.isoformat()}/"


def landing_key(day: date) -> str:
    return f"{day_prefix(day)}news.jsonl"


def day_of(key: str) -> date | None:
    """The partition day of a landed object, or None for a key outside the layout."""
    match = _DAY.match(key)
    return date.fromisoformat(match.group(1)) if match else None


def list_keys(s3: Any, bucket: str, prefix: str) -> list[dict[str, Any]]:
    """Every object under a prefix (Key, LastModified, ETag, ...), across pages."""
    objects: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        objects += page.get("Contents", [])
    return objects


def quarantine_file(s3: Any, bucket: str, key: str, reason: str) -> str:
    """Move an unreadable file under quarantine/, with its reason beside it; returns the new key."""
    target = QUARANTINE_PREFIX + key
    s3.copy_object(Bucket=bucket, Key=target, CopySource={"Bucket": bucket, "Key": key})
    s3.put_object(Bucket=bucket, Key=f"{target}.reason", Body=reason.encode())
    s3.delete_object(Bucket=bucket, Key=key)
    return target


def quarantine_lines(s3: Any, bucket: str, key: str, bad: list[tuple[int, str, str]]) -> str:
    """Keep a loaded file's unusable lines, each with its line number and reason."""
    target = f"{QUARANTINE_PREFIX}{key}.bad-lines.jsonl"
    body = "\n".join(
        json.dumps({"line": n, "reason": r, "raw": raw}, ensure_ascii=False) for n, r, raw in bad
    )
    s3.put_object(Bucket=bucket, Key=target, Body=body.encode())
    return target
