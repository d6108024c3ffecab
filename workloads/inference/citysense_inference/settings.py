"""Service settings from the environment (12-factor), with safe defaults for a local run."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MODEL_URI = str(Path(__file__).resolve().parent.parent / "model" / "citysense-speed-1.0.0.json")


@dataclass(frozen=True)
class Settings:
    model_uri: str = DEFAULT_MODEL_URI  # a path or s3://bucket/key
    model_sha256: str | None = None  # pin the artifact's digest to refuse a tampered one
    max_body_bytes: int = 64 * 1024  # a full batch of readings is about 30 KiB
    model_registry: str | None = None  # s3://bucket: serve the registry's production version (overrides model_uri)
    feature_table: str | None = None  # the DynamoDB feature store, for predictions by segment id

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            model_uri=os.environ.get("CITYSENSE_MODEL_URI", DEFAULT_MODEL_URI),
            model_sha256=os.environ.get("CITYSENSE_MODEL_SHA256") or None,
            max_body_bytes=int(os.environ.get("CITYSENSE_MAX_BODY_BYTES", str(cls.max_body_bytes))),
            model_registry=os.environ.get("CITYSENSE_MODEL_REGISTRY") or None,
            feature_table=os.environ.get("CITYSENSE_FEATURE_TABLE") or None,
        )
