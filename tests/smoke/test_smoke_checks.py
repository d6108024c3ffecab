"""Each smoke check fails when what it checks is wrong: stand-in servers on loopback, each wrong in one way."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.localcity.tls import LocalCertificate
from citygate.smoke import SmokeResult, run_smoke
from tests.smoke.standins import answer, city, replacing, serve


def check(url: str, name: str, ca_file: Path | None = None, expect_waf: bool = True) -> SmokeResult:
    """The one result named `name` of a run against `url`."""
    results = run_smoke(url, segment="seg-0001", ca_file=ca_file, expect_waf=expect_waf)
    (result,) = (r for r in results if r.name == name)
    return result


def server_tls(certificate: LocalCertificate, maximum: ssl.TLSVersion) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.maximum_version = maximum
    context.load_cert_chain(certificate.cert, certificate.key)
    return context


def test_a_healthy_city_behind_a_waf_passes_every_check(certificate: LocalCertificate) -> None:
    with serve(city, server_tls(certificate, ssl.TLSVersion.TLSv1_3)) as url:
        results = run_smoke(url, segment="seg-0001", ca_file=certificate.cert)
    assert {r.name: r.status for r in results} == dict.fromkeys(
        ("health", "forecast", "tls", "waf", "headers"), "passed"
    )


def test_a_server_that_offers_at_most_tls_1_2_fails(certificate: LocalCertificate) -> None:
    with serve(city, server_tls(certificate, ssl.TLSVersion.TLSv1_2)) as url:
        result = check(url, "tls", ca_file=certificate.cert)
    assert (result.status, result.detail) == ("failed", "negotiated TLSv1.2, not TLSv1.3")


def test_plain_http_is_skipped_on_loopback_and_fails_elsewhere() -> None:
    with serve(city) as url:
        assert check(url, "tls").status == "skipped"
    result = check("http://city.invalid", "tls")  # refused before any connection is tried
    assert (result.status, result.detail) == ("failed", "not HTTPS: http://city.invalid")


def test_missing_security_headers_fail() -> None:
    bare = replacing(root=lambda path, query: answer(200, "<html></html>", "text/html", secure=False))
    with serve(bare) as url:
        result = check(url, "headers")
    assert result.status == "failed"
    assert result.detail.startswith("/ lacks Content-Security-Policy, X-Content-Type-Options: nosniff")
    assert "/api/v1/segments" not in result.detail
    assert "Strict-Transport-Security" not in result.detail  # not asked over plain HTTP


def test_a_short_hsts_fails_over_https(certificate: LocalCertificate) -> None:
    def short(path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], bytes]:
        status, headers, body = city(path, query)
        return status, {**headers, "Strict-Transport-Security": "max-age=300"}, body

    with serve(short, server_tls(certificate, ssl.TLSVersion.TLSv1_3)) as url:
        result = check(url, "headers", ca_file=certificate.cert)
    assert result.status == "failed" and "Strict-Transport-Security: max-age>=31536000" in result.detail


def test_a_bad_request_let_through_fails_when_a_waf_is_expected() -> None:
    with serve(replacing(probe=lambda path, query: answer(200, {"segments": []}))) as url:
        result = check(url, "waf")
        assert check(url, "waf", expect_waf=False).status == "skipped"
    assert result.status == "failed"
    assert result.detail == "SQL injection answered 200; cross-site scripting answered 200 (expected 403)"


def test_a_waf_that_refuses_the_bad_requests_passes() -> None:
    with serve(city) as url:
        result = check(url, "waf")
    assert (result.status, result.detail) == ("passed", "403 for SQL injection, cross-site scripting")


@pytest.mark.parametrize(
    "forecast",
    [
        answer(503, {"detail": "inference unavailable"}),
        answer(200, {"speed_kmh": "fast"}),
        answer(200, "not json", "text/plain"),
    ],
    ids=["503", "no-number", "not-json"],
)
def test_a_forecast_without_a_predicted_speed_fails(forecast: tuple[int, dict[str, str], bytes]) -> None:
    with serve(replacing(forecast=lambda path, query: forecast)) as url:
        result = check(url, "forecast")
    assert result.status == "failed"
    assert result.detail.startswith(f"GET /api/v1/segments/seg-0001/forecast answered {forecast[0]}")


def test_an_unhealthy_catalogue_fails_health() -> None:
    with serve(replacing(segments=lambda path, query: answer(500, {"detail": "database unavailable"}))) as url:
        result = check(url, "health")
    assert (result.status, result.detail) == ("failed", "GET /api/v1/segments answered 500, not a segment list")


def test_nothing_listening_fails_every_check_it_could_not_run() -> None:
    with serve(city) as url:
        pass  # stopped: its port is free now
    statuses = {r.name: r.status for r in run_smoke(url, segment="seg-0001", timeout=2)}
    assert statuses == {
        "health": "failed",
        "forecast": "failed",
        "tls": "skipped",
        "waf": "failed",
        "headers": "failed",
    }


@pytest.mark.parametrize(
    ("url", "segment", "ca_file", "message"),
    [
        ("ftp://127.0.0.1", "seg-0001", None, "--base-url: expected an http(s) base URL, got 'ftp://127.0.0.1'"),
        ("https://127.0.0.1", " ", None, "--segment: a segment id is required"),
        ("https://127.0.0.1", "seg-0001", Path("/nonexistent/ca.pem"), "/nonexistent/ca.pem: no such CA file"),
    ],
)
def test_bad_input_is_an_error_not_a_failed_check(url: str, segment: str, ca_file: Path | None, message: str) -> None:
    with pytest.raises(CitygateError) as raised:
        run_smoke(url, segment=segment, ca_file=ca_file)
    assert raised.value.line() == message
