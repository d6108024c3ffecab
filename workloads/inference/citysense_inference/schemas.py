"""The API's request and response bodies: requests are strict (unknown fields, NaN and out-of-range values are 4xx)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter
from typing_extensions import TypedDict

from citysense_inference.model import Congestion

MAX_BATCH = 128
SEGMENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)


class SensorReading(BaseModel):
    """One segment's latest 5-minute sensor aggregate."""

    model_config = _STRICT

    segment_id: str = Field(pattern=SEGMENT_ID_PATTERN.pattern)
    timestamp: AwareDatetime = Field(description="end of the 5-minute window, local time with offset")
    speed_kmh: float = Field(ge=0, le=200)
    speed_prev_kmh: float = Field(ge=0, le=200, description="average speed 15 minutes earlier")
    volume_vph: float = Field(ge=0, le=20_000, description="vehicles per hour")
    rain_mm_h: float = Field(default=0.0, ge=0, le=300)
    temperature_c: float = Field(ge=-50, le=60)
    free_flow_kmh: float = Field(ge=10, le=200, description="the segment's uncongested speed")


class BatchRequest(BaseModel):
    model_config = _STRICT

    instances: list[SensorReading] = Field(min_length=1, max_length=MAX_BATCH)


def _request_kind(body: Any) -> str:
    return "batch" if isinstance(body, dict) and "instances" in body else "single"


PredictRequest = Annotated[
    Annotated[SensorReading, Tag("single")] | Annotated[BatchRequest, Tag("batch")],
    Discriminator(_request_kind),
]
# The hot path calls the adapters' pydantic-core validator and serializers directly: the TypeAdapter
# methods only forward their keyword defaults to them, a measurable share of a microsecond-scale request.
predict_request = TypeAdapter[SensorReading | BatchRequest](PredictRequest).validator


class Prediction(TypedDict):
    segment_id: str
    horizon_minutes: int
    speed_kmh: float
    congestion: Congestion


class SingleResponse(TypedDict):
    model_version: str
    prediction: Prediction


class BatchResponse(TypedDict):
    model_version: str
    predictions: list[Prediction]


class SegmentResponse(TypedDict):
    model_version: str
    observed_at: datetime  # when the feature store's features were measured
    prediction: Prediction


# Responses are plain dicts serialized by these: the service builds them from its own values, so
# validating them again on the way out (as BaseModel instances would) is wasted work.
single_response = TypeAdapter(SingleResponse).serializer
batch_response = TypeAdapter(BatchResponse).serializer
segment_response = TypeAdapter(SegmentResponse).serializer
