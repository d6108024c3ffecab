"""Data at rest: S3 data lake buckets, DynamoDB, Aurora, Kinesis, log groups and secrets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from citygate.findings import Severity
from citygate.live.checks.keys import customer_managed_problem
from citygate.live.rules import LiveContext, Outcome, fetch, judge, live_rule, missing

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def _buckets(ctx: LiveContext) -> Iterator[tuple[str, str]]:
    for bucket in ctx.deployed.of_type("aws_s3_bucket"):
        yield bucket.address, str(bucket.get("bucket") or bucket.get("id"))


@live_rule(
    "CG-LIVE-S3-001",
    "S3 buckets encrypt by default with a customer-managed KMS key",
    Severity.HIGH,
    "Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms and a CMK.",
)
def bucket_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    s3 = ctx.aws("s3")
    for address, name in _buckets(ctx):
        if fetch(s3.head_bucket, Bucket=name) is None:
            yield missing(address, f"bucket {name}")
            continue
        config = fetch(s3.get_bucket_encryption, Bucket=name)
        rules = (config or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        defaults = [r.get("ApplyServerSideEncryptionByDefault", {}) for r in rules]
        kms = [d for d in defaults if d.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse")]
        if not kms:
            yield judge(address, ["default encryption is not SSE-KMS"])
            continue
        yield judge(address, [customer_managed_problem(ctx, kms[0].get("KMSMasterKeyID"), "default encryption")])


@live_rule(
    "CG-LIVE-S3-002",
    "S3 buckets block every form of public access",
    Severity.HIGH,
    "Add aws_s3_bucket_public_access_block with all four flags true.",
)
def bucket_public_access_block(ctx: LiveContext) -> Iterator[Outcome]:
    s3 = ctx.aws("s3")
    for address, name in _buckets(ctx):
        config = fetch(s3.get_public_access_block, Bucket=name)
        flags = (config or {}).get("PublicAccessBlockConfiguration", {})
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if not flags.get(flag)]
        yield judge(address, [f"public access block flags off: {', '.join(off)}" if off else None])


def _denies_insecure_transport(statement: dict[str, Any]) -> bool:
    condition = statement.get("Condition", {})
    secure = {k.lower(): v for k, v in condition.get("Bool", {}).items()}.get("aws:securetransport")
    principal = statement.get("Principal")
    everyone = principal == "*" or (isinstance(principal, dict) and principal.get("AWS") == "*")
    actions = statement.get("Action", [])
    actions = [actions] if isinstance(actions, str) else actions
    return (
        statement.get("Effect") == "Deny"
        and everyone
        and "s3:*" in actions
        and str(secure).lower() in ("false", "['false']")
    )


@live_rule(
    "CG-LIVE-S3-004",
    "S3 bucket policies deny requests not made over TLS",
    Severity.HIGH,
    'Add a bucket policy statement: Deny s3:* to "*" when aws:SecureTransport is false.',
)
def bucket_tls_only(ctx: LiveContext) -> Iterator[Outcome]:
    s3 = ctx.aws("s3")
    for address, name in _buckets(ctx):
        policy = fetch(s3.get_bucket_policy, Bucket=name)
        statements = json.loads(policy["Policy"]).get("Statement", []) if policy else []
        statements = [statements] if isinstance(statements, dict) else statements
        ok = any(_denies_insecure_transport(s) for s in statements)
        yield judge(address, [None if ok else "no bucket policy statement denies insecure transport"])


@live_rule(
    "CG-LIVE-S3-003",
    "S3 buckets keep object versions",
    Severity.MEDIUM,
    "Add aws_s3_bucket_versioning with status Enabled.",
)
def bucket_versioning(ctx: LiveContext) -> Iterator[Outcome]:
    s3 = ctx.aws("s3")
    for address, name in _buckets(ctx):
        status = (fetch(s3.get_bucket_versioning, Bucket=name) or {}).get("Status", "never enabled")
        yield judge(address, [None if status == "Enabled" else f"versioning is {status}"])


@live_rule(
    "CG-LIVE-DDB-001",
    "DynamoDB tables are encrypted with a customer-managed KMS key",
    Severity.HIGH,
    "Set server_side_encryption { enabled = true, kms_key_arn = <CMK> } on the table.",
)
def table_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    dynamodb = ctx.aws("dynamodb")
    for table in ctx.deployed.of_type("aws_dynamodb_table"):
        described = fetch(dynamodb.describe_table, TableName=table.get("name"))
        if described is None:
            yield missing(table.address, f"table {table.get('name')}")
            continue
        sse = described["Table"].get("SSEDescription", {})
        if sse.get("SSEType") != "KMS" or sse.get("Status") not in ("ENABLED", "UPDATING"):
            yield judge(table.address, ["server-side encryption with KMS is off"])
            continue
        yield judge(table.address, [customer_managed_problem(ctx, sse.get("KMSMasterKeyArn"), "table encryption")])


@live_rule(
    "CG-LIVE-DDB-002",
    "DynamoDB tables have point-in-time recovery",
    Severity.MEDIUM,
    "Set point_in_time_recovery { enabled = true } on the table.",
)
def table_pitr(ctx: LiveContext) -> Iterator[Outcome]:
    dynamodb = ctx.aws("dynamodb")
    for table in ctx.deployed.of_type("aws_dynamodb_table"):
        backups = fetch(dynamodb.describe_continuous_backups, TableName=table.get("name")) or {}
        pitr = backups.get("ContinuousBackupsDescription", {}).get("PointInTimeRecoveryDescription", {})
        status = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
        yield judge(table.address, [None if status == "ENABLED" else f"point-in-time recovery is {status}"])


def _aurora_clusters(ctx: LiveContext) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    rds = ctx.aws("rds")
    for cluster in ctx.deployed.of_type("aws_rds_cluster"):
        name = cluster.get("cluster_identifier") or cluster.get("id")
        described = fetch(rds.describe_db_clusters, DBClusterIdentifier=name) or {}
        yield cluster.address, name, next(iter(described.get("DBClusters", [])), None)


@live_rule(
    "CG-LIVE-RDS-001",
    "Aurora clusters are encrypted with a customer-managed KMS key",
    Severity.HIGH,
    "Set storage_encrypted = true and kms_key_id = <CMK> on the cluster.",
)
def aurora_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    for address, name, live in _aurora_clusters(ctx):
        if live is None:
            yield missing(address, f"DB cluster {name}")
        elif not live.get("StorageEncrypted"):
            yield judge(address, ["storage is not encrypted"])
        else:
            yield judge(address, [customer_managed_problem(ctx, live.get("KmsKeyId"), "storage encryption")])


@live_rule(
    "CG-LIVE-RDS-002",
    "Aurora cluster instances are not publicly accessible",
    Severity.CRITICAL,
    "Set publicly_accessible = false on every cluster instance and keep them in the data subnets.",
)
def aurora_private(ctx: LiveContext) -> Iterator[Outcome]:
    rds = ctx.aws("rds")
    for address, name, live in _aurora_clusters(ctx):
        if live is None:
            yield missing(address, f"DB cluster {name}")
            continue
        members = [m["DBInstanceIdentifier"] for m in live.get("DBClusterMembers", [])]
        public = [
            member
            for member in members
            for instance in (fetch(rds.describe_db_instances, DBInstanceIdentifier=member) or {}).get("DBInstances", [])
            if instance.get("PubliclyAccessible")
        ]
        yield judge(address, [f"publicly accessible instances: {', '.join(public)}" if public else None])


@live_rule(
    "CG-LIVE-KIN-001",
    "Kinesis streams are encrypted with a customer-managed KMS key",
    Severity.HIGH,
    'Set encryption_type = "KMS" and kms_key_id = <CMK> on the stream.',
)
def stream_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    kinesis = ctx.aws("kinesis")
    for stream in ctx.deployed.of_type("aws_kinesis_stream"):
        described = fetch(kinesis.describe_stream_summary, StreamName=stream.get("name"))
        if described is None:
            yield missing(stream.address, f"stream {stream.get('name')}")
            continue
        summary = described["StreamDescriptionSummary"]
        if summary.get("EncryptionType") != "KMS":
            yield judge(stream.address, ["server-side encryption is off"])
            continue
        yield judge(stream.address, [customer_managed_problem(ctx, summary.get("KeyId"), "stream encryption")])


@live_rule(
    "CG-LIVE-LOG-001",
    "CloudWatch log groups are encrypted with a customer-managed KMS key",
    Severity.MEDIUM,
    "Set kms_key_id = <CMK> on the log group.",
)
def log_group_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    logs = ctx.aws("logs")
    for group in ctx.deployed.of_type("aws_cloudwatch_log_group"):
        name = group.get("name")
        found = logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", [])
        live = next((g for g in found if g.get("logGroupName") == name), None)
        if live is None:
            yield missing(group.address, f"log group {name}")
            continue
        yield judge(group.address, [customer_managed_problem(ctx, live.get("kmsKeyId"), "log group encryption")])


def _secrets(ctx: LiveContext) -> Iterator[tuple[str, str, dict[str, Any] | None]]:
    client = ctx.aws("secretsmanager")
    for secret in ctx.deployed.of_type("aws_secretsmanager_secret"):
        name = str(secret.get("name"))
        yield secret.address, name, fetch(client.describe_secret, SecretId=secret.get("arn") or secret.get("id"))


@live_rule(
    "CG-LIVE-SM-001",
    "Secrets Manager secrets are encrypted with a customer-managed KMS key",
    Severity.MEDIUM,
    "Set kms_key_id = <CMK> on the secret.",
)
def secret_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    for address, name, described in _secrets(ctx):
        if described is None:
            yield missing(address, f"secret {name}")
        else:
            yield judge(address, [customer_managed_problem(ctx, described.get("KmsKeyId"), "secret encryption")])


@live_rule(
    "CG-LIVE-SM-002",
    "Secrets Manager secrets rotate automatically",
    Severity.MEDIUM,
    "Add aws_secretsmanager_secret_rotation for the secret.",
)
def secret_rotation(ctx: LiveContext) -> Iterator[Outcome]:
    for address, name, described in _secrets(ctx):
        if described is None:
            yield missing(address, f"secret {name}")
        else:
            yield judge(address, [None if described.get("RotationEnabled") else "rotation is off"])
