"""Realistic input for the pipeline: sensor readings on Kinesis and in the raw zone, weather, citizens' reports.

The traffic itself comes from `citysense_inference.data.generate` (rush hours, BPR speeds, rain,
incidents), so the pipeline's output can train a model that beats the naive baselines. Two kinds of
sensors deliver it the way real fleets do: connected sensors stream SI units to Kinesis (at least
once, so some records arrive twice); legacy gateways upload daily files in mph, vehicles per
5 minutes and percent occupancy. The weather API and citizens' reports land in the raw zone as JSON.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from citysense_inference.data import STEP_MINUTES, STEPS_PER_DAY, generate

from citysense_pipeline import lake
from citysense_pipeline.aws import client
from citysense_pipeline.config import Resources

KMH_PER_MPH = 1.609344
VEHICLE_SPACE_KM = 0.0065  # a car and its gap over a loop detector: occupancy = density x this
DUPLICATE_SHARE = 0.02
KINESIS_BATCH = 500  # PutRecords' limit
REPORT_KINDS = ("accident", "roadworks", "pothole", "congestion")


@dataclass(frozen=True)
class Simulation:
    """What one simulate run delivered: the interval [start, end) the DAG should process, and the counts."""

    start: datetime
    end: datetime
    streamed: int
    uploaded: int
    weather: int
    reports: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "interval_start": self.start.isoformat(),
            "interval_end": self.end.isoformat(),
            "streamed_records": self.streamed,
            "legacy_readings": self.uploaded,
            "weather_observations": self.weather,
            "reports": self.reports,
        }


def segment_ids(count: int) -> list[str]:
    return [f"seg-{i:04d}" for i in range(count)]


def default_start(now: datetime, days: int) -> datetime:
    """The Monday at 00:00 UTC that leaves `days` whole days before today (Monday: the data set's day 0)."""
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days)
    return start - timedelta(days=start.weekday())


