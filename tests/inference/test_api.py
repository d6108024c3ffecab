"""The HTTP contract: predictions for good input, a precise 4xx for bad input, probes and metrics."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from citysense_inference.app import create_app
from citysense_inference.schemas import MAX_BATCH
from fastapi.testclient import TestClient

Reading = Callable[..., dict[str, Any]]


def test_single_prediction(client: TestClient, reading: Reading) -> None:
    response = client.post("/v1/predict", json=reading())
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == "1.0.0"
    prediction = body["prediction"]
    assert prediction["segment_id"] == "seg-0042"
    assert prediction["horizon_minutes"] == 15
    assert 0 < prediction["speed_kmh"] <= 50.0 * 1.25
    assert prediction["congestion"] in {"free_flow", "moderate", "heavy", "severe"}


def test_batch_keeps_order(client: TestClient, reading: Reading) -> None:
    instances = [reading(segment_id=f"seg-{i}", speed_kmh=5.0 + i) for i in range(10)]
    response = client.post("/v1/predict", json={"instances": instances})
    assert response.status_code == 200
    predictions = response.json()["predictions"]
    assert [p["segment_id"] for p in predictions] == [f"seg-{i}" for i in range(10)]


def test_batch_and_single_agree(client: TestClient, reading: Reading) -> None:
    single = client.post("/v1/predict", json=reading()).json()["prediction"]
    batch = client.post("/v1/predict", json={"instances": [reading()]}).json()["predictions"]
    assert batch == [single]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"speed_kmh": -1}, "speed_kmh"),
        ({"speed_kmh": 500}, "speed_kmh"),
        ({"volume_vph": 1e9}, "volume_vph"),
        ({"free_flow_kmh": 0}, "free_flow_kmh"),
        ({"temperature_c": 99}, "temperature_c"),
        ({"timestamp": "2026-11-23T08:15:00"}, "timestamp"),  # no offset: local time is ambiguous
        ({"timestamp": "yesterday"}, "timestamp"),
        ({"segment_id": "../etc/passwd"}, "segment_id"),
        ({"segment_id": ""}, "segment_id"),
        ({"speed_kmh": "fast"}, "speed_kmh"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_reading_is_422_naming_the_field(
    client: TestClient, reading: Reading, overrides: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/predict", json=reading(**overrides))
    assert response.status_code == 422
    assert field in [error["loc"] for error in response.json()["detail"]]


def test_batch_errors_point_at_the_bad_instance(client: TestClient, reading: Reading) -> None:
    response = client.post("/v1/predict", json={"instances": [reading(), reading(speed_kmh=-1)]})
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == ["instances.1.speed_kmh"]


def test_missing_field_is_422(client: TestClient, reading: Reading) -> None:
    body = reading()
    del body["speed_prev_kmh"]
    response = client.post("/v1/predict", json=body)
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "missing"


def test_nan_is_rejected(client: TestClient, reading: Reading) -> None:
    raw = json.dumps(reading()).replace("38.5", "NaN")
    response = client.post("/v1/predict", content=raw, headers={"content-type": "application/json"})
    assert response.status_code in (400, 422)


def test_input_is_not_echoed(client: TestClient, reading: Reading) -> None:
    response = client.post("/v1/predict", json=reading(segment_id="<script>alert(1)</script>"))
    assert response.status_code == 422
    assert "<script>" not in response.text


@pytest.mark.parametrize("size", [0, MAX_BATCH + 1])
def test_batch_size_is_bounded(client: TestClient, reading: Reading, size: int) -> None:
    response = client.post("/v1/predict", json={"instances": [reading()] * size})
    assert response.status_code in (413, 422)


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post("/v1/predict", content=b'{"segment_id": ', headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["detail"][0]["type"] == "json_invalid"


def test_json_that_is_not_an_object_is_422(client: TestClient) -> None:
    assert client.post("/v1/predict", json=[1, 2]).status_code == 422


def test_wrong_content_type_is_415(client: TestClient, reading: Reading) -> None:
    response = client.post("/v1/predict", content=json.dumps(reading()), headers={"content-type": "text/plain"})
    assert response.status_code == 415


def test_oversized_body_is_413(client: TestClient) -> None:
    response = client.post("/v1/predict", content=b"x" * 70_000, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_oversized_streamed_body_is_413(client: TestClient) -> None:
    chunks = (b"x" * 1024 for _ in range(100))  # no Content-Length: the limit must count as it reads
    response = client.post("/v1/predict", content=chunks, headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_wrong_method_is_405(client: TestClient) -> None:
    assert client.get("/v1/predict").status_code == 405


def test_probes(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready", "model_version": "1.0.0"}


def test_not_ready_without_a_model(reading: Reading) -> None:
    app = create_app()  # lifespan not run: nothing loaded yet
    unstarted = TestClient(app)
    assert unstarted.get("/healthz").status_code == 200
    assert unstarted.get("/readyz").status_code == 503
    assert unstarted.post("/v1/predict", json=reading()).status_code == 503


def test_metrics_expose_latency_requests_errors_and_version(client: TestClient, reading: Reading) -> None:
    client.post("/v1/predict", json=reading())
    client.post("/v1/predict", json=reading(speed_kmh=-5))
    text = client.get("/metrics").text
    assert 'citysense_request_duration_seconds_bucket{le="0.025",route="/v1/predict"}' in text
    assert 'citysense_requests_total{method="POST",route="/v1/predict",status="200"}' in text
    assert 'citysense_errors_total{kind="client",route="/v1/predict"}' in text
    assert 'citysense_model_info{name="citysense-speed",version="1.0.0"} 1.0' in text
    assert "citysense_predictions_total" in text


def test_unknown_paths_share_one_metrics_label(client: TestClient) -> None:
    client.get("/no/such/path/1")
    client.get("/no/such/path/2")
    text = client.get("/metrics").text
    assert 'route="other"' in text
    assert "/no/such/path" not in text


def test_unknown_methods_share_one_metrics_label(client: TestClient) -> None:
    client.request("BREW", "/healthz")
    text = client.get("/metrics").text
    assert 'method="other"' in text
    assert "BREW" not in text
