"""Cleaning and the quality rules on small frames, without AWS or Airflow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from citysense_pipeline.extract import RawBatch
from citysense_pipeline.quality import QualityError, validate
from citysense_pipeline.transform import transform

START = datetime(2026, 11, 23, tzinfo=UTC)
END = START + timedelta(hours=1)


def _at(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat()


def raw(**changes: Any) -> RawBatch:
    """One hour of two segments: seg-a streams (SI units), seg-b is a legacy gateway (mph, counts, percent)."""
    streamed = [
        {"segment_id": "seg-a", "observed_at": _at(m), "speed_kmh": 50.0, "volume_vph": 1200.0, "occupancy": 0.2}
        for m in range(0, 60, 5)
    ]
    legacy = [
        {"segment_id": "seg-b", "observed_at": _at(m), "speed_mph": 25.0, "vehicles_5min": 100, "occupancy_pct": 30.0}
        for m in range(0, 60, 5)
    ]
    weather = [{"observed_at": _at(m), "rain_mm_h": 0.5, "temperature_c": 7.0} for m in range(0, 60, 5)]
    segments = [{"segment_id": "seg-a", "free_flow_kmh": 50.0}, {"segment_id": "seg-b", "free_flow_kmh": 70.0}]
    frames = {
        "streamed": pd.DataFrame(streamed),
        "legacy": pd.DataFrame(legacy),
        "weather": pd.DataFrame(weather),
        "reports": pd.DataFrame(columns=["segment_id", "kind", "observed_at"]),
        "segments": pd.DataFrame(segments),
    }
    return RawBatch(**{**frames, **changes})


def test_units_are_normalised_and_weather_joined() -> None:
    clean = transform(raw())
    legacy = clean[clean["segment_id"] == "seg-b"].iloc[0]
    assert legacy["speed_kmh"] == pytest.approx(25.0 * 1.609344)
    assert legacy["volume_vph"] == pytest.approx(1200.0)
    assert legacy["occupancy"] == pytest.approx(0.3)
    assert legacy["rain_mm_h"] == 0.5
    assert legacy["free_flow_kmh"] == 70.0
    assert str(clean["observed_at"].dtype) == "datetime64[ns, UTC]"


def test_redelivered_records_are_dropped() -> None:
    batch = raw()
    twice = RawBatch(**{**batch.__dict__, "streamed": pd.concat([batch.streamed, batch.streamed.head(3)])})
    assert len(transform(twice)) == len(transform(batch)) == 24


def test_a_clean_batch_passes() -> None:
    verdict = validate(transform(raw()), START, END)
    assert verdict.rows == 24
    assert verdict.rules > 10


def _edited(column: str, value: Any, rows: int = 1) -> pd.DataFrame:
    clean = transform(raw())
    clean.loc[: rows - 1, column] = value
    return clean


@pytest.mark.parametrize(
    ("frame", "column"),
    [
        (lambda: _edited("speed_kmh", 999.0), "speed_kmh"),  # out of range
        (lambda: _edited("volume_vph", -5.0), "volume_vph"),
        (lambda: _edited("speed_kmh", float("nan")), "speed_kmh"),  # null
        (lambda: _edited("segment_id", "../etc/passwd"), "segment_id"),
        (
            lambda: transform(raw(weather=pd.DataFrame(columns=["observed_at", "rain_mm_h", "temperature_c"]))),
            "rain_mm_h",
        ),
        (lambda: _edited("observed_at", pd.Timestamp(END + timedelta(hours=1))), "observed_at"),  # not in the interval
        (lambda: transform(raw()).assign(extra=1), "extra"),  # schema: no unknown columns
    ],
)
def test_a_bad_batch_is_rejected_naming_the_column(frame: Any, column: str) -> None:
    with pytest.raises(QualityError) as failed:
        validate(frame(), START, END)
    named = {failure["column"] for failure in failed.value.failures} | {f["value"] for f in failed.value.failures}
    assert column in named


def test_a_stale_batch_is_rejected() -> None:
    with pytest.raises(QualityError, match="fresh_within"):
        validate(transform(raw()), START, END + timedelta(hours=2))


def test_duplicate_readings_are_rejected() -> None:
    clean = transform(raw())
    with pytest.raises(QualityError):
        validate(pd.concat([clean, clean.head(2)], ignore_index=True), START, END)
