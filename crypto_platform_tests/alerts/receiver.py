"""A local HTTP receiver standing in for a webhook endpoint (and Slack's Web API): it records every
JSON or form body POSTed to it, and can answer the first requests with errors."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class Receiver:
    def __init__(self, url: str) -> None:
        self.url = url
        self.posts: list[tuple[str, dict]] = []  # (path, body)
        self.failures: list[int] = []  # statuses to answer first, one per request, before 200s

    @property
    def bodies(self) -> list[dict]:
        return [body for _, body in self.posts]


@contextmanager
def receiver() -> Iterator[Receiver]:
    server: ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            is_json = self.headers.get("Content-Type", "").startswith("application/json")
            found.posts.append((self.path, json.loads(raw) if is_json else dict(parse_qsl(raw))))
            body = b'{"ok": true, "channel": "C1", "ts": "1.0"}'
            self.send_response(found.failures.pop(0) if found.failures else 200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    found = Receiver(f"http://127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        server.shutdown()
        server.server_close()
