"""Register trained models in the S3 registry and promote a version to production (an explicit step).

The layout is `citysense_inference.registry`'s, which the service reads; this module is the only writer.
A version's manifest is written last and only if absent (`If-None-Match: *`), so two trainings can
never claim the same number and a version's files never change once registered.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from typing import Any

from citysense_inference import registry as layout
from citysense_inference.model import ModelArtifact

from citysense_pipeline import lake
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources

_VERSION = re.compile(r"/versions/(\d+)/manifest\.json$")


class RegistryError(Exception):
    """The registry refused the operation (unknown version, concurrent registration, tampered artifact)."""


def versions(resources: Resources, model: str = layout.MODEL_NAME) -> list[int]:
    keys = lake.list_keys(client(resources, "s3"), resources.models_bucket, f"{layout.ROOT}/{model}/versions/")
    return sorted(int(m.group(1)) for key in keys if (m := _VERSION.search(key)))


def manifest(resources: Resources, version: int, model: str = layout.MODEL_NAME) -> dict[str, Any]:
    s3 = client(resources, "s3")
    try:
        return dict(lake.get_json(s3, resources.models_bucket, layout.version_prefix(version, model) + "manifest.json"))
    except s3.exceptions.NoSuchKey:
        raise RegistryError(f"model {model} has no version {version}") from None


def production_version(resources: Resources, model: str = layout.MODEL_NAME) -> int | None:
    s3 = client(resources, "s3")
    try:
        return int(lake.get_json(s3, resources.models_bucket, layout.stage_key("production", model))["version"])
    except s3.exceptions.NoSuchKey:
        return None


def register(resources: Resources, artifact_json: bytes, metrics: dict[str, Any], data: list[str]) -> dict[str, Any]:
    """Store a new version (artifact, metrics, manifest with its sha256); returns the manifest."""
    artifact = ModelArtifact.model_validate_json(artifact_json)
    version = max(versions(resources, artifact.name), default=0) + 1
    if artifact.version != layout.artifact_version(version):
        raise RegistryError(
            f"artifact version {artifact.version} is not {layout.artifact_version(version)} (registry version {version})"
        )
    s3, bucket = client(resources, "s3"), resources.models_bucket
    prefix = layout.version_prefix(version, artifact.name)
    s3.put_object(Bucket=bucket, Key=prefix + "model.json", Body=artifact_json)
    lake.put_json(s3, bucket, prefix + "metrics.json", metrics)
    document = {
        "model": artifact.name,
        "version": version,
        "artifact_version": artifact.version,
        "artifact_key": prefix + "model.json",
        "sha256": hashlib.sha256(artifact_json).hexdigest(),
        "bytes": len(artifact_json),
        "registered_at": datetime.now(UTC).isoformat(),
        "metrics": {
            "mae_kmh": metrics["mae_kmh"],
            "improvement_over_best_baseline": metrics["improvement_over_best_baseline"],
        },
        "data": data,
    }
    try:
        s3.put_object(
            Bucket=bucket, Key=prefix + "manifest.json", Body=json.dumps(document, indent=2).encode(), IfNoneMatch="*"
        )
    except s3.exceptions.ClientError as exc:
        raise RegistryError(f"version {version} was registered concurrently: {exc}") from None
    return document


def promote(resources: Resources, version: int, model: str = layout.MODEL_NAME) -> dict[str, Any]:
    """Point the production stage at `version`, after checking its artifact against the manifest's sha256."""
    document = manifest(resources, version, model)
    s3, bucket = client(resources, "s3"), resources.models_bucket
    body = s3.get_object(Bucket=bucket, Key=document["artifact_key"])["Body"].read()
    if hashlib.sha256(body).hexdigest() != document["sha256"]:
        raise RegistryError(f"version {version}'s artifact does not match its manifest's sha256: not promoted")
    stage = {
        "version": version,
        "artifact_key": document["artifact_key"],
        "sha256": document["sha256"],
        "promoted_at": datetime.now(UTC).isoformat(),
        "previous": production_version(resources, model),
    }
    lake.put_json(s3, bucket, layout.stage_key("production", model), stage)
    return stage
