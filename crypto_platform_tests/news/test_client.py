"""fetch_day against the simulator over HTTP, and against scripted servers for paging, rate limits
and errors."""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from crypto_platform.news.client import NewsFetchError, fetch_day
from crypto_platform.simulator import news_for_date, run_in_thread

DAY = date(2025, 1, 2)
DAY_START = int(datetime(2025, 1, 2, tzinfo=UTC).timestamp())
TOKEN = "s3cr3t-token-value"
Reply = tuple[int, dict[str, str], Any]
"""(status, headers, JSON body) a scripted server answers with."""


@contextmanager
def scripted_server(respond: Callable[[dict[str, str]], Reply]) -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A local HTTP server on an ephemeral port answering each request's query with `respond`; yields
    the REST base URL and the queries received."""
    queries: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            query = {name: values[0] for name, values in parse_qs(urlsplit(self.path).query).items()}
            queries.append(query)
            status, headers, body = respond(query)
            data = json.dumps(body).encode()
            self.send_response(status)
            for name, value in {"Content-Type": "application/json", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # quiet: the tests assert on logs
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)  # bound and listening on return
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)  # quick shutdown
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1", queries
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def in_turn(*replies: Reply) -> Callable[[dict[str, str]], Reply]:
    """Answer with each reply in turn, then with an empty page."""
    pending = list(replies)
    return lambda _query: pending.pop(0) if pending else (200, {}, [])


def item(item_id: int, offset: int = 0) -> dict[str, Any]:
    return {"id": item_id, "datetime": DAY_START + offset, "headline": f"h{item_id}", "url": f"u{item_id}"}


def test_a_day_from_the_simulator(caplog: pytest.LogCaptureFixture) -> None:
    for client_side in (
        "httpx",
        "httpcore",
        "crypto_platform.news",
    ):  # the simulator's own log shows the token
        caplog.set_level(logging.DEBUG, logger=client_side)
    with run_in_thread() as simulator:
        items = fetch_day(simulator.http_url, TOKEN, DAY)
        archive = news_for_date(DAY, simulator.config.seed)
    ids = [item["id"] for item in items]
    assert (
        len(ids) == len(set(ids)) == len({item["id"] for item in archive}) < len(archive)
    )  # duplicates gone
    assert all(DAY_START <= item["datetime"] < DAY_START + 86_400 for item in items)
    assert [item["datetime"] for item in items] == sorted((item["datetime"] for item in items), reverse=True)
    assert all(item in archive for item in items)  # raw, unicode intact
    assert "in 2 pages" in caplog.text and "token=***" in caplog.text  # httpx's request log, redacted
    assert TOKEN not in caplog.text


def test_pages_forward_with_min_id_until_nothing_is_new() -> None:
    pages = {
        "0": [item(3, 30), item(2, 20), item(1, -5)],  # id 1 is the day before
        "3": [item(5, 50), item(4, 40), item(3, 30), {"id": 6, "headline": "no datetime", "url": "u"}],
        "6": [item(6, 60), item(7, 86_400)],  # id 7 is the day after; id 6 again, ignored
        "7": [],
    }
    with scripted_server(lambda query: (200, {}, pages[query["minId"]])) as (url, queries):
        items = fetch_day(url, TOKEN, DAY)
    assert [query["minId"] for query in queries] == ["0", "3", "6", "7"]
    assert all(query["date"] == "2025-01-02" and query["category"] == "crypto" for query in queries)
    assert [item["id"] for item in items] == [5, 4, 3, 2]


def test_rate_limits_are_retried_after_the_servers_delay() -> None:
    limited = {"error": "API limit reached"}
    in_the_past = email.utils.format_datetime(datetime(2001, 1, 1, tzinfo=UTC), usegmt=True)
    respond = in_turn(
        (429, {"Retry-After": "2"}, limited),
        (429, {"Retry-After": "3.5"}, limited),
        (429, {"Retry-After": in_the_past}, limited),
        (200, {}, [item(1)]),
    )
    sleeps: list[float] = []
    with scripted_server(respond) as (url, queries):
        items = fetch_day(url, TOKEN, DAY, sleep=sleeps.append)
    assert sleeps == [2.0, 3.5, 0.0]
    assert len(queries) == 5 and [item["id"] for item in items] == [1]  # 3 refused, 1 page, 1 empty page


def test_server_errors_back_off_exponentially_then_give_up(caplog: pytest.LogCaptureFixture) -> None:
    sleeps: list[float] = []
    echo = {"error": f"overloaded, token={TOKEN}"}
    with (
        scripted_server(lambda _query: (503, {}, echo)) as (url, queries),
        pytest.raises(NewsFetchError) as err,
    ):
        fetch_day(url, TOKEN, DAY, max_retries=3, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0, 4.0] and len(queries) == 4
    assert err.value.status == 503 and "503" in str(err.value) and "after 3 retries" in str(err.value)
    assert TOKEN not in str(err.value) and TOKEN not in caplog.text


@pytest.mark.parametrize(
    ("reply", "status", "message"),
    [
        ((401, {}, {"error": f"Invalid API key {TOKEN}"}), 401, "HTTP 401"),
        ((403, {}, {"error": "You don't have access to this resource."}), 403, "HTTP 403"),
        ((200, {}, {"error": f"unexpected {TOKEN}"}), 200, "not a list"),
    ],
)
def test_other_errors_raise_at_once_naming_the_status(reply: Reply, status: int, message: str) -> None:
    sleeps: list[float] = []
    with scripted_server(lambda _query: reply) as (url, queries), pytest.raises(NewsFetchError) as err:
        fetch_day(url, TOKEN, DAY, sleep=sleeps.append)
    assert err.value.status == status and message in str(err.value)
    assert TOKEN not in str(err.value) and not sleeps and len(queries) == 1


def test_connection_failures_are_retried_then_raised() -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(NewsFetchError) as err:
        fetch_day(f"http://127.0.0.1:{port}/api/v1", TOKEN, DAY, max_retries=1, sleep=sleeps.append)
    assert err.value.status is None and "ConnectError" in str(err.value) and sleeps == [1.0]
    assert TOKEN not in str(err.value)
