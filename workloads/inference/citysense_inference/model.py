"""The model artifact: a versioned JSON file of linear coefficients over `features.FEATURE_NAMES`.

JSON rather than a pickle: loading an artifact (possibly from S3) can never execute code, the
file diffs readably in review, and serving needs neither scikit-learn nor numpy.
"""

from __future__ import annotations

import hashlib
import math
from enum import StrEnum
from pathlib import Path
from typing import Final, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from citysense_inference.features import FEATURE_NAMES, LinearForm, Measurements

ARTIFACT_FORMAT: Final = "citysense-linear-v1"
MAX_ARTIFACT_BYTES = 1_000_000
MIN_SPEED_RATIO, MAX_SPEED_RATIO = 0.02, 1.25


class ModelLoadError(Exception):
    """The artifact is missing, unreadable, tampered with or incompatible with this code."""


class Congestion(StrEnum):
    FREE_FLOW = "free_flow"
    MODERATE = "moderate"
    HEAVY = "heavy"
    SEVERE = "severe"


def congestion_level(speed_ratio: float) -> Congestion:
    """Bands of speed relative to free flow (as in common level-of-service tables)."""
    if speed_ratio >= 0.75:
        return Congestion.FREE_FLOW
    if speed_ratio >= 0.5:
        return Congestion.MODERATE
    if speed_ratio >= 0.25:
        return Congestion.HEAVY
    return Congestion.SEVERE


class ModelArtifact(BaseModel):
    """What the training script writes and the service loads."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["citysense-linear-v1"]
    name: str
    version: str = Field(pattern=r"^\d+\.\d+\.\d+$")
    horizon_minutes: Literal[15]
    feature_names: tuple[str, ...]
    coefficients: tuple[float, ...]
    intercept: float
    training: dict[str, str | int | float]

    @model_validator(mode="after")
    def _compatible(self) -> ModelArtifact:
        if self.feature_names != FEATURE_NAMES:
            raise ValueError("feature_names differ from this service's features: retrain the model")
        if len(self.coefficients) != len(FEATURE_NAMES):
            raise ValueError(f"expected {len(FEATURE_NAMES)} coefficients, got {len(self.coefficients)}")
        if not all(math.isfinite(c) for c in (*self.coefficients, self.intercept)):
            raise ValueError("coefficients must be finite")
        return self


class SpeedModel:
    """A loaded artifact, ready to predict a speed ratio from one reading."""

    def __init__(self, artifact: ModelArtifact) -> None:
        self.artifact = artifact
        self.version = artifact.version
        self._form = LinearForm(artifact.coefficients, artifact.intercept)

    def predict_ratio(self, minute_of_day: int, weekend: bool, measured: Measurements) -> float:
        """Speed 15 minutes ahead / free-flow speed, clipped to what a road can physically show."""
        ratio = self._form(minute_of_day, weekend, measured)
        return min(MAX_SPEED_RATIO, max(MIN_SPEED_RATIO, ratio))


def _read_s3(uri: str) -> bytes:
    """Fetch s3://bucket/key with the default credential chain (IRSA in the cluster)."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    bucket, _, key = uri.removeprefix("s3://").partition("/")
    if not bucket or not key:
        raise ModelLoadError(f"bad S3 URI {uri!r}: expected s3://bucket/key")
    try:
        body = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"]
        return bytes(body.read(MAX_ARTIFACT_BYTES + 1))
    except (BotoCoreError, ClientError) as exc:
        raise ModelLoadError(f"cannot read {uri}: {exc}") from exc


def _read_file(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_ARTIFACT_BYTES + 1)
    except OSError as exc:
        raise ModelLoadError(f"cannot read {path}: {exc.strerror}") from exc


def load_model(uri: str, expected_sha256: str | None = None) -> SpeedModel:
    """Load from a local path or s3://bucket/key; verify the digest when one is pinned."""
    raw = _read_s3(uri) if uri.startswith("s3://") else _read_file(Path(uri))
    if len(raw) > MAX_ARTIFACT_BYTES:
        raise ModelLoadError(f"{uri} exceeds {MAX_ARTIFACT_BYTES} bytes")
    digest = hashlib.sha256(raw).hexdigest()
    if expected_sha256 and digest != expected_sha256.lower():
        raise ModelLoadError(f"{uri} sha256 {digest} does not match the pinned {expected_sha256}")
    try:
        return SpeedModel(ModelArtifact.model_validate_json(raw))
    except ValidationError as exc:
        raise ModelLoadError(f"{uri} is not a valid model artifact: {exc.errors(include_url=False)[0]['msg']}") from exc
