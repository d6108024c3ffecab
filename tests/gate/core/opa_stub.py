"""A tiny OPA-REST-compatible server for tests (no OPA binary exists here): it stores policies
PUT to /v1/policies/{id} and documents PUT to /v1/data/{path}, and answers POST /v1/data/{path}
by evaluating them with regorus."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import regorus


class _Handler(BaseHTTPRequestHandler):
    server: _OpaStub

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        return

    def _reply(self, status: int, body: dict[str, Any] | None = None) -> None:
        payload = b"" if status == 204 else json.dumps(body or {}).encode()  # 204 carries no body
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length", 0)))

    def do_GET(self) -> None:
        self._reply(200 if self.path == "/health" else 404)

    def do_PUT(self) -> None:
        if self.path.startswith("/v1/data/"):
            node = self.server.data
            *parents, leaf = self.path.removeprefix("/v1/data/").strip("/").split("/")
            for key in parents:
                node = node.setdefault(key, {})
            node[leaf] = json.loads(self._body())
            return self._reply(204)
        if not self.path.startswith("/v1/policies/"):
            return self._reply(404)
        text = self._body().decode()
        try:
            regorus.Engine().add_policy(self.path, text)
        except RuntimeError as exc:
            return self._reply(400, {"code": "invalid_parameter", "message": str(exc)[:200]})
        self.server.policies[self.path] = text
        self._reply(200, {})

    def do_POST(self) -> None:
        if not self.path.startswith("/v1/data/"):
            return self._reply(404)
        self.server.posts += 1
        engine = regorus.Engine()
        for path, text in self.server.policies.items():
            engine.add_policy(path, text)
        engine.add_data_json(json.dumps(self.server.data))
        engine.set_input_json(json.dumps(json.loads(self._body()).get("input")))
        query = "data." + self.path.removeprefix("/v1/data/").strip("/").replace("/", ".")
        result = json.loads(engine.eval_query_as_json(query))["result"]
        self._reply(200, {"result": result[0]["expressions"][0]["value"]} if result else {})


class _OpaStub(ThreadingHTTPServer):
    policies: dict[str, str]
    data: dict[str, Any]
    posts: int


@contextmanager
def opa_stub() -> Iterator[_OpaStub]:
    """Serve on a free 127.0.0.1 port; `.server_address` gives the port."""
    server = _OpaStub(("127.0.0.1", 0), _Handler)
    server.policies, server.data, server.posts = {}, {}, 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
