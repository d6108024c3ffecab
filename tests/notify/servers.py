"""Loopback stand-ins for Slack's incoming webhook and Jira Cloud's REST API v3.

Real HTTP servers (stdlib, one thread each, 127.0.0.1 only) that record every request and answer the
way the services document: Slack `200 ok`, Jira `201` with a key, `204` on edits and transitions.
`fail_next` scripts failures (a status and headers) for the next requests, to prove retries and
fail-closed exits.  The fake Jira keeps its issues, so runs can be chained: open, update, close.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = tuple[int, dict[str, str], Any]  # status, headers, JSON body (or text)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Recorder:
    """What a stand-in saw and what it answers; subclasses implement `answer`."""

    requests: list[Request] = field(default_factory=list)
    scripted: list[Answer] = field(default_factory=list)
    url: str = ""

    def fail_next(self, count: int, status: int, headers: dict[str, str] | None = None, body: Any = "") -> None:
        self.scripted.extend([(status, headers or {}, body)] * count)

    def handle(self, request: Request) -> Answer:
        self.requests.append(request)
        if self.scripted:
            return self.scripted.pop(0)
        return self.answer(request)

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError


class Slack(Recorder):
    """An incoming webhook: JSON in, `ok` out."""

    path = "/services/T000/B000/XXXXSECRETXXXX"

    def answer(self, request: Request) -> Answer:
        if request.method != "POST" or request.path != self.path:
            return 404, {}, "no_service"
        if not isinstance(request.body, dict):
            return 400, {}, "invalid_payload"
        return 200, {}, "ok"


TRANSITIONS: list[dict[str, Any]] = [
    {"id": "11", "name": "To Do", "to": {"statusCategory": {"key": "new"}}},
    {"id": "21", "name": "In Progress", "to": {"statusCategory": {"key": "indeterminate"}}},
    {"id": "31", "name": "Done", "to": {"statusCategory": {"key": "done"}}},
]
ISSUE = re.compile(r"^/rest/api/3/issue/([A-Z]+-\d+)(/comment|/transitions)?$")


@dataclass
class Jira(Recorder):
    """Enough of Jira Cloud for the sync: JQL search by labels and status category, issues, transitions."""

    issues: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int = 1  # small, so every test pages through nextPageToken

    def answer(self, request: Request) -> Answer:
        if request.method == "POST" and request.path == "/rest/api/3/search/jql":
            return self.search(request.body)
        if request.method == "POST" and request.path == "/rest/api/3/issue":
            key = f"SEC-{len(self.issues) + 1}"
            self.issues[key] = {**request.body["fields"], "status": "new", "comments": []}
            return (
                201,
                {},
                {"id": str(10000 + len(self.issues)), "key": key, "self": f"{self.url}/rest/api/3/issue/{key}"},
            )
        match = ISSUE.match(request.path)
        if not match or match.group(1) not in self.issues:
            return 404, {}, {"errorMessages": ["Issue does not exist or you do not have permission to see it."]}
        issue = self.issues[match.group(1)]
        if request.method == "PUT" and match.group(2) is None:
            issue.update(request.body["fields"])
            return 204, {}, ""
        if request.method == "POST" and match.group(2) == "/comment":
            issue["comments"].append(request.body["body"])
            return 201, {}, {"id": str(len(issue["comments"]))}
        if request.method == "GET" and match.group(2) == "/transitions":
            return 200, {}, {"expand": "transitions", "transitions": TRANSITIONS}
        if request.method == "POST" and match.group(2) == "/transitions":
            chosen = next(t for t in TRANSITIONS if t["id"] == request.body["transition"]["id"])
            issue["status"] = chosen["to"]["statusCategory"]["key"]
            return 204, {}, ""
        return 405, {}, {"errorMessages": ["method not allowed"]}

    def search(self, body: dict[str, Any]) -> Answer:
        jql = body["jql"]
        labels = set(re.findall(r'labels = "([^"]+)"', jql))
        project = re.search(r'project = "([A-Z]+)"', jql)
        hits = [
            {"id": key, "key": key, "fields": {"labels": issue["labels"], "summary": issue["summary"]}}
            for key, issue in self.issues.items()
            if labels <= set(issue["labels"])
            and (project is None or key.startswith(f"{project.group(1)}-"))
            and ("statusCategory != Done" not in jql or issue["status"] != "done")
        ]
        start = int(body.get("nextPageToken") or 0)
        page = hits[start : start + min(self.page_size, body.get("maxResults", 50))]
        end = start + len(page)
        answer: dict[str, Any] = {"issues": page, "isLast": end >= len(hits)}
        if end < len(hits):
            answer["nextPageToken"] = str(end)
        return 200, {}, answer

    def open_keys(self) -> list[str]:
        return sorted(key for key, issue in self.issues.items() if issue["status"] != "done")


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            status, headers, payload = recorder.handle(request)
            data = b"" if status == 204 else (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if status != 204:
                kind = "text/plain" if isinstance(payload, str) else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _serve

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

    return Handler


@contextmanager
def serving(recorder: Recorder) -> Iterator[Recorder]:
    """Serve `recorder` on a free 127.0.0.1 port for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder))
    recorder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), name="notify-stand-in", daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
