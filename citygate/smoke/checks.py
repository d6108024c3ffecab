"""The smoke checks, one small function each: a check that looked at nothing says `skipped`, never `passed`."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
SEGMENTS_PATH = "/api/v1/segments"
HSTS_MIN_AGE_S = 31_536_000  # one year: what browsers' preload lists ask for
# Requests any web application firewall in front of the city must refuse (403): the WAF's managed
# SQL injection and cross-site scripting rules match them in the query string.
BAD_PROBES = {
    "SQL injection": {"q": "1' OR '1'='1' UNION SELECT username, password FROM users --"},
    "cross-site scripting": {"q": "<script>alert(document.cookie)</script>"},
}


@dataclass(frozen=True)
class SmokeResult:
    name: str
    status: str  # "passed" | "failed" | "skipped"
    detail: str


@dataclass(frozen=True)
class Target:
    """What every check needs: where the city is, how to reach it, and what to expect there."""

    base_url: str
    segment: str
    client: httpx.Client
    tls: ssl.SSLContext  # verifies against the CA file given, else the system store
    timeout: float
    expect_waf: bool

    @property
    def https(self) -> bool:
        return urlsplit(self.base_url).scheme == "https"

    def get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        return self.client.get(f"{self.base_url}{path}", params=params)


Check = Callable[[Target], SmokeResult]


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def health(target: Target) -> SmokeResult:
    """The dashboard page and the segment catalogue both answer."""
    page = target.get("/")
    if page.status_code != 200 or not page.headers.get("content-type", "").startswith("text/html"):
        return SmokeResult("health", FAILED, f"GET / answered {page.status_code} {page.headers.get('content-type')}")
    listing = target.get(SEGMENTS_PATH)
    body = _json(listing)
    if listing.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("segments"), list):
        return SmokeResult("health", FAILED, f"GET {SEGMENTS_PATH} answered {listing.status_code}, not a segment list")
    return SmokeResult("health", PASSED, f"/ is HTML; {SEGMENTS_PATH} lists {len(body['segments'])} segments")


def forecast(target: Target) -> SmokeResult:
    """The API -> inference path: a forecast for a catalogue segment carries a predicted speed."""
    path = f"{SEGMENTS_PATH}/{quote(target.segment, safe='')}/forecast"
    response = target.get(path)
    body = _json(response)
    speed = body.get("speed_kmh") if isinstance(body, dict) else None
    if response.status_code != 200 or isinstance(speed, bool) or not isinstance(speed, int | float):
        return SmokeResult("forecast", FAILED, f"GET {path} answered {response.status_code} without a speed_kmh")
    return SmokeResult("forecast", PASSED, f"{target.segment}: {speed} km/h (model {body.get('model_version')})")


def tls(target: Target) -> SmokeResult:
    """The server negotiates TLS 1.3 with a certificate the client trusts."""
    parts = urlsplit(target.base_url)
    host = parts.hostname or ""
    if not target.https:
        if host in LOOPBACK_HOSTS:
            return SmokeResult("tls", SKIPPED, f"plain HTTP on loopback ({host}): no TLS to negotiate")
        return SmokeResult("tls", FAILED, f"not HTTPS: {target.base_url}")
    try:
        with (
            socket.create_connection((host, parts.port or 443), timeout=target.timeout) as raw,
            target.tls.wrap_socket(raw, server_hostname=host) as wrapped,
        ):
            version = wrapped.version()
    except (OSError, ssl.SSLError) as exc:
        return SmokeResult("tls", FAILED, f"handshake with {host}:{parts.port or 443} failed: {exc}")
    if version != "TLSv1.3":
        return SmokeResult("tls", FAILED, f"negotiated {version}, not TLSv1.3")
    return SmokeResult("tls", PASSED, "negotiated TLSv1.3, certificate verified")


def waf(target: Target) -> SmokeResult:
    """Known-bad requests are refused (403) before they reach the API."""
    if not target.expect_waf:
        return SmokeResult("waf", SKIPPED, "no WAF in front of this URL")
    answers = {name: target.get(SEGMENTS_PATH, params).status_code for name, params in BAD_PROBES.items()}
    let_through = [f"{name} answered {code}" for name, code in answers.items() if code != 403]
    if let_through:
        return SmokeResult("waf", FAILED, "; ".join(let_through) + " (expected 403)")
    return SmokeResult("waf", PASSED, f"403 for {', '.join(answers)}")


def missing_headers(headers: httpx.Headers, https: bool) -> list[str]:
    """The security headers a response lacks (HSTS only over HTTPS: browsers ignore it on HTTP)."""
    policy = headers.get("content-security-policy", "")
    missing = [] if policy else ["Content-Security-Policy"]
    if headers.get("x-content-type-options", "").lower() != "nosniff":
        missing.append("X-Content-Type-Options: nosniff")
    if headers.get("x-frame-options", "").upper() != "DENY" and "frame-ancestors 'none'" not in policy:
        missing.append("X-Frame-Options: DENY (or frame-ancestors 'none')")
    if not headers.get("referrer-policy"):
        missing.append("Referrer-Policy")
    if https and not _strict_transport(headers.get("strict-transport-security", "")):
        missing.append(f"Strict-Transport-Security: max-age>={HSTS_MIN_AGE_S}; includeSubDomains")
    return missing


def _strict_transport(value: str) -> bool:
    directives = {part.strip().partition("=")[0].lower(): part.partition("=")[2] for part in value.split(";")}
    age = directives.get("max-age", "").strip().strip('"')
    return age.isdigit() and int(age) >= HSTS_MIN_AGE_S and "includesubdomains" in directives


def headers(target: Target) -> SmokeResult:
    """The page and the API both send the browser security headers."""
    lacking = {path: missing_headers(target.get(path).headers, target.https) for path in ("/", SEGMENTS_PATH)}
    problems = [f"{path} lacks {', '.join(names)}" for path, names in lacking.items() if names]
    if problems:
        return SmokeResult("headers", FAILED, "; ".join(problems))
    return SmokeResult(
        "headers", PASSED, "CSP, nosniff, no framing, Referrer-Policy" + (", HSTS" if target.https else "")
    )


CHECKS: tuple[Check, ...] = (health, forecast, tls, waf, headers)
