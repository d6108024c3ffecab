"""The relational schema: the road segment catalogue and the incidents reported on segments.

The migrations (`citysense_api/migrations`) create exactly this; a test compares the two.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Float, ForeignKey, Identity, Index, SmallInteger, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

INCIDENT_KINDS = ("accident", "roadworks", "closure", "hazard", "event")
INCIDENT_STATUSES = ("open", "resolved")


class Base(DeclarativeBase):
    pass


class Segment(Base):
    __tablename__ = "segments"
    __table_args__ = (
        CheckConstraint("free_flow_kmh BETWEEN 10 AND 200", name="free_flow_kmh_range"),
        CheckConstraint("length_m > 0", name="length_m_positive"),
        CheckConstraint("latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180", name="coordinates_range"),
    )

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    free_flow_kmh: Mapped[float] = mapped_column(Float)
    length_m: Mapped[float] = mapped_column(Float)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint(f"kind IN {INCIDENT_KINDS!r}", name="kind_known"),
        CheckConstraint(f"status IN {INCIDENT_STATUSES!r}", name="status_known"),
        CheckConstraint("severity BETWEEN 1 AND 5", name="severity_range"),
        Index("ix_incidents_segment_started", "segment_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(Identity(), primary_key=True)
    segment_id: Mapped[str] = mapped_column(String(64), ForeignKey("segments.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[int] = mapped_column(SmallInteger)
    description: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), server_default="open")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
