"""The ETL's steps over one interval, each reading its input from and writing its output to the lake.

Steps hand each other S3 keys, never frames, so Airflow tasks (or CronJobs) can run them in separate
processes. Every key is a function of the interval alone: a re-run overwrites with identical data.
Nothing reaches `readings/`, `training/`, `features/`, the feature store or the warehouse before the
quality step passed; a failed batch is copied to the raw zone's quarantine with the failed rules.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
from citysense_inference import feature_store

from citysense_pipeline import lake, quality, warehouse
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources
from citysense_pipeline.extract import RawBatch, extract
from citysense_pipeline.features import ONLINE_FEATURES, online_features, training_rows
from citysense_pipeline.transform import report_counts, transform

RAW_FRAMES = ("streamed", "legacy", "weather", "reports", "segments")
DYNAMODB_BATCH = 25  # BatchWriteItem's limit
WINDOW_MINUTES = 15  # the scheduled jobs' window


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def id(self) -> str:
        return lake.interval_id(self.start, self.end)

    @classmethod
    def last_window(cls, now: datetime, minutes: int = WINDOW_MINUTES) -> Interval:
        """The last complete window of `minutes` before `now` (UTC), as a scheduled job processes it."""
        end = now.astimezone(UTC).replace(second=0, microsecond=0)
        end -= timedelta(minutes=end.minute % minutes)
        return cls(end - timedelta(minutes=minutes), end)

    @classmethod
    def parse(cls, start: str, end: str) -> Interval:
        first, last = datetime.fromisoformat(start), datetime.fromisoformat(end)
        if first.tzinfo is None or last.tzinfo is None or first >= last:
            raise ValueError(f"bad interval {start!r}..{end!r}: need two ISO 8601 times with offsets, start < end")
        return cls(first, last)


def _staged(resources: Resources, interval: Interval, step: str) -> pd.DataFrame:
    return lake.get_parquet(client(resources, "s3"), resources.processed_bucket, lake.staging_key(interval.id, step))


def _stage(resources: Resources, interval: Interval, step: str, frame: pd.DataFrame) -> str:
    key = lake.staging_key(interval.id, step)
    lake.put_parquet(client(resources, "s3"), resources.processed_bucket, key, frame)
    return key


def run_extract(resources: Resources, interval: Interval) -> dict[str, Any]:
    raw = extract(resources, interval.start, interval.end)
    counts = {}
    for name in RAW_FRAMES:
        frame = getattr(raw, name)
        _stage(resources, interval, f"raw-{name}", frame.astype("string") if not frame.empty else frame)
        counts[name] = len(frame)
    return {"interval": interval.id, "rows": counts}


def run_transform(resources: Resources, interval: Interval) -> dict[str, Any]:
    raw = RawBatch(**{name: _staged(resources, interval, f"raw-{name}") for name in RAW_FRAMES})
    clean = transform(raw)
    _stage(resources, interval, "clean", clean)
    _stage(resources, interval, "reports", report_counts(raw))
    return {"interval": interval.id, "rows": len(clean)}


def run_quality(resources: Resources, interval: Interval) -> dict[str, Any]:
    """Pass, or quarantine the batch (its clean frame and the failures) and raise QualityError."""
    clean = _staged(resources, interval, "clean")
    try:
        verdict = quality.validate(clean, interval.start, interval.end)
    except quality.QualityError as exc:
        s3 = client(resources, "s3")
        prefix = f"{lake.QUARANTINE_PREFIX}interval={interval.id}/"
        lake.put_parquet(s3, resources.raw_bucket, prefix + "clean.parquet", clean)
        lake.put_json(s3, resources.raw_bucket, prefix + "failures.json", {"failures": exc.failures})
        raise
    return {"interval": interval.id, "rows": verdict.rows, "rules": verdict.rules}


def run_load(resources: Resources, interval: Interval, warehouse_uri: str | None = None) -> dict[str, Any]:
    """Processed readings to the lake; hourly aggregates to the warehouse when one is configured."""
    clean = _staged(resources, interval, "clean")
    s3 = client(resources, "s3")
    key = f"readings/interval={interval.id}/readings.parquet"
    lake.put_parquet(s3, resources.processed_bucket, key, clean)
    store = warehouse.from_uri(
        warehouse_uri or os.environ.get("CITYSENSE_WAREHOUSE"), lambda name: client(resources, name)
    )
    written = store.replace(interval.id, warehouse.hourly(clean, interval.id)) if store else None
    return {"interval": interval.id, "readings_key": key, "warehouse_rows": written}


def run_features(resources: Resources, interval: Interval) -> dict[str, Any]:
    """Training rows and online features to the processed zone (the feature store is written next)."""
    readings = lake.get_parquet(
        client(resources, "s3"), resources.processed_bucket, f"readings/interval={interval.id}/readings.parquet"
    )
    s3 = client(resources, "s3")
    rows, online = training_rows(readings), online_features(readings)
    training_key = f"training/interval={interval.id}/rows.parquet"
    online_key = f"features/interval={interval.id}/online.parquet"
    lake.put_parquet(s3, resources.processed_bucket, training_key, rows)
    lake.put_parquet(s3, resources.processed_bucket, online_key, online)
    return {"interval": interval.id, "training_rows": len(rows), "segments": len(online), "online_key": online_key}


def run_publish(resources: Resources, interval: Interval) -> dict[str, Any]:
    """The online features to the DynamoDB feature store (a put per segment and feature: idempotent)."""
    s3, dynamodb = client(resources, "s3"), client(resources, "dynamodb")
    online = lake.get_parquet(s3, resources.processed_bucket, f"features/interval={interval.id}/online.parquet")
    items = [
        feature_store.item(row["segment_id"], name, row[name], row["observed_at"].to_pydatetime())
        for row in online.to_dict("records")
        for name in ONLINE_FEATURES
    ]
    for i in range(0, len(items), DYNAMODB_BATCH):
        pending: dict[str, Any] = {
            resources.feature_table: [{"PutRequest": {"Item": it}} for it in items[i : i + DYNAMODB_BATCH]]
        }
        while pending:
            pending = dynamodb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
    return {"interval": interval.id, "items": len(items)}


STEPS: dict[str, Callable[[Resources, Interval], dict[str, Any]]] = {
    "extract": run_extract,
    "transform": run_transform,
    "data-quality": run_quality,
    "load": run_load,
    "feature-engineering": run_features,
    "publish-features": run_publish,
}


def run_all(resources: Resources, interval: Interval) -> dict[str, Any]:
    """Every step in order, in this process (the CronJob path; Airflow runs them as separate tasks)."""
    return {name: step(resources, interval) for name, step in STEPS.items()}
