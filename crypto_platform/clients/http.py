"""GET with retries, for the REST APIs the platform reads (Finnhub's news, the venues' trade
histories): 429 Too Many Requests, 5xx and transport errors are retried, waiting the server's
`Retry-After` (seconds or an HTTP date, RFC 9110 section 10.2.3) when it gives one, else a delay
doubled on each retry."""

from __future__ import annotations

import contextlib
import email.utils
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class RetriesExhausted(RuntimeError):
    """Every try failed; `status` is the last HTTP status (None: no response), `problem` what it was."""

    def __init__(self, where: str, retries: int, status: int | None, problem: str) -> None:
        super().__init__(f"{where} failed after {retries} retries, last with {problem}")
        self.status, self.problem = status, problem


def get_with_retries(
    http: httpx.Client,
    url: str,
    params: dict[str, Any],
    retries: int,
    *,
    base_delay: float = 1.0,
    max_delay: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
    scrub: Callable[[str], str] = str,
) -> httpx.Response:
    """GET `url`; a 429, 5xx or transport error is tried again up to `retries` times, after the
    response's Retry-After or else `base_delay` doubled per retry (both at most `max_delay` s).
    Returns the first response with any other status (the caller judges it). Raises
    RetriesExhausted when the last try fails too. `scrub` cleans what the server or httpx says
    (of a token in the URL) before it is logged or raised."""
    where = f"GET {url}"
    for attempt in range(retries + 1):
        try:
            response = http.get(url, params=params)
        except httpx.TransportError as exc:
            status, problem, retry_after = None, f"{type(exc).__name__}: {scrub(str(exc))}", None
        else:
            if response.status_code not in RETRY_STATUSES:
                return response
            status, retry_after = response.status_code, response.headers.get("Retry-After")
            problem = f"HTTP {status}: {scrub(response.text)[:200]}"
        if attempt == retries:
            raise RetriesExhausted(where, retries, status, problem)
        delay = retry_after_seconds(retry_after)
        delay = min(max_delay, base_delay * 2**attempt if delay is None else delay)
        log.warning("%s: %s; retry %d/%d in %.1fs", where, problem, attempt + 1, retries, delay)
        sleep(delay)
    raise AssertionError("unreachable")


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date; None when absent or unreadable."""
    if value is None:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
