"""Extract one interval's raw input: the stream's records and the raw zone's files, untouched but for parsing.

Kinesis is read from the trim horizon and filtered to the interval, so a re-run of the same
interval sees the same records (within the stream's retention) and extraction stays idempotent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from citysense_pipeline import lake
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources

MAX_EMPTY_POLLS = 3


@dataclass(frozen=True)
class RawBatch:
    """Everything the interval delivered, one frame per source (all columns as delivered)."""

    streamed: pd.DataFrame  # connected sensors: speed_kmh, volume_vph, occupancy (fraction)
    legacy: pd.DataFrame  # legacy gateways: speed_mph, vehicles_5min, occupancy_pct
    weather: pd.DataFrame  # observed_at, rain_mm_h, temperature_c
    reports: pd.DataFrame  # segment_id, kind, observed_at
    segments: pd.DataFrame  # segment_id, free_flow_kmh


def stream_records(resources: Resources) -> list[dict[str, Any]]:
    """Every record the stream retains, oldest first, from all shards."""
    kinesis = client(resources, "kinesis")
    records: list[dict[str, Any]] = []
    shards = kinesis.list_shards(StreamName=resources.sensor_stream)["Shards"]
    for shard in shards:
        iterator = kinesis.get_shard_iterator(
            StreamName=resources.sensor_stream, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        empty = 0
        while iterator and empty < MAX_EMPTY_POLLS:
            answer = kinesis.get_records(ShardIterator=iterator, Limit=10_000)
            records.extend(json.loads(record["Data"]) for record in answer["Records"])
            empty = 0 if answer["Records"] else empty + 1
            if answer.get("MillisBehindLatest", 0) == 0 and not answer["Records"]:
                break
            iterator = answer.get("NextShardIterator")
    return records


def _in_interval(frame: pd.DataFrame, column: str, start: datetime, end: datetime) -> pd.DataFrame:
    if frame.empty:
        return frame
    moments = pd.to_datetime(frame[column], utc=True, format="ISO8601")
    return frame[(moments >= start) & (moments < end)].reset_index(drop=True)


def extract(resources: Resources, start: datetime, end: datetime) -> RawBatch:
    s3 = client(resources, "s3")
    bucket = resources.raw_bucket
    records = pd.DataFrame(stream_records(resources))
    readings = records[records["type"] == "sensor_reading"] if not records.empty else records
    streamed = _in_interval(readings.drop(columns=["type"], errors="ignore"), "observed_at", start, end)

    legacy_rows = [
        row
        for key in lake.dated_keys(s3, bucket, lake.LEGACY_PREFIX, start, end)
        for row in lake.get_json_lines(s3, bucket, key)
    ]
    weather_rows = [
        row
        for key in lake.dated_keys(s3, bucket, lake.WEATHER_PREFIX, start, end)
        for row in lake.get_json(s3, bucket, key)["observations"]
    ]
    report_rows = [
        lake.get_json(s3, bucket, key) for key in lake.dated_keys(s3, bucket, lake.REPORTS_PREFIX, start, end)
    ]
    reports = pd.DataFrame(report_rows, columns=["segment_id", "kind", "observed_at"])
    return RawBatch(
        streamed=streamed,
        legacy=_in_interval(pd.DataFrame(legacy_rows), "observed_at", start, end),
        weather=_in_interval(pd.DataFrame(weather_rows), "observed_at", start, end),
        reports=_in_interval(reports[["segment_id", "kind", "observed_at"]], "observed_at", start, end),
        segments=pd.DataFrame(lake.get_json(s3, bucket, lake.SEGMENTS_KEY)["segments"]),
    )
