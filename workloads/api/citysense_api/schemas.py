"""Request and response bodies. Requests are strict: unknown fields, NaN and out-of-range values are 422."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import Path, Query
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

# The inference service's segment id rule: also keeps ids safe inside S3 keys and DynamoDB keys.
SEGMENT_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
SegmentId = Annotated[str, Field(pattern=SEGMENT_ID_PATTERN)]
SegmentIdPath = Annotated[str, Path(pattern=SEGMENT_ID_PATTERN)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=100_000)]
IncidentKind = Literal["accident", "roadworks", "closure", "hazard", "event"]
ReportKind = Literal["congestion", "accident", "hazard", "roadworks", "other"]

_STRICT = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)
_OUT = ConfigDict(from_attributes=True)


class SegmentOut(BaseModel):
    model_config = _OUT

    id: str
    name: str
    free_flow_kmh: float
    length_m: float
    latitude: float
    longitude: float


class SegmentList(BaseModel):
    segments: list[SegmentOut]
    limit: int
    offset: int


class IncidentIn(BaseModel):
    model_config = _STRICT

    segment_id: SegmentId
    kind: IncidentKind
    severity: int = Field(ge=1, le=5)
    description: str = Field(min_length=1, max_length=500)
    started_at: AwareDatetime


class IncidentOut(BaseModel):
    model_config = _OUT

    id: int
    segment_id: str
    kind: str
    severity: int
    description: str
    status: str
    started_at: datetime
    created_at: datetime


class IncidentList(BaseModel):
    incidents: list[IncidentOut]


class ReportIn(BaseModel):
    """A citizen's report about a segment: kept as raw data in the lake and streamed for the pipeline."""

    model_config = _STRICT

    segment_id: SegmentId
    kind: ReportKind
    description: str = Field(min_length=1, max_length=1000)
    observed_at: AwareDatetime


class ReportAccepted(BaseModel):
    report_id: str
    object_key: str
    sequence_number: str


class Features(BaseModel):
    """A segment's latest features from the feature store: `{feature_name: value}` and when they were observed."""

    segment_id: str
    features: dict[str, float]
    observed_at: dict[str, str]


class Forecast(BaseModel):
    segment_id: str
    model_version: str
    horizon_minutes: int
    speed_kmh: float
    congestion: str
    based_on: datetime
