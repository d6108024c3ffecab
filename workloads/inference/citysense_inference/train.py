"""Train the speed model on the synthetic data set and write the versioned artifact and its metrics.

    python -m citysense_inference.train --out model/ --version 1.0.0

The split is in time (first weeks train, last week tests), as the model will forecast the future.
Training fails (exit 1) unless the model beats the best naive baseline by REQUIRED_IMPROVEMENT.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import sklearn
from sklearn.linear_model import Ridge

from citysense_inference import HORIZON_MINUTES
from citysense_inference.data import SensorDataset, generate
from citysense_inference.features import FEATURE_NAMES, Measurements, feature_row
from citysense_inference.model import ARTIFACT_FORMAT, ModelArtifact, SpeedModel

MODEL_NAME = "citysense-speed"
REQUIRED_IMPROVEMENT = 0.15  # model MAE at least 15 % below the best naive baseline
SEGMENTS, DAYS, TRAIN_DAYS, SEED = 40, 28, 21, 20261127
RIDGE_ALPHA = 1.0
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "model"


def measurements(data: SensorDataset) -> list[Measurements]:
    columns = (
        data.speed_kmh,
        data.speed_prev_kmh,
        data.volume_vph,
        data.rain_mm_h,
        data.temperature_c,
        data.free_flow_kmh,
    )
    return [Measurements(*row) for row in zip(*(column.tolist() for column in columns), strict=True)]


def dataset_design(data: SensorDataset) -> np.ndarray:
    """The data set through the serving feature code, row by row (a few seconds, and no skew)."""
    rows = zip(data.hour.tolist(), data.day_of_week.tolist(), measurements(data), strict=True)
    return np.array([feature_row(*row) for row in rows])


def fit(train: SensorDataset, version: str) -> ModelArtifact:
    regression = Ridge(alpha=RIDGE_ALPHA).fit(dataset_design(train), train.target_speed_kmh / train.free_flow_kmh)
    return ModelArtifact(
        format=ARTIFACT_FORMAT,
        name=MODEL_NAME,
        version=version,
        horizon_minutes=HORIZON_MINUTES,
        feature_names=FEATURE_NAMES,
        coefficients=tuple(float(c) for c in regression.coef_),
        intercept=float(regression.intercept_),
        training={
            "algorithm": "ridge",
            "alpha": RIDGE_ALPHA,
            "seed": SEED,
            "segments": SEGMENTS,
            "days": DAYS,
            "train_days": TRAIN_DAYS,
            "rows": len(train),
            "scikit_learn": sklearn.__version__,
        },
    )


def _historical_mean(train: SensorDataset, test: SensorDataset) -> np.ndarray:
    """Baseline: the training mean of the target for the same segment, hour and weekday/weekend."""

    def key(data: SensorDataset) -> np.ndarray:
        return (data.segment * 24 + data.hour.astype(int)) * 2 + (data.day_of_week >= 5)

    train_key, test_key = key(train), key(test)
    sums = np.bincount(train_key, weights=train.target_speed_kmh, minlength=test_key.max() + 1)
    counts = np.bincount(train_key, minlength=test_key.max() + 1)
    return sums[test_key] / np.maximum(counts[test_key], 1)


def served_ratios(artifact: ModelArtifact, data: SensorDataset) -> np.ndarray:
    """What the service answers for each reading: evaluation goes through the serving path itself."""
    model = SpeedModel(artifact)
    minutes, weekends = np.rint(data.hour * 60).astype(int).tolist(), (data.day_of_week >= 5).tolist()
    rows = zip(minutes, weekends, measurements(data), strict=True)
    return np.array([model.predict_ratio(*row) for row in rows])


def evaluate(artifact: ModelArtifact, train: SensorDataset, test: SensorDataset) -> dict[str, Any]:
    predictions = {
        "model": served_ratios(artifact, test) * test.free_flow_kmh,
        "persistence": test.speed_kmh,
        "historical_mean": _historical_mean(train, test),
    }
    errors = {name: values - test.target_speed_kmh for name, values in predictions.items()}
    mae = {name: round(float(np.abs(e).mean()), 4) for name, e in errors.items()}
    rmse = {name: round(float(np.sqrt((e**2).mean())), 4) for name, e in errors.items()}
    best_baseline = min(mae["persistence"], mae["historical_mean"])
    return {
        "model": artifact.name,
        "version": artifact.version,
        "horizon_minutes": HORIZON_MINUTES,
        "test_rows": len(test),
        "test_days": DAYS - TRAIN_DAYS,
        "mae_kmh": mae,
        "rmse_kmh": rmse,
        "improvement_over_best_baseline": round(1.0 - mae["model"] / best_baseline, 4),
        "required_improvement": REQUIRED_IMPROVEMENT,
    }


def train(version: str) -> tuple[ModelArtifact, dict[str, Any]]:
    data = generate(segments=SEGMENTS, days=DAYS, seed=SEED)
    in_train = data.day_index < TRAIN_DAYS
    train_set, test_set = data.select(in_train), data.select(~in_train)
    artifact = fit(train_set, version)
    return artifact, evaluate(artifact, train_set, test_set)


def artifact_path(out: Path, version: str) -> Path:
    return out / f"{MODEL_NAME}-{version}.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="directory for the artifact and metrics")
    parser.add_argument("--version", default="1.0.0", help="semantic version of the artifact")
    args = parser.parse_args(argv)

    artifact, metrics = train(args.version)
    args.out.mkdir(parents=True, exist_ok=True)
    model_file = artifact_path(args.out, args.version)
    model_file.write_text(artifact.model_dump_json(indent=2) + "\n")
    metrics_file = model_file.with_suffix(".metrics.json")
    metrics_file.write_text(json.dumps(metrics, indent=2) + "\n")
    print(f"wrote {model_file} and {metrics_file}: MAE {metrics['mae_kmh']}")
    if metrics["improvement_over_best_baseline"] < REQUIRED_IMPROVEMENT:
        print(f"model does not beat the best baseline by {REQUIRED_IMPROVEMENT:.0%}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
