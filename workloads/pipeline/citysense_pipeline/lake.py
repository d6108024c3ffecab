"""The raw and processed zones' key layout, and small S3 helpers (JSON lines and Parquet in, out).

raw zone (as sources deliver it, never rewritten):
  reference/segments.json                          segment catalogue: id, free-flow speed, capacity
  sensors/legacy/date=YYYY-MM-DD/<batch>.jsonl     legacy gateways' file uploads (mph, per-5-minute counts, percent)
  external/weather/date=YYYY-MM-DD/<batch>.json    the weather API's observations (city-wide)
  reports/date=YYYY-MM-DD/<id>.json                citizens' reports (also announced on the stream)
  quarantine/interval=<id>/...                     a batch that failed its quality rules, with the reasons
Kinesis carries the connected sensors' readings (`type: sensor_reading`) and report events.

processed zone (one deterministic key per interval, so a re-run overwrites instead of adding):
  staging/interval=<id>/<step>.parquet             a run's intermediate frames, before the quality gate
  readings/interval=<id>/readings.parquet          clean, typed, deduplicated, SI-unit readings
  training/interval=<id>/rows.parquet              model inputs with their 15-minute-ahead target
  features/interval=<id>/online.parquet            the online features as written to the feature store
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import pandas as pd

SEGMENTS_KEY = "reference/segments.json"
LEGACY_PREFIX = "sensors/legacy/"
WEATHER_PREFIX = "external/weather/"
REPORTS_PREFIX = "reports/"
QUARANTINE_PREFIX = "quarantine/"


def interval_id(start: datetime, end: datetime) -> str:
    """`20261123T0000Z-20261130T0000Z`: names every key a run over [start, end) writes."""
    return f"{start:%Y%m%dT%H%MZ}-{end:%Y%m%dT%H%MZ}"


def staging_key(interval: str, step: str) -> str:
    return f"staging/interval={interval}/{step}.parquet"


def dated_keys(s3: Any, bucket: str, prefix: str, start: datetime, end: datetime) -> Iterator[str]:
    """Keys under `prefix`date=YYYY-MM-DD/ for every day the interval touches."""
    for day in pd.date_range(start.date(), end.date(), freq="D"):
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=f"{prefix}date={day:%Y-%m-%d}/"):
            yield from (item["Key"] for item in page.get("Contents", []))


def get_json(s3: Any, bucket: str, key: str) -> Any:
    return json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())


def get_json_lines(s3: Any, bucket: str, key: str) -> list[dict[str, Any]]:
    body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    return [json.loads(line) for line in body.splitlines() if line.strip()]


def put_json(s3: Any, bucket: str, key: str, document: Any) -> None:
    s3.put_object(Bucket=bucket, Key=key, Body=json.dumps(document, sort_keys=True).encode())


def put_json_lines(s3: Any, bucket: str, key: str, rows: Iterable[dict[str, Any]]) -> None:
    body = "".join(json.dumps(row, sort_keys=True) + "\n" for row in rows)
    s3.put_object(Bucket=bucket, Key=key, Body=body.encode())


def put_parquet(s3: Any, bucket: str, key: str, frame: pd.DataFrame) -> None:
    """Parquet without pandas' index; identical frames give identical objects (idempotent re-runs)."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, engine="pyarrow")
    s3.put_object(Bucket=bucket, Key=key, Body=buffer.getvalue())


def get_parquet(s3: Any, bucket: str, key: str) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(s3.get_object(Bucket=bucket, Key=key)["Body"].read()), engine="pyarrow")


def list_keys(s3: Any, bucket: str, prefix: str) -> list[str]:
    keys: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        keys.extend(item["Key"] for item in page.get("Contents", []))
    return sorted(keys)
