"""citysense_etl: raw sensor data in, clean lake Parquet, warehouse aggregates and online features out.

Triggered by new raw data: the raw zone's `sensors` asset gets an event (from the ingestion path,
through Airflow's API) whose extra names the interval [interval_start, interval_end); a manual run
gives the same two values as params. Tasks run in order, each one step of `citysense_pipeline.etl`:

    interval -> extract -> transform -> quality -> load -> features -> publish_features

A batch that fails `quality` is quarantined and the run fails with nothing loaded; the steps'
keys depend on the interval alone, so re-running an interval rewrites the same objects and items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import DAG, Asset, Param, get_current_context, task
from airflow.sdk.exceptions import AirflowFailException

from citysense_pipeline import etl, quality
from citysense_pipeline.config import Resources

DAG_ID = "citysense_etl"
TASK_ORDER = ("interval", "extract", "transform", "quality", "load", "features", "publish_features")
_RESOURCES = Resources.from_env()
RAW_SENSORS = Asset(name="citysense_raw_sensors", uri=f"s3://{_RESOURCES.raw_bucket}/sensors")
PROCESSED_READINGS = Asset(name="citysense_processed_readings", uri=f"s3://{_RESOURCES.processed_bucket}/readings")
ONLINE_FEATURES = Asset(name="citysense_online_features", uri=f"dynamodb://{_RESOURCES.feature_table}")


def _interval(value: dict[str, str]) -> etl.Interval:
    return etl.Interval.parse(value["start"], value["end"])


with DAG(
    dag_id=DAG_ID,
    schedule=[RAW_SENSORS],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    params={
        "interval_start": Param(None, type=["null", "string"], description="ISO 8601 with offset"),
        "interval_end": Param(None, type=["null", "string"], description="ISO 8601 with offset, exclusive"),
    },
    tags=["citysense", "etl"],
    doc_md=__doc__,
) as dag:

    @task(task_id="interval")
    def interval() -> dict[str, str]:
        """The run's params, else the triggering asset event's extra; no interval fails the run."""
        context = get_current_context()
        params = context["params"]
        start, end = params.get("interval_start"), params.get("interval_end")
        if not (start and end):
            for events in context["triggering_asset_events"].values():
                for event in events:
                    start, end = event.extra.get("interval_start"), event.extra.get("interval_end")
        if not (start and end):
            raise AirflowFailException("no interval: set params interval_start/interval_end or the asset event's extra")
        try:
            parsed = etl.Interval.parse(start, end)
        except ValueError as exc:
            raise AirflowFailException(str(exc)) from None
        return {"start": parsed.start.isoformat(), "end": parsed.end.isoformat()}

    @task(task_id="extract")
    def extract(value: dict[str, str]) -> dict[str, Any]:
        return etl.run_extract(Resources.from_env(), _interval(value))

    @task(task_id="transform")
    def transform(value: dict[str, str], _: dict[str, Any]) -> dict[str, Any]:
        return etl.run_transform(Resources.from_env(), _interval(value))

    @task(task_id="quality")
    def check(value: dict[str, str], _: dict[str, Any]) -> dict[str, Any]:
        try:
            return etl.run_quality(Resources.from_env(), _interval(value))
        except quality.QualityError as exc:
            raise AirflowFailException(f"batch quarantined: {exc}") from None  # bad data: retrying cannot help

    @task(task_id="load", outlets=[PROCESSED_READINGS])
    def load(value: dict[str, str], _: dict[str, Any]) -> dict[str, Any]:
        return etl.run_load(Resources.from_env(), _interval(value))

    @task(task_id="features")
    def features(value: dict[str, str], _: dict[str, Any]) -> dict[str, Any]:
        return etl.run_features(Resources.from_env(), _interval(value))

    @task(task_id="publish_features", outlets=[ONLINE_FEATURES])
    def publish(value: dict[str, str], _: dict[str, Any]) -> dict[str, Any]:
        return etl.run_publish(Resources.from_env(), _interval(value))

    window = interval()
    publish(window, features(window, load(window, check(window, transform(window, extract(window))))))
