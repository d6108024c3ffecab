"""The city API against real stores: PostgreSQL (migrated by Alembic), the embedded AWS and the inference service."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from citysense_api.app import create_app
from citysense_api.settings import Settings
from fastapi.testclient import TestClient

from citygate.ports import free_port
from tests.api.fixtures import unreachable_inference

INCIDENT = {
    "segment_id": "seg-0001",
    "kind": "accident",
    "severity": 3,
    "description": "two cars, right lane blocked",
    "started_at": "2026-11-23T08:05:00+01:00",
}
REPORT = {
    "segment_id": "seg-0002",
    "kind": "hazard",
    "description": "oil on the road",
    "observed_at": "2026-11-23T08:10:00+01:00",
}


def test_segments_are_listed_in_id_order_and_paged(client: TestClient) -> None:
    body = client.get("/api/v1/segments").json()
    assert [s["id"] for s in body["segments"]] == ["seg-0001", "seg-0002", "seg-0003"]
    page = client.get("/api/v1/segments", params={"limit": 1, "offset": 1}).json()
    assert [s["id"] for s in page["segments"]] == ["seg-0002"]


def test_one_segment_and_an_unknown_one(client: TestClient) -> None:
    assert client.get("/api/v1/segments/seg-0003").json()["name"] == "Old town lane"
    missing = client.get("/api/v1/segments/seg-9999")
    assert missing.status_code == 404


def test_features_come_from_the_feature_store(client: TestClient) -> None:
    body = client.get("/api/v1/segments/seg-0001/features").json()
    assert body["features"]["speed_kmh"] == 41.5
    assert body["observed_at"]["speed_kmh"] == "2026-11-23T08:15:00+01:00"
    assert client.get("/api/v1/segments/seg-0003/features").status_code == 404  # known segment, no item


def test_forecast_comes_from_the_inference_service(client: TestClient) -> None:
    response = client.get("/api/v1/segments/seg-0001/forecast")
    assert response.status_code == 200, response.text
    forecast = response.json()
    assert forecast["model_version"] == "1.0.0"
    assert forecast["horizon_minutes"] == 15
    assert 0 < forecast["speed_kmh"] <= 70.0 * 1.25
    assert forecast["congestion"] in {"free_flow", "moderate", "heavy", "severe"}


def test_forecast_without_the_features_it_needs_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/segments/seg-0002/forecast")
    assert response.status_code == 404
    assert "speed_prev_kmh" in response.json()["detail"]


def test_forecast_is_503_when_the_inference_service_fails(city: Settings, aws_session: boto3.session.Session) -> None:
    settings = unreachable_inference(city, free_port())
    with TestClient(create_app(settings, aws=aws_session)) as offline:
        response = offline.get("/api/v1/segments/seg-0001/forecast")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "inference service unreachable" in response.json()["detail"]
        metrics = offline.get("/metrics").text
    assert 'citysense_api_upstream_failures_total{upstream="inference"} 1.0' in metrics


def test_incidents_are_stored_and_listed_newest_first(client: TestClient) -> None:
    created = client.post("/api/v1/incidents", json=INCIDENT)
    assert created.status_code == 201, created.text
    later = client.post("/api/v1/incidents", json={**INCIDENT, "started_at": "2026-11-23T09:00:00+01:00"}).json()
    listed = client.get("/api/v1/incidents", params={"segment_id": "seg-0001", "status": "open"}).json()["incidents"]
    assert [i["id"] for i in listed][:2] == [later["id"], created.json()["id"]]
    assert listed[0]["status"] == "open"
    assert client.get("/api/v1/incidents", params={"status": "resolved"}).json()["incidents"] == []


def test_an_incident_on_an_unknown_segment_is_404(client: TestClient) -> None:
    assert client.post("/api/v1/incidents", json={**INCIDENT, "segment_id": "seg-9999"}).status_code == 404


def test_a_report_lands_in_the_raw_bucket_and_on_the_stream(
    client: TestClient, city: Settings, aws_session: boto3.session.Session
) -> None:
    response = client.post("/api/v1/reports", json=REPORT)
    assert response.status_code == 202, response.text
    accepted = response.json()
    s3 = aws_session.client("s3", endpoint_url=city.aws_endpoint_url)
    stored = json.loads(s3.get_object(Bucket=city.raw_bucket, Key=accepted["object_key"])["Body"].read())
    assert stored["report_id"] == accepted["report_id"] and stored["description"] == "oil on the road"
    kinesis = aws_session.client("kinesis", endpoint_url=city.aws_endpoint_url)
    shard = kinesis.list_shards(StreamName=city.sensor_stream)["Shards"][0]["ShardId"]
    iterator = kinesis.get_shard_iterator(
        StreamName=city.sensor_stream,
        ShardId=shard,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        StartingSequenceNumber=accepted["sequence_number"],
    )["ShardIterator"]
    record = kinesis.get_records(ShardIterator=iterator, Limit=1)["Records"][0]
    assert json.loads(record["Data"]) == {
        "type": "user_report",
        "report_id": accepted["report_id"],
        "segment_id": "seg-0002",
        "object_key": accepted["object_key"],
    }


def test_a_store_failure_is_503_naming_it(city: Settings, aws_session: boto3.session.Session) -> None:
    from dataclasses import replace

    with TestClient(create_app(replace(city, raw_bucket=f"{city.raw_bucket}-absent"), aws=aws_session)) as app:
        response = app.post("/api/v1/reports", json=REPORT)
    assert response.status_code == 503
    assert response.json()["detail"] == "raw bucket unavailable (NoSuchBucket)"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/incidents", {**INCIDENT, "severity": 0}, "body.severity"),
        ("/api/v1/incidents", {**INCIDENT, "severity": 6}, "body.severity"),
        ("/api/v1/incidents", {**INCIDENT, "kind": "alien landing"}, "body.kind"),
        ("/api/v1/incidents", {**INCIDENT, "description": ""}, "body.description"),
        ("/api/v1/incidents", {**INCIDENT, "description": "x" * 501}, "body.description"),
        ("/api/v1/incidents", {**INCIDENT, "started_at": "2026-11-23T08:05:00"}, "body.started_at"),
        ("/api/v1/incidents", {**INCIDENT, "segment_id": "../etc/passwd"}, "body.segment_id"),
        ("/api/v1/incidents", {**INCIDENT, "status": "resolved"}, "body.status"),
        ("/api/v1/reports", {**REPORT, "extra": 1}, "body.extra"),
        ("/api/v1/reports", {**REPORT, "kind": "ufo"}, "body.kind"),
        ("/api/v1/reports", {k: v for k, v in REPORT.items() if k != "observed_at"}, "body.observed_at"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field(
    client: TestClient, path: str, body: dict[str, Any], field: str
) -> None:
    response = client.post(path, json=body)
    assert response.status_code == 422
    errors = response.json()["detail"]
    assert field in [e["loc"] for e in errors]
    assert "input" not in errors[0]  # the rejected value is never echoed


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/segments?limit=0", "query.limit"),
        ("/api/v1/segments?limit=501", "query.limit"),
        ("/api/v1/segments?offset=-1", "query.offset"),
        ("/api/v1/incidents?status=closed", "query.status"),
        ("/api/v1/segments/seg%20x", "path.segment_id"),
    ],
)
def test_invalid_queries_and_paths_are_422(client: TestClient, url: str, field: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert field in [e["loc"] for e in response.json()["detail"]]


def test_probes_metrics_and_security_headers(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    client.get("/api/v1/segments/seg-0003")
    metrics = client.get("/metrics")
    assert 'route="/api/v1/segments/{segment_id}"' in metrics.text  # the template, never the id
    assert "seg-0003" not in metrics.text
    assert "default-src 'none'" in metrics.headers["content-security-policy"]
    assert metrics.headers["x-content-type-options"] == "nosniff"


def test_readiness_fails_while_the_database_is_unreachable(city: Settings, aws_session: boto3.session.Session) -> None:
    from dataclasses import replace

    settings = replace(city, database=replace(city.database, port=free_port()))
    with TestClient(create_app(settings, aws=aws_session)) as app:
        assert app.get("/healthz").status_code == 200
        assert app.get("/readyz").status_code == 503
        response = app.get("/api/v1/segments")
    assert response.status_code == 503
    assert response.json() == {"detail": "database unavailable"}
