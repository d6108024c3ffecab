"""boto3 clients for the pipeline's resources, and creating them on the embedded AWS where no stack did."""

from __future__ import annotations

import contextlib
import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from citysense_pipeline.config import Resources

REGION = "us-east-1"
_RETRIES = Config(retries={"max_attempts": 3, "mode": "standard"})


def client(resources: Resources, service: str) -> Any:
    """A client for `service`; on the embedded AWS, the endpoint and its test credentials, unless the
    process runs under a role as an IRSA pod does (`AWS_ROLE_ARN`): then the role's, as in the cluster."""
    if resources.endpoint_url:
        keys = {} if os.environ.get("AWS_ROLE_ARN") else {"aws_access_key_id": "test", "aws_secret_access_key": "test"}
        return boto3.client(service, endpoint_url=resources.endpoint_url, region_name=REGION, config=_RETRIES, **keys)
    return boto3.client(service, config=_RETRIES)


def ensure_resources(resources: Resources) -> None:
    """Create the buckets, stream and feature table when missing: only for the embedded AWS (tests, demos)."""
    if not resources.endpoint_url:
        raise RuntimeError("ensure_resources creates resources on the embedded AWS only; on AWS the stacks do")
    s3 = client(resources, "s3")
    for bucket in (resources.raw_bucket, resources.processed_bucket, resources.models_bucket):
        try:
            s3.create_bucket(Bucket=bucket)
        except ClientError as exc:
            if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise
    kinesis = client(resources, "kinesis")
    with contextlib.suppress(kinesis.exceptions.ResourceInUseException):
        kinesis.create_stream(StreamName=resources.sensor_stream, ShardCount=1)
    kinesis.get_waiter("stream_exists").wait(StreamName=resources.sensor_stream)
    dynamodb = client(resources, "dynamodb")
    with contextlib.suppress(dynamodb.exceptions.ResourceInUseException):
        dynamodb.create_table(
            TableName=resources.feature_table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[
                {"AttributeName": "entity_id", "KeyType": "HASH"},
                {"AttributeName": "feature_name", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "entity_id", "AttributeType": "S"},
                {"AttributeName": "feature_name", "AttributeType": "S"},
            ],
        )
