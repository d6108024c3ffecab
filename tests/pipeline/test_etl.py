"""The ETL steps on the embedded AWS: a bad batch is quarantined with nothing loaded; re-runs are idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from citysense_pipeline import etl, lake
from citysense_pipeline.__main__ import main as cli
from citysense_pipeline.aws import client, ensure_resources
from citysense_pipeline.config import Resources
from citysense_pipeline.demo import aws_environment, environment
from citysense_pipeline.quality import QualityError
from citysense_pipeline.warehouse import SqliteWarehouse

from tests.pipeline.conftest import batch


def _etags(resources: Resources, prefix: str) -> dict[str, str]:
    s3 = client(resources, "s3")
    return {
        key: s3.head_object(Bucket=resources.processed_bucket, Key=key)["ETag"]
        for key in lake.list_keys(s3, resources.processed_bucket, prefix)
    }


def _items(resources: Resources) -> list[dict[str, Any]]:
    return sorted(
        client(resources, "dynamodb").scan(TableName=resources.feature_table)["Items"],
        key=lambda item: (item["entity_id"]["S"], item["feature_name"]["S"]),
    )


def test_a_bad_batch_is_quarantined_and_nothing_is_loaded(moto_endpoint: str) -> None:
    resources, sim = batch(moto_endpoint, "ptest-etl-bad", segments=3, days=1, corrupt=True)
    interval = etl.Interval(sim.start, sim.end)
    etl.run_extract(resources, interval)
    etl.run_transform(resources, interval)
    with pytest.raises(QualityError, match="speed_kmh"):
        etl.run_quality(resources, interval)
    s3 = client(resources, "s3")
    quarantined = lake.list_keys(s3, resources.raw_bucket, f"quarantine/interval={interval.id}/")
    assert [key.rsplit("/", 1)[1] for key in quarantined] == ["clean.parquet", "failures.json"]
    failures = lake.get_json(s3, resources.raw_bucket, quarantined[1])["failures"]
    assert {"column": "speed_kmh", "check": "in_range(0.0, 200.0)", "value": "999.0"} in failures
    for prefix in ("readings/", "training/", "features/"):
        assert _etags(resources, prefix) == {}
    assert _items(resources) == []


def test_a_rerun_of_the_same_interval_writes_the_same_result(moto_endpoint: str, tmp_path: Path) -> None:
    resources, sim = batch(moto_endpoint, "ptest-etl-good", segments=3, days=1)
    interval, warehouse = etl.Interval(sim.start, sim.end), f"sqlite:///{tmp_path / 'warehouse.db'}"

    def run() -> tuple[dict[str, str], list[dict[str, Any]], int]:
        for name, step in etl.STEPS.items():
            result = step(resources, interval) if name != "load" else etl.run_load(resources, interval, warehouse)
            assert result["interval"] == interval.id
        return _etags(resources, ""), _items(resources), SqliteWarehouse(tmp_path / "warehouse.db").count(interval.id)

    first = run()
    assert first == run()
    objects, items, warehouse_rows = first
    assert f"readings/interval={interval.id}/readings.parquet" in objects
    assert f"training/interval={interval.id}/rows.parquet" in objects
    assert len(items) == 3 * 6  # three segments, six online features each
    assert warehouse_rows == 3 * 24  # hourly aggregates: three segments, one day


def test_the_command_line_ingests_and_fails_closed_on_a_bad_batch(
    moto_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = Resources.for_env("ptest-cli", moto_endpoint)
    ensure_resources(resources)
    with environment(aws_environment(resources)):
        assert cli(["simulate", "--segments", "2", "--days", "1", "--corrupt"]) == 0
        delivered = json.loads(capsys.readouterr().out)
        assert delivered["streamed_records"] > 0 and delivered["legacy_readings"] == 0
        interval = ["--start", delivered["interval_start"], "--end", delivered["interval_end"]]
        assert cli(["etl", *interval]) == 1
        assert capsys.readouterr().err.startswith("error: batch quarantined: ")
        assert cli(["etl", "--start", "yesterday", "--end", delivered["interval_end"]]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_the_cronjob_steps_fill_lake_and_store(moto_endpoint: str, capsys: pytest.CaptureFixture[str]) -> None:
    resources, sim = batch(moto_endpoint, "ptest-cron", segments=2, days=1)
    interval = ["--start", sim.start.isoformat(), "--end", sim.end.isoformat()]
    with environment(aws_environment(resources)):
        for step in ("extract", "transform", "data-quality", "load"):
            assert cli([step, *interval]) == 0, capsys.readouterr().err
        assert cli(["feature-engineering", *interval, "--publish"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["published"]["items"] == 2 * 6
    assert len(_items(resources)) == 2 * 6
