"""Training is reproducible, the committed artifact is what training produces, and it beats baselines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from citysense_inference import train as training
from citysense_inference.data import generate
from citysense_inference.model import ModelArtifact
from citysense_inference.settings import DEFAULT_MODEL_URI
from citysense_inference.train import REQUIRED_IMPROVEMENT, train

COMMITTED = Path(DEFAULT_MODEL_URI)


@pytest.fixture(scope="module")
def trained() -> tuple[ModelArtifact, dict[str, Any]]:
    return train("1.0.0")


def test_data_set_is_deterministic() -> None:
    first, second = generate(segments=3, days=2, seed=7), generate(segments=3, days=2, seed=7)
    assert np.array_equal(first.target_speed_kmh, second.target_speed_kmh)
    assert not np.array_equal(first.target_speed_kmh, generate(segments=3, days=2, seed=8).target_speed_kmh)


def test_data_set_is_plausible() -> None:
    data = generate(segments=5, days=7)
    assert (data.speed_kmh > 0).all()
    assert (data.speed_kmh <= data.free_flow_kmh * 1.2).all()
    assert (data.rain_mm_h > 0).any()
    rush = (data.hour >= 7.5) & (data.hour <= 8.5) & (data.day_of_week < 5)
    night = (data.hour >= 2) & (data.hour <= 4)
    assert (data.speed_kmh / data.free_flow_kmh)[rush].mean() < (data.speed_kmh / data.free_flow_kmh)[night].mean()


def test_model_beats_naive_baselines_by_the_stated_margin(trained: tuple[ModelArtifact, dict[str, Any]]) -> None:
    _, metrics = trained
    mae = metrics["mae_kmh"]
    assert mae["model"] <= (1 - REQUIRED_IMPROVEMENT) * mae["persistence"]
    assert mae["model"] <= (1 - REQUIRED_IMPROVEMENT) * mae["historical_mean"]
    assert metrics["improvement_over_best_baseline"] >= REQUIRED_IMPROVEMENT


def test_committed_artifact_is_regenerable(trained: tuple[ModelArtifact, dict[str, Any]]) -> None:
    artifact, metrics = trained
    committed = ModelArtifact.model_validate_json(COMMITTED.read_text())
    assert committed.feature_names == artifact.feature_names
    np.testing.assert_allclose(committed.coefficients, artifact.coefficients, rtol=1e-6, atol=1e-9)
    assert json.loads(COMMITTED.with_suffix(".metrics.json").read_text()) == metrics


def _stub_training(
    monkeypatch: pytest.MonkeyPatch, trained: tuple[ModelArtifact, dict[str, Any]], improvement: float
) -> None:
    artifact, metrics = trained

    def fake_train(version: str) -> tuple[ModelArtifact, dict[str, Any]]:
        stamped = artifact.model_copy(update={"version": version})
        return stamped, {**metrics, "version": version, "improvement_over_best_baseline": improvement}

    monkeypatch.setattr(training, "train", fake_train)


def test_training_script_writes_artifact_and_metrics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained: tuple[ModelArtifact, dict[str, Any]]
) -> None:
    _stub_training(monkeypatch, trained, improvement=0.2)
    assert training.main(["--out", str(tmp_path), "--version", "9.9.9"]) == 0
    assert ModelArtifact.model_validate_json((tmp_path / "citysense-speed-9.9.9.json").read_text()).version == "9.9.9"
    assert json.loads((tmp_path / "citysense-speed-9.9.9.metrics.json").read_text())["version"] == "9.9.9"


def test_training_script_fails_a_model_that_does_not_beat_the_baselines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trained: tuple[ModelArtifact, dict[str, Any]]
) -> None:
    _stub_training(monkeypatch, trained, improvement=REQUIRED_IMPROVEMENT - 0.01)
    assert training.main(["--out", str(tmp_path)]) == 1
