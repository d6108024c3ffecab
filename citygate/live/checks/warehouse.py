"""The data warehouse: Redshift clusters encrypted with a customer-managed key, private, audited and
routed through the VPC, read back from the account."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, judge_each, live_rule

AUDIT_LOGS = {"connectionlog", "userlog", "useractivitylog"}  # as the CG_RS_003 rule asks


def _clusters(ctx: LiveContext) -> Callable[[Deployed], dict[str, Any] | None]:
    """Live description of a deployed cluster, from one listing of the region's clusters (a lookup by
    name of a deleted cluster is an error, not None)."""
    pages = ctx.aws("redshift").get_paginator("describe_clusters").paginate()
    live = {cluster["ClusterIdentifier"]: cluster for page in pages for cluster in page.get("Clusters", [])}
    return lambda cluster: live.get(cluster.get("cluster_identifier") or cluster.get("id"))


@live_rule("CG_LIVE_RS_001", mirrors=("CG_RS_001",))
def warehouse_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        if not cluster.get("Encrypted"):
            return ["storage is not encrypted"]
        return [customer_managed_problem(ctx, cluster.get("KmsKeyId"), "storage")]

    return judge_each(ctx, "aws_redshift_cluster", _clusters(ctx), problems)


@live_rule("CG_LIVE_RS_002", mirrors=("CG_RS_002",))
def warehouse_private(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        return ["cluster is publicly accessible" if cluster.get("PubliclyAccessible") else None]

    return judge_each(ctx, "aws_redshift_cluster", _clusters(ctx), problems)


@live_rule("CG_LIVE_RS_003", mirrors=("CG_RS_003",))
def warehouse_audit_logging(ctx: LiveContext) -> Iterator[Outcome]:
    client = ctx.aws("redshift")

    def problems(cluster: dict[str, Any]) -> list[str | None]:
        status = client.describe_logging_status(ClusterIdentifier=cluster["ClusterIdentifier"])
        if not status.get("LoggingEnabled"):
            return ["audit logging is off"]
        if status.get("LogDestinationType") == "cloudwatch":
            missing = AUDIT_LOGS - set(status.get("LogExports") or [])
            return [f"audit logs not exported to CloudWatch: {', '.join(sorted(missing))}" if missing else None]
        return [None if status.get("BucketName") else "audit logs go to S3 without a bucket"]

    return judge_each(ctx, "aws_redshift_cluster", _clusters(ctx), problems)


@live_rule("CG_LIVE_RS_004", mirrors=("CG_RS_004",))
def warehouse_vpc_routing(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(cluster: dict[str, Any]) -> list[str | None]:
        return [None if cluster.get("EnhancedVpcRouting") else "enhanced VPC routing is off"]

    return judge_each(ctx, "aws_redshift_cluster", _clusters(ctx), problems)
