"""Clean one interval's raw batch: types, SI units, duplicates removed, weather and catalogue joined.

Nothing here decides whether the batch is good enough: that is `quality`'s job, so cleaning never
hides a bad batch (rows are not dropped for bad values, only exact re-deliveries are).
"""

from __future__ import annotations

import pandas as pd

from citysense_pipeline.extract import RawBatch

KMH_PER_MPH = 1.609344
READINGS_PER_HOUR_5MIN = 12  # a per-5-minute count times this is vehicles per hour
WEATHER_TOLERANCE = pd.Timedelta(minutes=30)  # an observation older than this does not describe the reading
READING_COLUMNS = (
    "segment_id",
    "observed_at",
    "speed_kmh",
    "volume_vph",
    "occupancy",
    "rain_mm_h",
    "temperature_c",
    "free_flow_kmh",
    "source",
)
_TIME = "datetime64[ns, UTC]"


def _moments(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True, format="ISO8601").astype(_TIME)


def normalise_streamed(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_id": frame["segment_id"].astype("string"),
            "observed_at": _moments(frame["observed_at"]),
            "speed_kmh": pd.to_numeric(frame["speed_kmh"], errors="coerce").astype("float64"),
            "volume_vph": pd.to_numeric(frame["volume_vph"], errors="coerce").astype("float64"),
            "occupancy": pd.to_numeric(frame["occupancy"], errors="coerce").astype("float64"),
            "source": "stream",
        }
    )


def normalise_legacy(frame: pd.DataFrame) -> pd.DataFrame:
    """mph to km/h, vehicles per 5 minutes to vehicles per hour, percent to a fraction."""
    return pd.DataFrame(
        {
            "segment_id": frame["segment_id"].astype("string"),
            "observed_at": _moments(frame["observed_at"]),
            "speed_kmh": pd.to_numeric(frame["speed_mph"], errors="coerce").astype("float64") * KMH_PER_MPH,
            "volume_vph": pd.to_numeric(frame["vehicles_5min"], errors="coerce").astype("float64")
            * READINGS_PER_HOUR_5MIN,
            "occupancy": pd.to_numeric(frame["occupancy_pct"], errors="coerce").astype("float64") / 100.0,
            "source": "legacy",
        }
    )


def transform(raw: RawBatch) -> pd.DataFrame:
    """One row per (segment, time) in SI units with weather and free-flow speed, sorted by time then segment."""
    parts = [
        normalise(frame)
        for normalise, frame in ((normalise_streamed, raw.streamed), (normalise_legacy, raw.legacy))
        if not frame.empty
    ]
    if not parts:
        return pd.DataFrame({name: pd.Series(dtype="float64") for name in READING_COLUMNS})
    readings = pd.concat(parts, ignore_index=True)
    readings["source"] = readings["source"].astype("string")
    # Kinesis delivers at least once: a re-sent record is the same (segment, time); keep the first.
    readings = readings.drop_duplicates(subset=["segment_id", "observed_at"], keep="first")
    readings = readings.sort_values(["observed_at", "segment_id"], kind="stable").reset_index(drop=True)

    weather = raw.weather.assign(observed_at=_moments(raw.weather["observed_at"])) if not raw.weather.empty else None
    if weather is not None:
        weather = weather.drop_duplicates("observed_at").sort_values("observed_at")[
            ["observed_at", "rain_mm_h", "temperature_c"]
        ]
        readings = pd.merge_asof(
            readings,
            weather.astype({"rain_mm_h": "float64", "temperature_c": "float64"}),
            on="observed_at",
            direction="backward",
            tolerance=WEATHER_TOLERANCE,
        )
    else:
        readings["rain_mm_h"] = float("nan")
        readings["temperature_c"] = float("nan")
    catalogue = raw.segments[["segment_id", "free_flow_kmh"]].astype(
        {"segment_id": "string", "free_flow_kmh": "float64"}
    )
    readings = readings.merge(catalogue, on="segment_id", how="left", validate="many_to_one")
    return readings[list(READING_COLUMNS)]


def report_counts(raw: RawBatch) -> pd.DataFrame:
    """Citizens' reports per segment and kind in the interval: context for the warehouse, not a model input."""
    if raw.reports.empty:
        return pd.DataFrame(
            {
                "segment_id": pd.Series(dtype="string"),
                "kind": pd.Series(dtype="string"),
                "reports": pd.Series(dtype="int64"),
            }
        )
    counts = raw.reports.groupby(["segment_id", "kind"]).size().rename("reports").reset_index()
    return counts.astype({"segment_id": "string", "kind": "string", "reports": "int64"})
