"""Tiny loopback HTTP(S) servers standing in for a city, each wrong in one way, to prove each check can fail.

`city` answers like a healthy city behind a WAF; a test replaces one route's answer.  Only the checker is
tested with these: the real city is tested in test_smoke_local_city.py.
"""

from __future__ import annotations

import json
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, dict[str, str], bytes]
Route = Callable[[str, dict[str, list[str]]], Answer]

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}


def answer(status: int, body: object, content_type: str = "application/json", secure: bool = True) -> Answer:
    data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    return status, {"Content-Type": content_type, **(SECURITY_HEADERS if secure else {})}, data


def city(path: str, query: dict[str, list[str]]) -> Answer:
    """A healthy city behind a WAF: any query parameter `q` is treated as an attack and refused."""
    if path == "/":
        return answer(200, "<!doctype html><title>city</title>", "text/html; charset=utf-8")
    if "q" in query:
        return answer(403, "<html>403 Forbidden</html>", "text/html")
    if path == "/api/v1/segments":
        return answer(200, {"segments": [{"id": "seg-0001"}], "limit": 100, "offset": 0})
    if path.endswith("/forecast"):
        return answer(200, {"segment_id": "seg-0001", "model_version": "standin", "speed_kmh": 42.5})
    return answer(404, {"detail": "not found"})


def replacing(**routes: Route) -> Route:
    """`city`, with the answers for some paths replaced (keys: `root`, `segments`, `forecast`, `probe`)."""

    def route(path: str, query: dict[str, list[str]]) -> Answer:
        key = "probe" if "q" in query else {"/": "root", "/api/v1/segments": "segments"}.get(path, "forecast")
        return routes[key](path, query) if key in routes else city(path, query)

    return route


@contextmanager
def serve(route: Route, tls: ssl.SSLContext | None = None) -> Iterator[str]:
    """Serve `route` on a free loopback port (HTTPS with `tls`); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            status, headers, body = route(parts.path, parse_qs(parts.query))
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
