"""Readings in, predictions out: the one path every request takes through the model."""

from __future__ import annotations

from collections.abc import Sequence

from citysense_inference import HORIZON_MINUTES
from citysense_inference.features import Measurements
from citysense_inference.model import SpeedModel, congestion_level
from citysense_inference.schemas import Prediction, SensorReading


def predict_one(model: SpeedModel, reading: SensorReading) -> Prediction:
    """Time features come from the reading's own offset, i.e. the city's local clock."""
    moment = reading.timestamp
    measured = Measurements(
        speed_kmh=reading.speed_kmh,
        speed_prev_kmh=reading.speed_prev_kmh,
        volume_vph=reading.volume_vph,
        rain_mm_h=reading.rain_mm_h,
        temperature_c=reading.temperature_c,
        free_flow_kmh=reading.free_flow_kmh,
    )
    ratio = model.predict_ratio(moment.hour * 60 + moment.minute, moment.weekday() >= 5, measured)
    return {
        "segment_id": reading.segment_id,
        "horizon_minutes": HORIZON_MINUTES,
        "speed_kmh": round(ratio * reading.free_flow_kmh, 2),
        "congestion": congestion_level(ratio),
    }


def predict(model: SpeedModel, readings: Sequence[SensorReading]) -> list[Prediction]:
    return [predict_one(model, reading) for reading in readings]
