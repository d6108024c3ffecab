"""Readings in, predictions out: the one path every request takes through the model."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from citysense_inference import HORIZON_MINUTES
from citysense_inference.features import design_matrix
from citysense_inference.model import SpeedModel, congestion_level
from citysense_inference.schemas import Prediction, SensorReading


def predict(model: SpeedModel, readings: Sequence[SensorReading]) -> list[Prediction]:
    """Time features come from each reading's own offset, i.e. the city's local clock."""
    raw = np.array(
        [
            (
                r.timestamp.hour + r.timestamp.minute / 60.0,
                r.timestamp.weekday(),
                r.speed_kmh,
                r.speed_prev_kmh,
                r.volume_vph,
                r.rain_mm_h,
                r.temperature_c,
                r.free_flow_kmh,
            )
            for r in readings
        ],
        dtype=float,
    )
    free_flow = raw[:, 7]
    ratios = model.predict_ratio(
        design_matrix(
            hour=raw[:, 0],
            day_of_week=raw[:, 1],
            speed_kmh=raw[:, 2],
            speed_prev_kmh=raw[:, 3],
            volume_vph=raw[:, 4],
            rain_mm_h=raw[:, 5],
            temperature_c=raw[:, 6],
            free_flow_kmh=free_flow,
        )
    )
    return [
        Prediction(
            segment_id=reading.segment_id,
            horizon_minutes=HORIZON_MINUTES,
            speed_kmh=round(float(ratio * flow), 2),
            congestion=congestion_level(float(ratio)),
        )
        for reading, ratio, flow in zip(readings, ratios.tolist(), free_flow.tolist(), strict=True)
    ]
