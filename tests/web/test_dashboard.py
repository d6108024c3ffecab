"""The dashboard in headless Chromium: the page loads, calls the API, and renders a forecast and incidents.

The chain is real end to end: Chromium -> API (uvicorn, loopback) -> PostgreSQL and the embedded AWS
(DynamoDB features) -> the inference service (uvicorn, loopback).
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator

import boto3
import pytest
from citysense_api.local import WEB_STATIC, start_stack
from citysense_api.settings import Settings
from fastapi.testclient import TestClient

from citygate.localcity.browser import dump_dom
from tests.features_proof.test_living_documentation import CHROMIUM

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (make deps installs it)"
)


@pytest.fixture(scope="module")
def stack(city: Settings, aws_session: boto3.session.Session, client: TestClient) -> Iterator[str]:
    """The API serving the dashboard, with one incident recorded through the API itself."""
    incident = {
        "segment_id": "seg-0002",
        "kind": "roadworks",
        "severity": 2,
        "description": "lane closed <script>alert(1)</script>",
        "started_at": "2026-11-23T07:00:00+01:00",
    }
    assert client.post("/api/v1/incidents", json=incident).status_code == 201
    with start_stack(city, aws=aws_session) as url:
        yield url


@needs_chromium
def test_the_dashboard_renders_a_forecast_from_the_api(stack: str) -> None:
    dom = dump_dom(f"{stack}/?segment=seg-0001")
    assert 'data-ready="done"' in dom
    forecast = re.search(r'<div id="forecast"[^>]*>(.*?)</div>', dom, re.S)
    assert forecast is not None
    assert 'data-state="ready"' in dom and 'data-segment="seg-0001"' in dom
    assert re.search(r"<dd>\d+\.\d km/h</dd>", forecast.group(1)), forecast.group(1)
    assert "Ring road north" in dom and "Old town lane" in dom  # the catalogue from PostgreSQL
    assert "lane closed &lt;script&gt;alert(1)&lt;/script&gt;" in dom  # incidents, written as text only


@needs_chromium
def test_a_segment_without_features_says_so(stack: str) -> None:
    dom = dump_dom(f"{stack}/?segment=seg-0003")
    assert 'data-state="error"' in dom
    assert "No forecast for seg-0003: no features for segment seg-0003" in dom


def test_the_page_is_served_with_a_strict_content_security_policy(stack: str) -> None:
    with urllib.request.urlopen(f"{stack}/", timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    assert re.findall(r"<script\b[^>]*>", page) == ['<script type="module" src="app.js">']  # no inline script
    assert "style=" not in page and "<style" not in page


def test_the_nginx_headers_match_the_apis() -> None:
    from citysense_api.headers import CONTENT_SECURITY_POLICY

    snippet = (WEB_STATIC.parent / "nginx" / "security-headers.conf").read_text()
    assert f'add_header Content-Security-Policy "{CONTENT_SECURITY_POLICY}" always;' in snippet
