"""Data at rest: S3 data lake buckets, DynamoDB, Aurora, Kinesis, log groups and secrets."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from citygate.bucket_tls import denies_plain_http
from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, Problems, fetch, judge_each, live_rule
from citygate.policy_json import as_list

PUBLIC_ACCESS_FLAGS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")


def judge_buckets(ctx: LiveContext, problems: Problems) -> Iterator[Outcome]:
    """Judge each deployed bucket that still exists; `problems` receives its name."""
    s3 = ctx.aws("s3")

    def existing(bucket: Deployed) -> str | None:
        name = str(bucket.get("bucket") or bucket.get("id"))
        return name if fetch(s3.head_bucket, Bucket=name) is not None else None

    return judge_each(ctx, "aws_s3_bucket", existing, problems)


@live_rule("CG_LIVE_S3_001", mirrors=("CG_S3_001",))
def bucket_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(name: str) -> list[str | None]:
        config = fetch(ctx.aws("s3").get_bucket_encryption, Bucket=name) or {}
        rules = config.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        defaults = [r.get("ApplyServerSideEncryptionByDefault", {}) for r in rules]
        kms = [d for d in defaults if d.get("SSEAlgorithm") in ("aws:kms", "aws:kms:dsse")]
        if not kms:
            return ["default encryption is not SSE-KMS"]
        return [customer_managed_problem(ctx, kms[0].get("KMSMasterKeyID"), "default encryption")]

    return judge_buckets(ctx, problems)


@live_rule("CG_LIVE_S3_002", mirrors=("CG_S3_002",))
def bucket_public_access_block(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(name: str) -> list[str | None]:
        config = fetch(ctx.aws("s3").get_public_access_block, Bucket=name) or {}
        flags = config.get("PublicAccessBlockConfiguration", {})
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if not flags.get(flag)]
        return [f"public access block flags off: {', '.join(off)}" if off else None]

    return judge_buckets(ctx, problems)


@live_rule("CG_LIVE_S3_003", mirrors=("CG_S3_003",))
def bucket_versioning(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(name: str) -> list[str | None]:
        status = (fetch(ctx.aws("s3").get_bucket_versioning, Bucket=name) or {}).get("Status", "never enabled")
        return [None if status == "Enabled" else f"versioning is {status}"]

    return judge_buckets(ctx, problems)


@live_rule("CG_LIVE_S3_004", mirrors=("CG_S3_004",))
def bucket_tls_only(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(name: str) -> list[str | None]:
        policy = fetch(ctx.aws("s3").get_bucket_policy, Bucket=name)
        statements = as_list(json.loads(policy["Policy"]).get("Statement", [])) if policy else []
        ok = any(denies_plain_http(s) for s in statements)
        return [None if ok else "no bucket policy statement denies insecure transport"]

    return judge_buckets(ctx, problems)


def _tables(ctx: LiveContext, problems: Problems) -> Iterator[Outcome]:
    dynamodb = ctx.aws("dynamodb")

    def describe(table: Deployed) -> dict[str, Any] | None:
        described = fetch(dynamodb.describe_table, TableName=table.get("name"))
        if described is None:
            return None
        backups = fetch(dynamodb.describe_continuous_backups, TableName=table.get("name")) or {}
        return {**described["Table"], **backups}

    return judge_each(ctx, "aws_dynamodb_table", describe, problems)


@live_rule("CG_LIVE_DDB_001", mirrors=("CG_DDB_001",))
def table_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(table: dict[str, Any]) -> list[str | None]:
        sse = table.get("SSEDescription", {})
        if sse.get("SSEType") != "KMS" or sse.get("Status") not in ("ENABLED", "UPDATING"):
            return ["server-side encryption with KMS is off"]
        return [customer_managed_problem(ctx, sse.get("KMSMasterKeyArn"), "table encryption")]

    return _tables(ctx, problems)


@live_rule("CG_LIVE_DDB_002", mirrors=("CG_DDB_002",))
def table_pitr(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(table: dict[str, Any]) -> list[str | None]:
        pitr = table.get("ContinuousBackupsDescription", {}).get("PointInTimeRecoveryDescription", {})
        status = pitr.get("PointInTimeRecoveryStatus", "DISABLED")
        return [None if status == "ENABLED" else f"point-in-time recovery is {status}"]

    return _tables(ctx, problems)


def _aurora_clusters(ctx: LiveContext, problems: Problems) -> Iterator[Outcome]:
    rds = ctx.aws("rds")

    def describe(cluster: Deployed) -> dict[str, Any] | None:
        name = cluster.get("cluster_identifier") or cluster.get("id")
        described = fetch(rds.describe_db_clusters, DBClusterIdentifier=name) or {}
        return next(iter(described.get("DBClusters", [])), None)

    return judge_each(ctx, "aws_rds_cluster", describe, problems)


@live_rule("CG_LIVE_RDS_001", mirrors=("CG_RDS_001",))
def aurora_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        if not cluster.get("StorageEncrypted"):
            return ["storage is not encrypted"]
        return [customer_managed_problem(ctx, cluster.get("KmsKeyId"), "storage encryption")]

    return _aurora_clusters(ctx, problems)


@live_rule("CG_LIVE_RDS_002", mirrors=("CG_RDS_002",))
def aurora_private(ctx: LiveContext) -> Iterator[Outcome]:
    rds = ctx.aws("rds")

    def problems(cluster: dict[str, Any]) -> list[str | None]:
        members = [m["DBInstanceIdentifier"] for m in cluster.get("DBClusterMembers", [])]
        described: Iterable[dict[str, Any]] = (
            instance
            for member in members
            for instance in (fetch(rds.describe_db_instances, DBInstanceIdentifier=member) or {}).get("DBInstances", [])
        )
        public = [i["DBInstanceIdentifier"] for i in described if i.get("PubliclyAccessible")]
        return [f"publicly accessible instances: {', '.join(public)}" if public else None]

    return _aurora_clusters(ctx, problems)


@live_rule("CG_LIVE_KIN_001", mirrors=("CG_KIN_001",))
def stream_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    kinesis = ctx.aws("kinesis")

    def describe(stream: Deployed) -> dict[str, Any] | None:
        described = fetch(kinesis.describe_stream_summary, StreamName=stream.get("name"))
        return described["StreamDescriptionSummary"] if described else None

    def problems(summary: dict[str, Any]) -> list[str | None]:
        if summary.get("EncryptionType") != "KMS":
            return ["server-side encryption is off"]
        return [customer_managed_problem(ctx, summary.get("KeyId"), "stream encryption")]

    return judge_each(ctx, "aws_kinesis_stream", describe, problems)


@live_rule("CG_LIVE_LOG_001", mirrors=("CG_LOG_001",))
def log_group_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    logs = ctx.aws("logs")

    def describe(group: Deployed) -> dict[str, Any] | None:
        found = logs.describe_log_groups(logGroupNamePrefix=group.get("name")).get("logGroups", [])
        return next((g for g in found if g.get("logGroupName") == group.get("name")), None)

    return judge_each(
        ctx,
        "aws_cloudwatch_log_group",
        describe,
        lambda live: [customer_managed_problem(ctx, live.get("kmsKeyId"), "log group encryption")],
    )


def _secrets(ctx: LiveContext, problems: Problems) -> Iterator[Outcome]:
    client = ctx.aws("secretsmanager")

    def describe(secret: Deployed) -> dict[str, Any] | None:
        found: dict[str, Any] | None = fetch(client.describe_secret, SecretId=secret.get("arn") or secret.get("id"))
        return found

    return judge_each(ctx, "aws_secretsmanager_secret", describe, problems)


@live_rule("CG_LIVE_SM_001", mirrors=("CG_SM_001",))
def secret_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    return _secrets(ctx, lambda live: [customer_managed_problem(ctx, live.get("KmsKeyId"), "secret encryption")])


@live_rule("CG_LIVE_SM_002", mirrors=("CG_SM_002",))
def secret_rotation(ctx: LiveContext) -> Iterator[Outcome]:
    return _secrets(ctx, lambda live: [None if live.get("RotationEnabled") else "rotation is off"])
