"""Finnhub's crypto news endpoint, one UTC day at a time.

Finnhub serves only the latest ~100 items, newest first, and `minId=N` returns only items with an
id above N: paging moves forward in time, never back. So a day is fetched by asking with `minId=0`,
then with the highest id seen so far, until a page brings no new id, keeping the items whose
`datetime` falls on the day. The simulator also honours our `date=` parameter and serves that day's
whole archive; Finnhub ignores it, so against Finnhub only days still in the latest ~100 items come
back (run the schedule daily, as the original EventBridge rule did).

The API token travels as a query parameter, so it is scrubbed from everything this module says and
from httpx's request log (a filter on the `httpx` logger).
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx

from crypto_platform.clients.http import RetriesExhausted, get_with_retries
from crypto_platform.clients.redaction import redact

log = logging.getLogger(__name__)

BASE_DELAY = 1.0
"""Seconds before the first retry when the server gives no Retry-After; doubled on each retry."""
MAX_DELAY = 300.0
"""The longest single wait, also for a Retry-After that asks for more: the batch must finish."""
MAX_PAGES = 1000
"""Each page must raise the highest id seen, so this only stops a server that never runs dry."""
DAY_SECONDS = 86_400


class NewsFetchError(RuntimeError):
    """The news endpoint failed for good; `status` is the last HTTP status (None: no response)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def _redact_httpx_urls(record: logging.LogRecord) -> bool:
    """httpx logs each request's full URL, token included, at INFO: redact it in place."""
    if isinstance(record.args, tuple):
        record.args = tuple(redact(str(arg)) if isinstance(arg, httpx.URL) else arg for arg in record.args)
    return True


logging.getLogger("httpx").addFilter(_redact_httpx_urls)


def fetch_day(
    base_url: str,
    token: str,
    day: date,
    *,
    client: httpx.Client | None = None,
    max_retries: int = 6,
    sleep: Callable[[float], None] = time.sleep,
) -> list[dict[str, Any]]:
    """The raw items published on `day` (UTC, by their `datetime` seconds), each id once, newest first.

    `base_url` is the REST base (`https://finnhub.io/api/v1` or the simulator's `http_url`). Items
    without a numeric `datetime` belong to no day and are left out (counted in the log); items
    without a usable id are kept, for the loader to quarantine with a reason.
    """
    start = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())
    url = f"{base_url.rstrip('/')}/news"
    seen: set[int] = set()
    kept: list[dict[str, Any]] = []
    undated = 0
    with contextlib.nullcontext(client) if client is not None else httpx.Client(timeout=30) as http:
        for page_number in range(1, MAX_PAGES + 1):
            min_id, known = max(seen, default=0), len(seen)
            params = {"category": "crypto", "minId": min_id, "date": day.isoformat(), "token": token}
            page = _get_page(http, url, params, token, max_retries, sleep)
            for item in _unseen(page, seen):
                stamp = item.get("datetime") if isinstance(item, dict) else None
                if not _is_number(stamp):
                    undated += 1
                elif start <= stamp < start + DAY_SECONDS:
                    kept.append(item)
            log.debug(
                "news page %d (minId=%d): %d items, %d new", page_number, min_id, len(page), len(seen) - known
            )
            if len(seen) == known:
                break
        else:
            raise NewsFetchError(f"{url} still had new items after {MAX_PAGES} pages")
    if undated:
        log.warning("left out %d news items without a numeric datetime", undated)
    log.info("fetched %d news items for %s in %d pages", len(kept), day, page_number)
    return sorted(kept, key=lambda item: item["datetime"], reverse=True)


def _unseen(page: list[Any], seen: set[int]) -> Iterator[Any]:
    """The page's items whose integer id is not in `seen` (adding it), and those without one."""
    for item in page:
        item_id = item.get("id") if isinstance(item, dict) else None
        if isinstance(item_id, int) and not isinstance(item_id, bool):
            if item_id in seen:
                continue
            seen.add(item_id)
        yield item


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _get_page(
    http: httpx.Client,
    url: str,
    params: dict[str, Any],
    token: str,
    max_retries: int,
    sleep: Callable[[float], None],
) -> list[Any]:
    """One GET, retried on 429, 5xx and transport errors (`clients.http`): Retry-After when the
    server gives one, else BASE_DELAY doubled per retry (both capped at MAX_DELAY)."""
    where = f"GET {url}"
    try:
        response = get_with_retries(
            http, url, params, max_retries, base_delay=BASE_DELAY, max_delay=MAX_DELAY, sleep=sleep,
            scrub=lambda text: _scrub(text, token),
        )  # fmt: skip
    except RetriesExhausted as exc:
        raise NewsFetchError(str(exc), exc.status) from None
    if response.status_code != 200:
        problem = f"HTTP {response.status_code}: {_scrub(response.text, token)[:200]}"
        raise NewsFetchError(f"{where} failed with {problem}", response.status_code)
    return _json_list(response, where, token)


def _json_list(response: httpx.Response, where: str, token: str) -> list[Any]:
    try:
        body = response.json()
    except ValueError as exc:
        raise NewsFetchError(f"{where} returned a body that is not JSON ({exc})", 200) from None
    if not isinstance(body, list):
        raise NewsFetchError(f"{where} returned {_scrub(str(body), token)[:200]}, not a list", 200)
    return body


def _scrub(text: str, token: str) -> str:
    """Text from the server or httpx, without the token in a URL or echoed back verbatim."""
    text = redact(text)
    return text.replace(token, "***") if token else text
