"""The model registry's layout on the models bucket, and resolving the version in production.

    registry/<model>/versions/<N>/model.json       the artifact (`model.ModelArtifact` as JSON)
    registry/<model>/versions/<N>/metrics.json     its evaluation: MAE/RMSE against the naive baselines
    registry/<model>/versions/<N>/manifest.json    {version, artifact_version, sha256, bytes, registered_at, metrics, data}
    registry/<model>/stages/production.json        {version, sha256, artifact_key, promoted_at}: the served version

Versions are integers, written once and never overwritten. Only an explicit promotion moves a stage;
the service loads what `production.json` names and refuses an artifact whose sha256 differs from it.
"""

from __future__ import annotations

import json
from typing import Any

MODEL_NAME = "citysense-speed"
ROOT = "registry"


def version_prefix(version: int, model: str = MODEL_NAME) -> str:
    return f"{ROOT}/{model}/versions/{version}/"


def stage_key(stage: str, model: str = MODEL_NAME) -> str:
    return f"{ROOT}/{model}/stages/{stage}.json"


def artifact_version(version: int) -> str:
    """The artifact's semantic version for registry version N: format 1, release N."""
    return f"1.{version}.0"


def production(s3: Any, bucket: str, model: str = MODEL_NAME) -> tuple[str, str] | None:
    """(s3 URI of the production artifact, its pinned sha256), or None when nothing was promoted yet."""
    try:
        body = s3.get_object(Bucket=bucket, Key=stage_key("production", model))["Body"].read()
    except s3.exceptions.NoSuchKey:
        return None
    stage = json.loads(body)
    return f"s3://{bucket}/{stage['artifact_key']}", str(stage["sha256"])
