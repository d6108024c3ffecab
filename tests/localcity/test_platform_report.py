"""`platform.json` in the report: absent is "not run", unreadable fails closed, and each step of the
pipeline and the city is a row with its status and one line of result (a failed step shown failed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.livingdoc.document import build_document
from citygate.livingdoc.evidence import load_evidence
from citygate.livingdoc.platform import step_rows
from citygate.livingdoc.render import PageContext, render
from citygate.livingdoc.summary import platform_of

SIMULATED = {
    "interval_start": "2026-11-16T00:00:00+00:00",
    "interval_end": "2026-11-30T00:00:00+00:00",
    "streamed_records": 24681,
    "legacy_readings": 8052,
    "weather_observations": 4026,
    "reports": 42,
}


def record(pipeline: dict[str, Any], city: dict[str, Any] | None) -> dict[str, Any]:
    return {"env": "local", "pipeline": pipeline, "city": city}


FAILED_AT_DAG = record(
    {"ok": False, "failed": "dag", "steps": {"simulate": SIMULATED, "dag": {"error": "StepFailed: DAG run failed"}}},
    None,
)


def page(folder: Path) -> str:
    evidence = load_evidence(folder)
    (folder / "features").mkdir(exist_ok=True)
    (folder / "features" / "one.feature").write_text("Feature: one\n  Scenario: a step\n    Given nothing\n")
    return render(build_document(folder / "features", [], load_catalogue(), [], evidence=evidence), PageContext())


def test_no_platform_file_is_not_run(tmp_path: Path) -> None:
    assert load_evidence(tmp_path).environments["local"].platform is None
    assert "Platform run: no evidence recorded for this environment (not run, so not passed)" in page(tmp_path)


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"env": "local"}), json.dumps({"env": "local", "pipeline": 3, "city": None})]
)
def test_an_unreadable_platform_file_fails_closed(tmp_path: Path, content: str) -> None:
    (tmp_path / "platform.json").write_text(content)
    with pytest.raises(CitygateError) as raised:
        load_evidence(tmp_path)
    assert raised.value.where == str(tmp_path / "platform.json")


def test_the_step_that_failed_is_failed_and_the_rest_not_run(tmp_path: Path) -> None:
    rows = {row.step: (row.status, row.result) for row in step_rows(FAILED_AT_DAG)}
    assert rows["simulate"] == ("passed", "24681 streamed + 8052 legacy readings, 4026 weather observations, 42 "
                                "citizen reports for 2026-11-16T00:00:00+00:00 .. 2026-11-30T00:00:00+00:00")  # fmt: skip
    assert rows["dag"] == ("failed", "StepFailed: DAG run failed")
    assert {rows[s][0] for s in ("training", "promote", "inference", "services", "browser", "smoke")} == {"not-run"}
    (tmp_path / "platform.json").write_text(json.dumps(FAILED_AT_DAG))
    html = page(tmp_path)
    assert '<tr class="f" id="env-local-platform-dag" data-status="failed">' in html
    assert "stopped at <b>dag</b>" in html
    summary = platform_of(load_evidence(tmp_path))["local"]
    assert (summary["passed"], summary["failed"], summary["steps"]["pipeline.dag"]) == (False, "dag", "failed")


def test_a_clean_run_shows_each_steps_result(tmp_path: Path) -> None:
    clean = record(
        {"ok": True, "failed": None, "steps": {
            "simulate": SIMULATED,
            "dag": {"dag_id": "citysense_etl", "state": "success", "tasks": {"extract": "success", "load": "success"}, "seconds": 11.0},
            "training": {"registered": 1, "metrics": {"version": "1.1.0", "mae_kmh": {"model": 2.24, "persistence": 2.67, "historical_mean": 3.41}}},
            "promote": {"version": 1, "sha256": "16da60bee914a5cf0b9e"},
            "inference": {"status": 200, "body": {"model_version": "1.1.0", "prediction": {"segment_id": "seg-0000", "speed_kmh": 88.54, "congestion": "free_flow"}}, "unknown_segment_status": 404},
        }},
        {"ok": True, "failed": None, "steps": {
            "services": {"status": "passed", "postgres_version": "15.18", "migrations_head": "0001", "api_url": "https://127.0.0.1:1", "inference_url": "http://127.0.0.1:2", "model_version": "1.1.0", "registry_production": 1},
            "forecast_via_api": {"status": "passed", "http_status": 200, "body": {"segment_id": "seg-0000", "speed_kmh": 88.54, "model_version": "1.1.0"}},
            "browser": {"status": "passed", "detail": "shows a forecast of 88.5 km/h", "forecast_kmh": 88.5},
            "smoke": {"status": "passed", "checks": [{"name": "tls", "status": "passed"}, {"name": "waf", "status": "skipped"}]},
        }},
    )  # fmt: skip
    rows = {row.step: (row.status, row.result) for row in step_rows(clean)}
    assert rows["dag"] == ("passed", "citysense_etl success: 2/2 tasks succeeded in 11.0s")
    assert rows["training"][1] == "registered version 1 (model 1.1.0): MAE 2.24 km/h against 2.67 for the best baseline"
    assert rows["promote"][1].startswith("version 1 in production (sha256 16da60bee914")
    assert rows["inference"][1].startswith("seg-0000: 88.54 km/h (free_flow) from model 1.1.0")
    assert "serves model 1.1.0 (registry production version 1)" in rows["services"][1]
    assert rows["forecast_via_api"] == ("passed", "HTTP 200: seg-0000 88.54 km/h (model 1.1.0)")
    assert rows["smoke"] == ("passed", "tls passed, waf skipped")
    assert "teardown" not in rows
    (tmp_path / "platform.json").write_text(json.dumps(clean))
    platform = load_evidence(tmp_path).environments["local"].platform
    assert platform is not None and platform.passed and platform.failed == ""
    assert 'id="env-local-platform-browser" data-status="passed"' in page(tmp_path)
