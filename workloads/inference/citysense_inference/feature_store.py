"""The online feature store's item layout (DynamoDB), and reading one segment's features for a forecast.

One item per segment and feature: `{entity_id: <segment id>, feature_name, value (N), observed_at (S)}`.
The feature names are `features.Measurements`' fields, so the store holds exactly what the model
takes; the data pipeline writes items with `item()` and the service reads them with `read()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from citysense_inference.features import Measurements

FEATURE_NAMES: tuple[str, ...] = Measurements._fields
REQUIRED = frozenset(FEATURE_NAMES) - {"rain_mm_h"}  # no rain observation means a dry road


class FeatureStoreError(Exception):
    """The store could not be read (network, permissions, missing table)."""


def item(segment_id: str, feature_name: str, value: float, observed_at: datetime) -> dict[str, Any]:
    """One DynamoDB item in the client's attribute-value form."""
    return {
        "entity_id": {"S": segment_id},
        "feature_name": {"S": feature_name},
        "value": {"N": str(Decimal(repr(float(value))))},
        "observed_at": {"S": observed_at.isoformat()},
    }


def parse(items: list[Mapping[str, Any]]) -> tuple[datetime, Measurements] | None:
    """The newest observation time and the measurements, or None when a required feature is missing."""
    values: dict[str, float] = {}
    observed: list[datetime] = []
    for entry in items:
        name, value = entry.get("feature_name", {}).get("S"), entry.get("value", {}).get("N")
        if name in FEATURE_NAMES and value is not None:
            values[name] = float(value)
            observed.append(datetime.fromisoformat(entry["observed_at"]["S"]))
    if not values.keys() >= REQUIRED or not observed:
        return None
    values.setdefault("rain_mm_h", 0.0)
    return max(observed), Measurements(**values)


def read(dynamodb: Any, table: str, segment_id: str) -> tuple[datetime, Measurements] | None:
    """The segment's features (one Query), or None when the store holds none for it."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        answer = dynamodb.query(
            TableName=table,
            KeyConditionExpression="entity_id = :id",
            ExpressionAttributeValues={":id": {"S": segment_id}},
            ConsistentRead=True,
        )
    except (BotoCoreError, ClientError) as exc:
        raise FeatureStoreError(f"feature store {table} unavailable: {type(exc).__name__}") from None
    return parse(answer.get("Items", []))
