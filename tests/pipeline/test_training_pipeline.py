"""The Kubeflow training pipeline: the committed spec is current; a model is registered only when it wins.

Runs with kfp's local runner in the Airflow venv (which holds kfp) on two weeks of simulated data,
then the service loads the promoted version from the registry and forecasts from the feature store.
"""

from __future__ import annotations

import hashlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from citysense_pipeline import etl, lake, registry
from citysense_pipeline.__main__ import main as cli
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources
from citysense_pipeline.demo import DAYS, PACKAGES, SEGMENTS, aws_environment, environment, forecast, run_training

from citygate.paths import WORKLOADS
from tests.pipeline.conftest import batch

SPEC = WORKLOADS / "pipeline" / "training" / "pipeline.yaml"  # compiled by citysense_pipeline.training.pipeline


def test_committed_spec_matches_a_fresh_compile(airflow_venv: Path, tmp_path: Path) -> None:
    fresh = tmp_path / "pipeline.yaml"
    env = {"PYTHONPATH": ":".join(map(str, PACKAGES)), "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [str(airflow_venv), "-m", "citysense_pipeline.training.pipeline", str(fresh)], env=env, check=True, timeout=300
    )
    assert fresh.read_text() == SPEC.read_text(), "recompile: python -m citysense_pipeline.training.pipeline"


@pytest.fixture(scope="module")
def trained(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Resources, dict, dict]]:
    """Two weeks through the ETL, then the training pipeline twice, with version 1 promoted in between."""
    resources, sim = batch(moto_endpoint, "ptest-train", segments=SEGMENTS, days=DAYS)
    etl.run_all(resources, etl.Interval(sim.start, sim.end))
    first = run_training(resources, tmp_path_factory.mktemp("kfp-first"))
    if first.get("registered"):
        registry.promote(resources, first["registered"])
    second = run_training(resources, tmp_path_factory.mktemp("kfp-second"))
    yield resources, first, second


@pytest.mark.usefixtures("airflow_venv")
def test_a_model_that_beats_the_baselines_is_registered_not_promoted(trained: tuple[Resources, dict, dict]) -> None:
    resources, first, _ = trained
    assert first["state"] == "success"
    assert first["metrics"]["beats_baseline"] is True
    assert first["registered"] == 1
    document = registry.manifest(resources, 1)
    body = (
        client(resources, "s3").get_object(Bucket=resources.models_bucket, Key=document["artifact_key"])["Body"].read()
    )
    assert hashlib.sha256(body).hexdigest() == document["sha256"]
    assert document["artifact_version"] == "1.1.0"
    assert document["metrics"]["mae_kmh"]["model"] < document["metrics"]["mae_kmh"]["persistence"]


@pytest.mark.usefixtures("airflow_venv")
def test_a_model_no_better_than_production_is_not_registered(trained: tuple[Resources, dict, dict]) -> None:
    resources, _, second = trained
    assert second["state"] == "success"
    assert second["metrics"]["production_version"] == "1.1.0"
    assert second["metrics"]["beats_production"] is False  # same data, same model: a tie does not replace it
    assert second["registered"] is None
    assert registry.versions(resources) == [1]


@pytest.mark.usefixtures("airflow_venv")
def test_the_service_serves_production_from_the_feature_store(trained: tuple[Resources, dict, dict]) -> None:
    resources, _, _ = trained
    answer = forecast(resources, "seg-0001")
    assert answer["status"] == 200
    assert answer["body"]["model_version"] == "1.1.0"
    assert answer["body"]["prediction"]["segment_id"] == "seg-0001"
    assert answer["unknown_segment_status"] == 404


def test_promoting_an_unknown_version_fails_closed(moto_endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    resources = Resources.for_env("ptest-promote", moto_endpoint)
    client(resources, "s3").create_bucket(Bucket=resources.models_bucket)
    with environment(aws_environment(resources)):
        assert cli(["promote", "--version", "7"]) == 2
    assert capsys.readouterr().err.strip() == "error: promote: RegistryError: model citysense-speed has no version 7"
    assert lake.list_keys(client(resources, "s3"), resources.models_bucket, "") == []
