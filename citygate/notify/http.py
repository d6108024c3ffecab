"""One HTTP service a notification goes to: bounded, retried where the service asks for it, fail closed.

Throttling (429) and server errors (5xx) are retried, waiting what `Retry-After` says (capped) or a
doubling backoff; a client error (4xx) is an answer and is not.  Whatever still fails becomes one
`CitygateError` naming the service, the request and the status — never the URL of a webhook or a
credential, because both are secrets in the places this runs (CI logs are public to a repository).
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import os
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from citygate.errors import CitygateError

TIMEOUT = httpx.Timeout(15.0, connect=5.0)
ATTEMPTS = 4
BACKOFF = 1.0  # seconds before the second attempt; doubles after each
MAX_WAIT = 30.0  # never sleep longer than this, whatever Retry-After says
RETRIED = frozenset({429, 500, 502, 503, 504})
DETAIL_CHARS = 160

# httpx logs every request URL at INFO: a webhook URL is a credential, so never let it reach a log.
logging.getLogger("httpx").setLevel(logging.WARNING)
logging.getLogger("httpcore").setLevel(logging.WARNING)


def secret(variable: str, service: str) -> str:
    """The value of the environment variable named on the command line (never the value itself)."""
    value = os.environ.get(variable, "").strip()
    if not value:
        raise CitygateError(f"environment variable {variable} is not set", service)
    return value


def checked_url(url: str, service: str, shown: str) -> str:
    """Only http(s) URLs with a host; `shown` is how the error names it (a secret URL is not echoed)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CitygateError(f"{shown} is not an http(s) URL", service)
    return url


def retry_after(response: httpx.Response, attempt: int) -> float:
    """Seconds to wait before the next attempt: the server's Retry-After, else a doubling backoff."""
    header = response.headers.get("Retry-After", "").strip()
    wait = BACKOFF * 2 ** (attempt - 1)
    if header.isdigit():
        wait = float(header)
    elif header:
        with contextlib.suppress(TypeError, ValueError):  # not a date either: keep the backoff
            wait = max(0.0, email.utils.parsedate_to_datetime(header).timestamp() - time.time())
    return min(wait, MAX_WAIT)


def _detail(response: httpx.Response) -> str:
    """A short, one-line hint from the error body (Slack: `invalid_blocks`; Jira: its errorMessages)."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    if isinstance(body, dict):
        messages = [*body.get("errorMessages", []), *(f"{k}: {v}" for k, v in (body.get("errors") or {}).items())]
        body = "; ".join(str(m) for m in messages)
    text = " ".join(str(body).split())[:DETAIL_CHARS]
    return f" ({text})" if text else ""


class Service:
    """Requests to one service; `name` is what every error line starts with (slack, jira)."""

    def __init__(self, name: str, base_url: str = "", auth: tuple[str, str] | None = None) -> None:
        self.name = name
        self.client = httpx.Client(
            base_url=base_url,
            auth=auth,
            timeout=TIMEOUT,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "citygate-notify"},
        )

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()

    def send(self, method: str, path: str, body: Any = None, shown: str | None = None) -> httpx.Response:
        """The 2xx response, after retries; `shown` replaces `path` in errors when the path is a secret."""
        label = f"{method} {shown or path}"
        for attempt in range(1, ATTEMPTS + 1):
            try:
                response = self.client.request(method, path, json=body)
            except httpx.TransportError as exc:
                if attempt == ATTEMPTS:
                    raise CitygateError(
                        f"{label} failed ({type(exc).__name__}) after {attempt} attempts", self.name
                    ) from None
                time.sleep(min(BACKOFF * 2 ** (attempt - 1), MAX_WAIT))
                continue
            if response.is_success:
                return response
            if response.status_code not in RETRIED or attempt == ATTEMPTS:
                tries = f" after {attempt} attempts" if attempt > 1 else ""
                raise CitygateError(
                    f"{label} answered HTTP {response.status_code}{_detail(response)}{tries}", self.name
                )
            time.sleep(retry_after(response, attempt))
        raise AssertionError("unreachable")  # the loop returns or raises
