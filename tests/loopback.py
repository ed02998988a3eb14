"""A small loopback HTTP server for tests: a dict of routes, every request recorded.

    with LoopbackServer({"/feed.xml": Route(body=rss, content_type="application/rss+xml"),
                         "/a.html": [Route(status=429, headers={"Retry-After": "1"}), Route(body=page)]}
                        ) as server:
        ...  # crawl server.url("/feed.xml")
        assert server.count("/a.html") == 2

Routes are keyed by path, or by path and query (``"/s?p=2"``), which wins when both match. A
list of routes answers successive requests in turn (the last one repeats). Anything unrouted is
a 404. The server binds 127.0.0.1 on a free port and runs in a daemon thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class Route:
    """One canned answer."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)

    def payload(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class Hit:
    """A request the server received."""

    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]
    at: float


RouteSpec = Route | Sequence[Route] | bytes | str | Callable[[Hit], Route]


class LoopbackServer:
    """Serve *routes* on ``127.0.0.1:<free port>``; ``hits`` records every request in order."""

    def __init__(self, routes: Mapping[str, RouteSpec] | None = None) -> None:
        self.routes: dict[str, RouteSpec] = dict(routes or {})
        self.hits: list[Hit] = []
        self._served: dict[str, int] = {}
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                hit = Hit(
                    self.command,
                    parts.path,
                    parts.query,
                    self.rfile.read(length) if length else b"",
                    dict(self.headers.items()),
                    time.monotonic(),
                )
                route = server._route_for(hit)
                payload = route.payload() if self.command != "HEAD" else b""
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                self.send_header("Content-Length", str(len(route.payload())))
                for name, value in route.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_HEAD = _answer

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _route_for(self, hit: Hit) -> Route:
        with self._lock:
            self.hits.append(hit)
            key = (
                f"{hit.path}?{hit.query}"
                if hit.query and f"{hit.path}?{hit.query}" in self.routes
                else hit.path
            )
            spec = self.routes.get(key)
            turn = self._served.get(key, 0)
            self._served[key] = turn + 1
        if spec is None:
            return Route(body="not found", status=404, content_type="text/plain")
        if callable(spec):
            return spec(hit)
        if isinstance(spec, bytes | str):
            return Route(body=spec)
        if isinstance(spec, Route):
            return spec
        return spec[min(turn, len(spec) - 1)]

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """Absolute URL of *path* on this server."""
        return self.base_url + path

    def count(self, path: str, method: str | None = None) -> int:
        """How many requests hit *path* (any query), optionally with *method* only."""
        with self._lock:
            return sum(1 for h in self.hits if h.path == path and (method is None or h.method == method))

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LoopbackServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
