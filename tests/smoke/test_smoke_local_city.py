"""The smoke suite against the real local city over HTTPS: API + dashboard (uvicorn, TLS 1.3), PostgreSQL,
the embedded AWS and the inference service. Everything passes but the WAF check, which has no WAF to meet."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from citysense_api.local import start_stack
from citysense_api.settings import Settings

from citygate.localcity.tls import LocalCertificate
from citygate.smoke import SmokeResult, run_smoke


@pytest.fixture(scope="module")
def city_over_tls(city: Settings, aws_session: boto3.session.Session, certificate: LocalCertificate) -> Iterator[str]:
    with start_stack(city, aws=aws_session, ssl_certfile=certificate.cert, ssl_keyfile=certificate.key) as url:
        yield url


def by_name(results: list[SmokeResult]) -> dict[str, SmokeResult]:
    return {result.name: result for result in results}


def test_every_check_passes_on_the_local_city_but_the_waf(city_over_tls: str, certificate: LocalCertificate) -> None:
    results = run_smoke(city_over_tls, segment="seg-0001", ca_file=certificate.cert, expect_waf=False)
    assert [r.name for r in results] == ["health", "forecast", "tls", "waf", "headers"]
    statuses = {r.name: r.status for r in results}
    assert statuses == {name: "passed" for name in statuses} | {"waf": "skipped"}, results
    found = by_name(results)
    assert found["tls"].detail == "negotiated TLSv1.3, certificate verified"
    assert found["forecast"].detail.startswith("seg-0001: ")
    assert "HSTS" in found["headers"].detail
    assert found["waf"].detail == "no WAF in front of this URL"


def test_a_certificate_the_client_does_not_trust_fails(city_over_tls: str) -> None:
    """Without the CA file the system store does not know the throwaway certificate: nothing passes."""
    found = by_name(run_smoke(city_over_tls, segment="seg-0001", expect_waf=False))
    assert found["tls"].status == "failed" and "CERTIFICATE_VERIFY_FAILED" in found["tls"].detail
    assert found["health"].status == "failed" and "ConnectError" in found["health"].detail


def test_a_segment_without_features_fails_the_forecast(city_over_tls: str, certificate: LocalCertificate) -> None:
    found = by_name(run_smoke(city_over_tls, segment="seg-0003", ca_file=certificate.cert, expect_waf=False))
    assert found["forecast"].status == "failed"
    assert "answered 404" in found["forecast"].detail
