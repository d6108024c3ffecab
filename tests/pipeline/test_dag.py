"""The Airflow DAG: its structure and trigger, and full `dag.test()` runs (in the Airflow venv) on the embedded AWS."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from citysense_pipeline import lake
from citysense_pipeline.aws import client
from citysense_pipeline.demo import run_dag, run_module
from citysense_pipeline.warehouse import SqliteWarehouse

from tests.pipeline.conftest import batch

ORDER = ["interval", "extract", "transform", "quality", "load", "features", "publish_features"]


@pytest.mark.usefixtures("airflow_venv")
def test_structure_and_trigger(moto_endpoint: str, airflow_home: Path) -> None:
    resources, _ = batch(moto_endpoint, "ptest-dag-shape", segments=1, days=1)
    shape = run_module("citysense_pipeline.dags.run", ["--describe", "--airflow-home", str(airflow_home)], resources)
    assert shape["order"] == ORDER
    for upstream, task in itertools.pairwise(ORDER):
        assert upstream in shape["upstream"][task]  # a chain: nothing runs before the step it needs
    assert shape["triggers"] == [f"s3://{resources.raw_bucket}/sensors"]  # new raw data starts a run
    assert shape["outlets"]["load"] == [f"s3://{resources.processed_bucket}/readings"]
    assert shape["params"] == ["interval_end", "interval_start"]


@pytest.mark.usefixtures("airflow_venv")
def test_a_full_run_loads_lake_store_and_warehouse(moto_endpoint: str, airflow_home: Path, tmp_path: Path) -> None:
    resources, sim = batch(moto_endpoint, "ptest-dag-good", segments=3, days=1)
    outcome = run_dag(resources, sim, airflow_home, f"sqlite:///{tmp_path / 'warehouse.db'}")
    assert outcome["state"] == "success", outcome
    assert set(outcome["tasks"].values()) == {"success"}
    interval = lake.interval_id(sim.start, sim.end)
    keys = lake.list_keys(client(resources, "s3"), resources.processed_bucket, "")
    assert f"readings/interval={interval}/readings.parquet" in keys
    assert f"features/interval={interval}/online.parquet" in keys
    assert client(resources, "dynamodb").scan(TableName=resources.feature_table, Select="COUNT")["Count"] == 3 * 6
    assert SqliteWarehouse(tmp_path / "warehouse.db").count(interval) == 3 * 24


@pytest.mark.usefixtures("airflow_venv")
def test_a_bad_batch_fails_the_run_at_quality(moto_endpoint: str, airflow_home: Path) -> None:
    resources, sim = batch(moto_endpoint, "ptest-dag-bad", segments=3, days=1, corrupt=True)
    outcome = run_dag(resources, sim, airflow_home)
    assert outcome["state"] == "failed"
    assert outcome["exit_code"] == 1
    assert outcome["tasks"]["quality"] == "failed"
    assert outcome["tasks"]["load"] in ("upstream_failed", "None")
    s3 = client(resources, "s3")
    assert lake.list_keys(s3, resources.raw_bucket, "quarantine/")
    assert lake.list_keys(s3, resources.processed_bucket, "readings/") == []
    assert client(resources, "dynamodb").scan(TableName=resources.feature_table, Select="COUNT")["Count"] == 0
