"""Fixtures for the data pipeline: its packages on sys.path, simulated batches on the session's moto server.

Airflow and kfp live in `.venv-airflow` (they pin their own stacks): the DAG and the training pipeline
run there as child processes (`citysense_pipeline.demo.run_module`), against the same moto server.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from citygate.paths import WORKLOADS

sys.path.insert(0, str(WORKLOADS / "inference"))
sys.path.insert(0, str(WORKLOADS / "pipeline"))

from citysense_pipeline.aws import ensure_resources
from citysense_pipeline.config import Resources
from citysense_pipeline.demo import airflow_python
from citysense_pipeline.simulate import Simulation, simulate


def batch(endpoint: str, env: str, **options: int | bool) -> tuple[Resources, Simulation]:
    """Fresh resources named for `env` (so test modules never share data) and one simulated delivery."""
    resources = Resources.for_env(env, endpoint)
    ensure_resources(resources)
    return resources, simulate(resources, **options)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def airflow_venv() -> Path:
    """The Airflow venv's interpreter; `make deps` builds it, so its absence is a broken setup, not a skip."""
    python = airflow_python()
    if not python.exists():
        pytest.fail(f"{python} not found: run `make deps` (target .venv-airflow/.installed)")
    return python


@pytest.fixture(scope="session")
def airflow_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One Airflow metadata database for the session (migrated by the first DAG run)."""
    return tmp_path_factory.mktemp("airflow-home")
