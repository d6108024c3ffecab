"""The AWS stores behind the API: the DynamoDB feature store, the raw S3 bucket and the Kinesis stream.

A feature item is `{entity_id: <segment id>, feature_name, value (number), observed_at (ISO 8601)}`,
written by the feature-engineering job; the API only reads them (IRSA: `dynamodb:Query`).
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from citysense_api.aws import client
from citysense_api.schemas import Features, ReportAccepted, ReportIn
from citysense_api.settings import Settings

REPORTS_PREFIX = "reports"
MAX_FEATURES = 100  # one page: a segment has a handful of features


class StoreUnavailable(Exception):
    """An AWS store failed to answer: the request gets a 503 naming the store, never a traceback."""

    def __init__(self, store: str, exc: Exception) -> None:
        code = exc.response.get("Error", {}).get("Code", "") if isinstance(exc, ClientError) else type(exc).__name__
        super().__init__(f"{store} unavailable ({code})")
        self.store = store


class FeatureStore:
    def __init__(self, settings: Settings, session: boto3.session.Session | None = None) -> None:
        self.table = settings.feature_table
        self._dynamodb = client(settings, "dynamodb", session)

    def latest(self, segment_id: str) -> Features | None:
        """The segment's features, or None when the store holds none for it."""
        try:
            answer = self._dynamodb.query(
                TableName=self.table,
                KeyConditionExpression="entity_id = :id",
                ExpressionAttributeValues={":id": {"S": segment_id}},
                Limit=MAX_FEATURES,
                ConsistentRead=True,  # a forecast uses the values the pipeline wrote last
            )
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable("feature store", exc) from None
        values, observed = {}, {}
        for item in answer.get("Items", []):
            name = item.get("feature_name", {}).get("S")
            value = item.get("value", {}).get("N")
            if name is None or value is None:
                continue  # not a numeric feature: nothing the API serves
            values[name] = float(Decimal(value))
            observed[name] = item.get("observed_at", {}).get("S", "")
        if not values:
            return None
        return Features(segment_id=segment_id, features=values, observed_at=observed)


class ReportSink:
    """A user report lands as one JSON object in the raw zone of the lake, then one record on the stream."""

    def __init__(self, settings: Settings, session: boto3.session.Session | None = None) -> None:
        self.bucket = settings.raw_bucket
        self.stream = settings.sensor_stream
        self._s3 = client(settings, "s3", session)
        self._kinesis = client(settings, "kinesis", session)

    def submit(self, report: ReportIn) -> ReportAccepted:
        received = datetime.now(UTC)
        report_id = str(uuid.uuid4())
        key = f"{REPORTS_PREFIX}/date={received:%Y-%m-%d}/{report_id}.json"
        document: dict[str, Any] = {
            "report_id": report_id,
            "received_at": received.isoformat(),
            **report.model_dump(mode="json"),
        }
        try:
            self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=json.dumps(document).encode(), ContentType="application/json"
            )
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable("raw bucket", exc) from None
        event = {"type": "user_report", "report_id": report_id, "segment_id": report.segment_id, "object_key": key}
        try:
            record = self._kinesis.put_record(
                StreamName=self.stream, Data=json.dumps(event).encode(), PartitionKey=report.segment_id
            )
        except (ClientError, BotoCoreError) as exc:
            raise StoreUnavailable("sensor stream", exc) from None
        return ReportAccepted(report_id=report_id, object_key=key, sequence_number=record["SequenceNumber"])
