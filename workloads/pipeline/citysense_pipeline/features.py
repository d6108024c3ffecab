"""Model inputs from clean readings: training rows (with their target) and each segment's online features.

The model's features are defined once, in `citysense_inference.features`: its `Measurements`
(speed now and 15 minutes earlier, volume, rain, temperature, free-flow speed) are what this module
assembles per reading, what the feature store holds per segment, and what `feature_row` turns into
the model's inputs at training (`citysense_inference.train.dataset_design`) and serving alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from citysense_inference import HORIZON_MINUTES
from citysense_inference.data import SensorDataset
from citysense_inference.features import Measurements

ONLINE_FEATURES: tuple[str, ...] = Measurements._fields  # the feature store's feature_name values
LOOKBACK = pd.Timedelta(minutes=15)  # "speed 15 minutes ago", as `data.LOOKBACK_STEPS` steps of 5 minutes
HORIZON = pd.Timedelta(minutes=HORIZON_MINUTES)
TRAINING_COLUMNS = ("segment_id", "observed_at", "hour", "day_of_week", *ONLINE_FEATURES, "target_speed_kmh")


def _speed_at(readings: pd.DataFrame, shift: pd.Timedelta, name: str) -> pd.DataFrame:
    """Each reading's segment speed at `observed_at + shift` (exact time match), as column `name`."""
    moved = readings[["segment_id", "observed_at", "speed_kmh"]].rename(columns={"speed_kmh": name})
    moved = moved.assign(observed_at=moved["observed_at"] - shift)
    return readings.merge(moved, on=["segment_id", "observed_at"], how="left")


def with_measurements(readings: pd.DataFrame) -> pd.DataFrame:
    """Readings plus `speed_prev_kmh` and the time features; rows without a reading 15 minutes earlier drop."""
    frame = _speed_at(readings, -LOOKBACK, "speed_prev_kmh").dropna(subset=["speed_prev_kmh"])
    moments = frame["observed_at"]
    return frame.assign(
        hour=moments.dt.hour + moments.dt.minute / 60.0,
        day_of_week=moments.dt.dayofweek.astype("int64"),
    )


def training_rows(readings: pd.DataFrame) -> pd.DataFrame:
    """Model inputs and the speed HORIZON_MINUTES later; readings whose future is not in the batch drop."""
    frame = _speed_at(with_measurements(readings), HORIZON, "target_speed_kmh").dropna(subset=["target_speed_kmh"])
    return frame[list(TRAINING_COLUMNS)].reset_index(drop=True)


def online_features(readings: pd.DataFrame) -> pd.DataFrame:
    """Each segment's latest complete measurements: what a forecast for "now" needs."""
    frame = with_measurements(readings).sort_values(["segment_id", "observed_at"])
    latest = frame.groupby("segment_id", sort=True).tail(1)
    return latest[["segment_id", "observed_at", *ONLINE_FEATURES]].reset_index(drop=True)


def as_dataset(rows: pd.DataFrame) -> SensorDataset:
    """Training rows as the trainer's `SensorDataset` (segments numbered in id order, days from the first)."""
    codes = rows["segment_id"].astype("category").cat.codes.to_numpy()
    day = rows["observed_at"].dt.floor("D")
    return SensorDataset(
        segment=codes.astype(np.int64),
        hour=rows["hour"].to_numpy(dtype=float),
        day_of_week=rows["day_of_week"].to_numpy(dtype=np.int64),
        speed_kmh=rows["speed_kmh"].to_numpy(dtype=float),
        speed_prev_kmh=rows["speed_prev_kmh"].to_numpy(dtype=float),
        volume_vph=rows["volume_vph"].to_numpy(dtype=float),
        rain_mm_h=rows["rain_mm_h"].to_numpy(dtype=float),
        temperature_c=rows["temperature_c"].to_numpy(dtype=float),
        free_flow_kmh=rows["free_flow_kmh"].to_numpy(dtype=float),
        target_speed_kmh=rows["target_speed_kmh"].to_numpy(dtype=float),
        day_index=((day - day.min()).dt.days).to_numpy(dtype=np.int64),
    )
