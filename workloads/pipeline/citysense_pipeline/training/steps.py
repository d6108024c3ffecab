"""The training steps: read the lake's training rows, fit, evaluate against the baselines and production, register.

Fitting and evaluation are `citysense_inference.train`'s own (ridge over `features.feature_row`,
evaluated through the serving path), so a model registered here is exactly what the service runs.
"""

from __future__ import annotations

import io
import math
from typing import Any

import pandas as pd
from citysense_inference import feature_store
from citysense_inference.model import ModelArtifact, SpeedModel
from citysense_inference.registry import artifact_version
from citysense_inference.train import REQUIRED_IMPROVEMENT, evaluate, fit, served_ratios

from citysense_pipeline import lake, registry
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources
from citysense_pipeline.features import as_dataset

TRAINING_PREFIX = "training/"
TEST_SHARE = 0.25  # the last quarter of the days tests, at least one day


def load_rows(resources: Resources) -> tuple[pd.DataFrame, list[str]]:
    """Every interval's training rows from the processed zone, one row per (segment, time)."""
    s3 = client(resources, "s3")
    keys = [k for k in lake.list_keys(s3, resources.processed_bucket, TRAINING_PREFIX) if k.endswith(".parquet")]
    if not keys:
        raise ValueError(f"no training rows under s3://{resources.processed_bucket}/{TRAINING_PREFIX}")
    frames = [lake.get_parquet(s3, resources.processed_bucket, key) for key in keys]
    rows = pd.concat(frames, ignore_index=True).drop_duplicates(["segment_id", "observed_at"])
    return rows.sort_values(["observed_at", "segment_id"]).reset_index(drop=True), keys


def to_parquet(rows: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    rows.to_parquet(buffer, index=False)
    return buffer.getvalue()


def split(rows: pd.DataFrame) -> tuple[Any, Any]:
    """In time, never at random: the model forecasts the future."""
    data = as_dataset(rows)
    days = int(data.day_index.max()) + 1
    if days < 2:
        raise ValueError(f"training needs at least 2 days of rows, the lake holds {days}")
    first_test_day = days - max(1, round(days * TEST_SHARE))
    in_train = data.day_index < first_test_day
    return data.select(in_train), data.select(~in_train)


def train(rows: pd.DataFrame, version: int) -> ModelArtifact:
    train_set, _ = split(rows)
    artifact = fit(train_set, artifact_version(version))
    span = rows["observed_at"]
    training = {
        **{k: v for k, v in artifact.training.items() if k in ("algorithm", "alpha", "scikit_learn")},
        "rows": len(train_set),
        "segments": int(rows["segment_id"].nunique()),
        "data_from": span.min().isoformat(),
        "data_to": span.max().isoformat(),
    }
    return artifact.model_copy(update={"training": training})


def evaluate_candidate(rows: pd.DataFrame, artifact: ModelArtifact, production: ModelArtifact | None) -> dict[str, Any]:
    """The trainer's metrics, plus the production model's MAE on the same test rows when one serves."""
    train_set, test_set = split(rows)
    metrics = evaluate(artifact, train_set, test_set)
    metrics["test_days"] = len(set(test_set.day_index.tolist()))
    if production is not None:
        errors = served_ratios(production, test_set) * test_set.free_flow_kmh - test_set.target_speed_kmh
        metrics["mae_kmh"]["production"] = round(float(abs(errors).mean()), 4)
        metrics["production_version"] = production.version
    metrics["beats_baseline"] = metrics["improvement_over_best_baseline"] >= REQUIRED_IMPROVEMENT
    metrics["beats_production"] = production is None or metrics["mae_kmh"]["model"] < metrics["mae_kmh"]["production"]
    metrics["register"] = bool(metrics["beats_baseline"] and metrics["beats_production"])
    return metrics


def production_artifact(resources: Resources) -> ModelArtifact | None:
    version = registry.production_version(resources)
    if version is None:
        return None
    document = registry.manifest(resources, version)
    body = (
        client(resources, "s3").get_object(Bucket=resources.models_bucket, Key=document["artifact_key"])["Body"].read()
    )
    return ModelArtifact.model_validate_json(body)


def serving_check(resources: Resources, artifact: ModelArtifact, segments: list[str]) -> int:
    """Predict from the feature store's current features for each segment: the candidate must serve them."""
    dynamodb, model, served = client(resources, "dynamodb"), SpeedModel(artifact), 0
    for segment in segments:
        found = feature_store.read(dynamodb, resources.feature_table, segment)
        if found is None:
            continue
        moment, measured = found
        ratio = model.predict_ratio(moment.hour * 60 + moment.minute, moment.weekday() >= 5, measured)
        if not math.isfinite(ratio):
            raise ValueError(f"model {artifact.version} predicts {ratio} for {segment}'s stored features")
        served += 1
    return served


def next_version(resources: Resources) -> int:
    return max(registry.versions(resources), default=0) + 1
