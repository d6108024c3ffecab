"""Run the smoke checks against one base URL: input checked first (exit 2), then every check, each on its own."""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from citygate.errors import CitygateError
from citygate.smoke.checks import CHECKS, FAILED, SmokeResult, Target


def _base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise CitygateError(f"expected an http(s) base URL, got {base_url!r}", "--base-url")
    return base_url.rstrip("/")


def _trust(ca_file: Path | None) -> ssl.SSLContext:
    if ca_file is not None and not ca_file.is_file():
        raise CitygateError("no such CA file", str(ca_file))
    try:
        return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    except (OSError, ssl.SSLError) as exc:
        raise CitygateError(f"not a PEM CA bundle ({exc})", str(ca_file)) from None


def run_smoke(
    base_url: str,
    *,
    segment: str,
    ca_file: Path | None = None,
    expect_waf: bool = True,
    timeout: float = 10.0,
) -> list[SmokeResult]:
    """Every check's result, in order. A check that cannot reach the service fails; bad input raises."""
    if not segment.strip():
        raise CitygateError("a segment id is required", "--segment")
    url, trust = _base_url(base_url), _trust(ca_file)
    with httpx.Client(verify=trust, timeout=timeout, follow_redirects=False) as client:
        target = Target(url, segment, client, trust, timeout, expect_waf)
        results = []
        for check in CHECKS:
            try:
                results.append(check(target))
            except httpx.HTTPError as exc:
                results.append(SmokeResult(check.__name__, FAILED, f"{type(exc).__name__}: {exc}"))
        return results
