"""The city's services on a minimally populated embedded AWS: a day of simulated traffic through the ETL
(in process, as the CronJob runs it), the committed model registered and promoted; then `run_city` starts
PostgreSQL, the inference service and the API over HTTPS, and checks them from outside.

The full pipeline (Airflow, kfp) on the same resources is `up`'s pipeline stage and tests/pipeline's."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from citysense_inference import registry as layout
from citysense_inference.settings import DEFAULT_MODEL_URI
from citysense_pipeline import etl, registry
from citysense_pipeline.aws import ensure_resources
from citysense_pipeline.config import Resources
from citysense_pipeline.simulate import simulate

from citygate.localcity.city import run_city

ENV = "citytest"


def populate(endpoint: str, env: str) -> None:
    """What the pipeline leaves behind, at its smallest: raw data, features, one production version."""
    resources = Resources.for_env(env, endpoint)
    ensure_resources(resources)
    sim = simulate(resources, segments=2, days=1)
    etl.run_all(resources, etl.Interval(sim.start, sim.end))
    artifact = json.loads(Path(DEFAULT_MODEL_URI).read_text()) | {"version": layout.artifact_version(1)}
    metrics = {"mae_kmh": {"model": 2.0, "persistence": 2.5}, "improvement_over_best_baseline": 0.2}
    registry.promote(resources, registry.register(resources, json.dumps(artifact).encode(), metrics, [])["version"])


@pytest.fixture(scope="module")
def city(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    populate(moto_endpoint, ENV)
    return run_city(moto_endpoint, ENV, tmp_path_factory.mktemp("city"))


def test_the_services_run_on_what_the_pipeline_left(city: dict[str, Any]) -> None:
    assert city["ok"] is True and city["failed"] is None, city
    services = city["steps"]["services"]
    assert services["status"] == "passed"
    assert services["postgres_version"][0].isdigit() and services["migrations_head"]
    assert services["model_version"] == "1.1.0" and services["registry_production"] == 1  # the promoted version
    assert services["api_url"].startswith("https://127.0.0.1:")


def test_a_forecast_through_the_api_uses_the_stores_features(city: dict[str, Any]) -> None:
    forecast = city["steps"]["forecast_via_api"]
    assert forecast["status"] == "passed" and forecast["http_status"] == 200
    assert forecast["body"]["segment_id"] == "seg-0000" and forecast["body"]["model_version"] == "1.1.0"


def test_the_dashboard_renders_the_forecast_in_chromium(city: dict[str, Any]) -> None:
    browser = city["steps"]["browser"]
    if shutil.which("chromium") is None:
        assert browser["status"] == "skipped" and "chromium not found" in browser["detail"]
        return
    assert browser["status"] == "passed", browser
    shown = pytest.approx(city["steps"]["forecast_via_api"]["body"]["speed_kmh"], abs=0.051)  # toFixed(1)
    assert browser["forecast_kmh"] == shown


def test_the_smoke_suite_passes_without_a_waf(city: dict[str, Any]) -> None:
    smoke = city["steps"]["smoke"]
    assert smoke["status"] == "passed", smoke
    assert {"name": "waf", "status": "skipped", "detail": "no WAF in front of this URL"} in smoke["checks"]


def test_an_account_the_pipeline_never_ran_on_fails_at_the_services(moto_endpoint: str, tmp_path: Path) -> None:
    ensure_resources(Resources.for_env("citytest-empty", moto_endpoint))
    result = run_city(moto_endpoint, "citytest-empty", tmp_path)
    assert result["ok"] is False and result["failed"] == "services"
    assert "NoSuchKey" in result["steps"]["services"]["error"]  # no segment catalogue in the raw zone
    assert list(result["steps"]) == ["services"]
