"""The data warehouse: Redshift clusters encrypted with a customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, judge_each, live_rule


@live_rule("CG_LIVE_RS_001", mirrors=("CG_RS_001",))
def warehouse_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    # One listing of the region's clusters: a lookup by name of a deleted cluster is an error, not None.
    pages = ctx.aws("redshift").get_paginator("describe_clusters").paginate()
    live = {cluster["ClusterIdentifier"]: cluster for page in pages for cluster in page.get("Clusters", [])}

    def describe(cluster: Deployed) -> dict[str, Any] | None:
        return live.get(cluster.get("cluster_identifier") or cluster.get("id"))

    def problems(cluster: dict[str, Any]) -> list[str | None]:
        if not cluster.get("Encrypted"):
            return ["storage is not encrypted"]
        return [customer_managed_problem(ctx, cluster.get("KmsKeyId"), "storage")]

    return judge_each(ctx, "aws_redshift_cluster", describe, problems)
