"""Readings in, predictions out: the one path every request takes through the model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from citysense_inference import HORIZON_MINUTES
from citysense_inference.features import Measurements
from citysense_inference.model import SpeedModel, congestion_level
from citysense_inference.schemas import Prediction, SensorReading


def predict_measured(model: SpeedModel, segment_id: str, moment: datetime, measured: Measurements) -> Prediction:
    """Time features come from the moment's own offset, i.e. the city's local clock."""
    ratio = model.predict_ratio(moment.hour * 60 + moment.minute, moment.weekday() >= 5, measured)
    return {
        "segment_id": segment_id,
        "horizon_minutes": HORIZON_MINUTES,
        "speed_kmh": round(ratio * measured.free_flow_kmh, 2),
        "congestion": congestion_level(ratio),
    }


def predict_one(model: SpeedModel, reading: SensorReading) -> Prediction:
    measured = Measurements(
        speed_kmh=reading.speed_kmh,
        speed_prev_kmh=reading.speed_prev_kmh,
        volume_vph=reading.volume_vph,
        rain_mm_h=reading.rain_mm_h,
        temperature_c=reading.temperature_c,
        free_flow_kmh=reading.free_flow_kmh,
    )
    return predict_measured(model, reading.segment_id, reading.timestamp, measured)


def predict(model: SpeedModel, readings: Sequence[SensorReading]) -> list[Prediction]:
    return [predict_one(model, reading) for reading in readings]
