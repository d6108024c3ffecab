"""The model artifact: loading from disk or S3, refusing bad or tampered artifacts, sane predictions."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import operator
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from citysense_inference.app import create_app
from citysense_inference.features import LinearForm, Measurements, feature_row, hour_of
from citysense_inference.model import Congestion, ModelArtifact, ModelLoadError, congestion_level, load_model
from citysense_inference.predictor import predict_one
from citysense_inference.schemas import SensorReading
from citysense_inference.settings import DEFAULT_MODEL_URI, Settings
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws

Reading = Callable[..., dict[str, Any]]
ARTIFACT = Path(DEFAULT_MODEL_URI)


def test_committed_artifact_is_small_and_loads() -> None:
    assert ARTIFACT.stat().st_size < 1_000_000
    assert load_model(str(ARTIFACT)).version == "1.0.0"


def test_pinned_digest_is_checked() -> None:
    digest = hashlib.sha256(ARTIFACT.read_bytes()).hexdigest()
    assert load_model(str(ARTIFACT), expected_sha256=digest).version == "1.0.0"
    with pytest.raises(ModelLoadError, match="does not match"):
        load_model(str(ARTIFACT), expected_sha256="0" * 64)


def _tampered(tmp_path: Path, **changes: Any) -> str:
    document = json.loads(ARTIFACT.read_text())
    document.update(changes)
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document))
    return str(path)


@pytest.mark.parametrize(
    "changes",
    [
        {"feature_names": ["speed_ratio"]},
        {"coefficients": [1.0, 2.0]},
        {"format": "pickle"},
        {"horizon_minutes": 60},
        {"extra": True},
    ],
)
def test_incompatible_artifacts_are_refused(tmp_path: Path, changes: dict[str, Any]) -> None:
    with pytest.raises(ModelLoadError, match="not a valid model artifact"):
        load_model(_tampered(tmp_path, **changes))


def test_missing_artifact_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="cannot read"):
        load_model(str(tmp_path / "absent.json"))


def test_loads_from_s3() -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="eu-central-1")
        s3.create_bucket(Bucket="models", CreateBucketConfiguration={"LocationConstraint": "eu-central-1"})
        s3.put_object(Bucket="models", Key="citysense/1.0.0.json", Body=ARTIFACT.read_bytes())
        assert load_model("s3://models/citysense/1.0.0.json").version == "1.0.0"
        with pytest.raises(ModelLoadError, match="cannot read"):
            load_model("s3://models/citysense/absent.json")


@pytest.mark.parametrize("uri", ["s3://", "s3://bucket-only"])
def test_bad_s3_uri_is_refused(uri: str) -> None:
    with pytest.raises(ModelLoadError, match="bad S3 URI"):
        load_model(uri)


def test_service_refuses_to_start_without_a_valid_model(tmp_path: Path) -> None:
    app = create_app(Settings(model_uri=str(tmp_path / "absent.json")))
    with pytest.raises(ModelLoadError), TestClient(app):
        pass


@pytest.mark.parametrize(
    ("ratio", "level"),
    [(1.0, Congestion.FREE_FLOW), (0.6, Congestion.MODERATE), (0.3, Congestion.HEAVY), (0.1, Congestion.SEVERE)],
)
def test_congestion_bands(ratio: float, level: Congestion) -> None:
    assert congestion_level(ratio) is level


def _speed(reading: Reading, **overrides: Any) -> float:
    model = load_model(str(ARTIFACT))
    return predict_one(model, SensorReading.model_validate(reading(**overrides)))["speed_kmh"]


def test_heavy_rain_predicts_slower_traffic(reading: Reading) -> None:
    assert _speed(reading, rain_mm_h=8.0) < _speed(reading, rain_mm_h=0.0)


def test_slower_now_predicts_slower_later(reading: Reading) -> None:
    assert _speed(reading, speed_kmh=15.0, speed_prev_kmh=15.0) < _speed(reading, speed_kmh=45.0, speed_prev_kmh=45.0)


def test_predictions_stay_physical(reading: Reading) -> None:
    assert 0 < _speed(reading, speed_kmh=0.0, speed_prev_kmh=0.0) <= 50.0 * 1.25
    assert _speed(reading, speed_kmh=200.0, speed_prev_kmh=200.0) <= 50.0 * 1.25


@functools.cache
def _committed_form() -> tuple[ModelArtifact, LinearForm]:
    artifact = load_model(str(ARTIFACT)).artifact
    return artifact, LinearForm(artifact.coefficients, artifact.intercept)


MEASUREMENTS = st.builds(
    Measurements,
    speed_kmh=st.floats(0, 200),
    speed_prev_kmh=st.floats(0, 200),
    volume_vph=st.floats(0, 20_000),
    rain_mm_h=st.one_of(st.just(0.0), st.floats(0, 300)),
    temperature_c=st.floats(-50, 60),
    free_flow_kmh=st.floats(10, 200),
)


@settings(max_examples=300, deadline=None)
@given(minute_of_day=st.integers(0, 24 * 60 - 1), day_of_week=st.integers(0, 6), measured=MEASUREMENTS)
def test_serving_form_equals_the_trained_feature_row(
    minute_of_day: int, day_of_week: int, measured: Measurements
) -> None:
    """The regrouped linear form the service evaluates is the model training fitted on `feature_row`."""
    artifact, form = _committed_form()
    row = feature_row(hour_of(minute_of_day), day_of_week, measured)
    reference = math.fsum(map(operator.mul, artifact.coefficients, row)) + artifact.intercept
    served = form(minute_of_day, day_of_week >= 5, measured)
    assert served == pytest.approx(reference, rel=1e-9, abs=1e-9)
