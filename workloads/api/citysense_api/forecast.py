"""A segment's forecast: its catalogue entry and latest features, sent to the inference service over HTTP.

The inference service (`workloads/inference`) answers `POST /v1/predict` with a 15-minute speed
forecast for one sensor reading.  Any failure to get one (refused, timed out, non-200, a body that
is not a prediction) is `InferenceUnavailable`, which the API answers with 503.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from citysense_api.models import Segment
from citysense_api.schemas import Features, Forecast

# The features a reading needs, by the inference service's field names; rain defaults to dry.
REQUIRED = ("speed_kmh", "speed_prev_kmh", "volume_vph", "temperature_c")
OPTIONAL = {"rain_mm_h": 0.0}


class InferenceUnavailable(Exception):
    pass


class MissingFeatures(Exception):
    """The feature store lacks a feature the model needs: there is nothing to forecast from."""


def reading(segment: Segment, features: Features) -> dict[str, Any]:
    """The inference request for a segment; its timestamp is when the current speed was observed."""
    missing = [name for name in REQUIRED if name not in features.features]
    if missing:
        raise MissingFeatures(f"segment {segment.id} has no {', '.join(missing)} in the feature store")
    try:
        observed = datetime.fromisoformat(features.observed_at["speed_kmh"])
    except ValueError:
        raise MissingFeatures(f"segment {segment.id}: speed_kmh has no valid observed_at") from None
    values = {name: features.features.get(name, default) for name, default in OPTIONAL.items()}
    values.update({name: features.features[name] for name in REQUIRED})
    return {
        "segment_id": segment.id,
        "timestamp": observed.isoformat(),
        "free_flow_kmh": segment.free_flow_kmh,
        **values,
    }


class InferenceClient:
    def __init__(self, base_url: str, timeout_s: float) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=httpx.Timeout(timeout_s))

    def forecast(self, segment: Segment, features: Features) -> Forecast:
        body = reading(segment, features)
        try:
            response = self._http.post("/v1/predict", json=body)
        except httpx.HTTPError as exc:
            raise InferenceUnavailable(f"inference service unreachable ({type(exc).__name__})") from None
        if response.status_code != 200:
            raise InferenceUnavailable(f"inference service answered {response.status_code}")
        try:
            answer = response.json()
            prediction = answer["prediction"]
            return Forecast(
                segment_id=segment.id,
                model_version=answer["model_version"],
                horizon_minutes=prediction["horizon_minutes"],
                speed_kmh=prediction["speed_kmh"],
                congestion=prediction["congestion"],
                based_on=body["timestamp"],
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InferenceUnavailable(f"inference service answered an unexpected body ({exc})") from None

    def close(self) -> None:
        self._http.close()
