"""Forecasts by segment id from the DynamoDB feature store, and the model loaded from the registry's production stage."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import boto3
import pytest
from citysense_inference import feature_store, registry
from citysense_inference.app import create_app
from citysense_inference.model import ModelLoadError
from citysense_inference.settings import DEFAULT_MODEL_URI, Settings
from fastapi.testclient import TestClient
from moto import mock_aws

TABLE, BUCKET = "features", "models"
OBSERVED = datetime(2026, 11, 23, 8, 15, tzinfo=UTC)
FEATURES = {
    "speed_kmh": 38.5,
    "speed_prev_kmh": 44.0,
    "volume_vph": 1650.0,
    "temperature_c": 7.5,
    "free_flow_kmh": 50.0,
}


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A feature table with one segment and a registry whose production stage is the committed artifact."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with mock_aws():
        dynamodb = boto3.client("dynamodb")
        dynamodb.create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": "entity_id", "KeyType": "HASH"},
                {"AttributeName": "feature_name", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("entity_id", "feature_name")],
        )
        for name, value in FEATURES.items():
            dynamodb.put_item(TableName=TABLE, Item=feature_store.item("seg-0042", name, value, OBSERVED))
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket=BUCKET)
        body = Path(DEFAULT_MODEL_URI).read_bytes()
        key = registry.version_prefix(1) + "model.json"
        s3.put_object(Bucket=BUCKET, Key=key, Body=body)
        stage = {"version": 1, "artifact_key": key, "sha256": hashlib.sha256(body).hexdigest()}
        s3.put_object(Bucket=BUCKET, Key=registry.stage_key("production"), Body=json.dumps(stage).encode())
        yield


def _service(**settings: str) -> TestClient:
    return TestClient(create_app(Settings(**settings)))  # type: ignore[arg-type]


@pytest.mark.usefixtures("aws")
def test_forecast_from_the_store_with_the_production_model() -> None:
    with _service(model_registry=f"s3://{BUCKET}", feature_table=TABLE) as service:
        answer = service.get("/v1/segments/seg-0042/prediction")
        assert answer.status_code == 200
        body = answer.json()
        assert body["model_version"] == "1.0.0"
        assert body["observed_at"] == "2026-11-23T08:15:00Z"
        # The same reading sent in full gives the same forecast: the store feeds the same model path.
        reading = {"segment_id": "seg-0042", "timestamp": OBSERVED.isoformat(), "rain_mm_h": 0.0, **FEATURES}
        assert service.post("/v1/predict", json=reading).json()["prediction"] == body["prediction"]


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("segment", "table", "status"),
    [("seg-9999", TABLE, 404), ("bad..id!", TABLE, 422), ("seg-0042", None, 503), ("seg-0042", "absent", 503)],
)
def test_no_features_is_a_documented_status(segment: str, table: str | None, status: int) -> None:
    settings = {"feature_table": table} if table else {}
    with _service(**settings) as service:
        assert service.get(f"/v1/segments/{segment}/prediction").status_code == status


@pytest.mark.usefixtures("aws")
def test_a_production_stage_with_another_digest_is_refused() -> None:
    s3 = boto3.client("s3")
    stage = json.loads(s3.get_object(Bucket=BUCKET, Key=registry.stage_key("production"))["Body"].read())
    stage["sha256"] = "0" * 64
    s3.put_object(Bucket=BUCKET, Key=registry.stage_key("production"), Body=json.dumps(stage).encode())
    with pytest.raises(ModelLoadError, match="does not match"), _service(model_registry=f"s3://{BUCKET}"):
        pass


@pytest.mark.usefixtures("aws")
def test_a_registry_without_production_is_refused() -> None:
    boto3.client("s3").delete_object(Bucket=BUCKET, Key=registry.stage_key("production"))
    with pytest.raises(ModelLoadError, match="no production version"), _service(model_registry=f"s3://{BUCKET}"):
        pass
