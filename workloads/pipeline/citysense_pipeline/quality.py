"""The declared quality rules a batch must pass before anything is loaded (pandera schemas).

Ranges follow the inference service's request limits (`citysense_inference.schemas`): data the
model would refuse at serving time is refused here too. Freshness is judged against the interval,
not the wall clock, so a re-run of an old interval reaches the same verdict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

MAX_STALENESS = timedelta(minutes=30)  # the newest reading must be this close to the interval's end
SEGMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"


class QualityError(Exception):
    """The batch broke a rule: `failures` lists (rule, column, example value) for the quarantine report."""

    def __init__(self, failures: list[dict[str, str]]) -> None:
        rules = sorted({f"{f['column']}: {f['check']}" for f in failures})
        super().__init__(f"{len(failures)} quality failure(s): " + "; ".join(rules[:8]))
        self.failures = failures


def readings_schema(start: datetime, end: datetime) -> pa.DataFrameSchema:
    """Schema, nulls, ranges, uniqueness and freshness of clean readings for the interval [start, end)."""
    start_ts, end_ts = pd.Timestamp(start), pd.Timestamp(end)
    return pa.DataFrameSchema(
        {
            "segment_id": pa.Column("string", pa.Check.str_matches(SEGMENT_ID)),
            "observed_at": pa.Column(
                "datetime64[ns, UTC]",
                [pa.Check.ge(start_ts, name="in_interval_from"), pa.Check.lt(end_ts, name="in_interval_to")],
            ),
            "speed_kmh": pa.Column("float64", pa.Check.in_range(0.0, 200.0)),
            "volume_vph": pa.Column("float64", pa.Check.in_range(0.0, 20_000.0)),
            "occupancy": pa.Column("float64", pa.Check.in_range(0.0, 1.0)),
            "rain_mm_h": pa.Column("float64", pa.Check.in_range(0.0, 300.0)),
            "temperature_c": pa.Column("float64", pa.Check.in_range(-50.0, 60.0)),
            "free_flow_kmh": pa.Column("float64", pa.Check.in_range(10.0, 200.0)),
            "source": pa.Column("string", pa.Check.isin(["stream", "legacy"])),
        },
        checks=[
            pa.Check(lambda frame: len(frame) > 0, name="not_empty"),
            pa.Check(
                lambda frame: frame["observed_at"].max() >= end_ts - MAX_STALENESS,
                name=f"fresh_within_{int(MAX_STALENESS.total_seconds() // 60)}_minutes_of_interval_end",
            ),
        ],
        unique=["segment_id", "observed_at"],
        strict=True,
        ordered=False,
        coerce=False,
        name="clean_readings",
    )


@dataclass(frozen=True)
class Verdict:
    rows: int
    rules: int


def validate(readings: pd.DataFrame, start: datetime, end: datetime) -> Verdict:
    """Every rule is evaluated (lazy) so the quarantine report lists all failures at once."""
    schema = readings_schema(start, end)
    try:
        schema.validate(readings, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        failures = [
            {"column": str(row["column"]), "check": str(row["check"]), "value": str(row["failure_case"])}
            for row in cases.head(100).to_dict("records")
        ]
        raise QualityError(failures) from None
    rules = sum(len(column.checks) + 1 for column in schema.columns.values()) + len(schema.checks) + 1
    return Verdict(rows=len(readings), rules=rules)