def _chunks(items: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def simulate(
    resources: Resources,
    *,
    segments: int = 8,
    days: int = 7,
    seed: int = 20261127,
    start: datetime | None = None,
    corrupt: bool = False,
) -> Simulation:
    """Deliver `days` of readings for `segments` segments; `corrupt` adds impossible speeds (a bad batch)."""
    start = start or default_start(datetime.now(UTC), days)
    end = start + timedelta(days=days)
    data = generate(segments=segments, days=days, seed=seed)
    rng = np.random.default_rng(seed + 1)
    ids = segment_ids(segments)
    legacy = {sid for i, sid in enumerate(ids) if i % 4 == 3}
    step = np.rint(data.day_index * STEPS_PER_DAY + data.hour * 60 / STEP_MINUTES).astype(int)
    when = [start + timedelta(minutes=int(s) * STEP_MINUTES) for s in step.tolist()]
    s3, kinesis = client(resources, "s3"), client(resources, "kinesis")

    free_flow = dict(zip(data.segment.tolist(), data.free_flow_kmh.tolist(), strict=False))
    catalogue = [{"segment_id": ids[i], "free_flow_kmh": free_flow[i]} for i in range(segments)]
    lake.put_json(s3, resources.raw_bucket, lake.SEGMENTS_KEY, {"segments": catalogue})

    streamed: list[dict[str, Any]] = []
    uploads: dict[str, list[dict[str, Any]]] = {}
    speeds = data.speed_kmh.copy()
    if corrupt:
        speeds[rng.choice(len(speeds), size=5, replace=False)] = 999.0
    for i, (segment, moment) in enumerate(zip(data.segment.tolist(), when, strict=True)):
        speed, volume = float(speeds[i]), float(data.volume_vph[i])
        occupancy = min(0.95, volume / max(speed, 1.0) * VEHICLE_SPACE_KM)
        sid = ids[segment]
        if sid in legacy:
            uploads.setdefault(f"{moment:%Y-%m-%d}", []).append(
                {
                    "segment_id": sid,
                    "observed_at": moment.isoformat(),
                    "speed_mph": round(speed / KMH_PER_MPH, 2),
                    "vehicles_5min": round(volume * STEP_MINUTES / 60.0),
                    "occupancy_pct": round(occupancy * 100.0, 1),
                }
            )
        else:
            streamed.append(
                {
                    "type": "sensor_reading",
                    "segment_id": sid,
                    "observed_at": moment.isoformat(),
                    "speed_kmh": round(speed, 2),
                    "volume_vph": round(volume, 1),
                    "occupancy": round(occupancy, 4),
                }
            )
    resent = [streamed[i] for i in sorted(rng.choice(len(streamed), int(len(streamed) * DUPLICATE_SHARE), False))]
    records = streamed + resent

    reports = _reports(rng, ids, start, end)
    records += [
        {"type": "user_report", "report_id": r["report_id"], "segment_id": r["segment_id"], "object_key": key}
        for key, r in reports.items()
    ]
    for batch in _chunks(records, KINESIS_BATCH):
        entries = [{"Data": json.dumps(r).encode(), "PartitionKey": r["segment_id"]} for r in batch]
        answer = kinesis.put_records(StreamName=resources.sensor_stream, Records=entries)
        if answer.get("FailedRecordCount"):
            raise RuntimeError(f"{answer['FailedRecordCount']} records refused by {resources.sensor_stream}")
    for day, rows in uploads.items():
        lake.put_json_lines(s3, resources.raw_bucket, f"{lake.LEGACY_PREFIX}date={day}/gateway-{seed}.jsonl", rows)
    for key, report in reports.items():
        lake.put_json(s3, resources.raw_bucket, key, report)

    weather = _weather(data, step, start)
    for day, observations in weather.items():
        document = {"source": "weather-api", "observations": observations}
        lake.put_json(s3, resources.raw_bucket, f"{lake.WEATHER_PREFIX}date={day}/observations-{seed}.json", document)
    return Simulation(
        start=start,
        end=end,
        streamed=len(records),
        uploaded=sum(map(len, uploads.values())),
        weather=sum(map(len, weather.values())),
        reports=len(reports),
    )


def _weather(data: Any, step: np.ndarray, start: datetime) -> dict[str, list[dict[str, Any]]]:
    """One city-wide observation per 5 minutes, grouped by day."""
    by_step: dict[int, tuple[float, float]] = {}
    for s, rain, temperature in zip(step.tolist(), data.rain_mm_h.tolist(), data.temperature_c.tolist(), strict=True):
        by_step.setdefault(s, (rain, temperature))
    days: dict[str, list[dict[str, Any]]] = {}
    for s, (rain, temperature) in sorted(by_step.items()):
        moment = start + timedelta(minutes=s * STEP_MINUTES)
        days.setdefault(f"{moment:%Y-%m-%d}", []).append(
            {"observed_at": moment.isoformat(), "rain_mm_h": round(rain, 2), "temperature_c": round(temperature, 1)}
        )
    return days


def _reports(rng: np.random.Generator, ids: list[str], start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """A few citizens' reports per day, in the API's raw-zone format."""
    reports: dict[str, dict[str, Any]] = {}
    hours = int((end - start).total_seconds() // 3600)
    for hour in sorted(rng.choice(hours, size=max(1, hours // 8), replace=False).tolist()):
        moment = start + timedelta(hours=hour, minutes=int(rng.integers(0, 60)))
        report_id = str(uuid.UUID(int=int(rng.integers(0, 2**63)), version=4))
        key = f"{lake.REPORTS_PREFIX}date={moment:%Y-%m-%d}/{report_id}.json"
        reports[key] = {
            "report_id": report_id,
            "received_at": moment.isoformat(),
            "segment_id": ids[int(rng.integers(0, len(ids)))],
            "kind": REPORT_KINDS[int(rng.integers(0, len(REPORT_KINDS)))],
            "description": "reported by a citizen (simulated)",
            "observed_at": moment.isoformat(),
        }
    return reports
