"""ECR: immutable tags, scan on push, CMK encryption and a lifecycle policy on every repository."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.live.checks.keys import customer_managed_problem
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, Problems, fetch, judge_each, live_rule


def judge_repositories(ctx: LiveContext, problems: Problems) -> Iterator[Outcome]:
    ecr = ctx.aws("ecr")

    def describe(repo: Deployed) -> dict[str, Any] | None:
        found = fetch(ecr.describe_repositories, repositoryNames=[repo.get("name")]) or {}
        return next(iter(found.get("repositories", [])), None)

    return judge_each(ctx, "aws_ecr_repository", describe, problems)


@live_rule("CG_LIVE_ECR_001", mirrors=("CG_ECR_001",))
def immutable_tags(ctx: LiveContext) -> Iterator[Outcome]:
    return judge_repositories(
        ctx, lambda live: [None if live.get("imageTagMutability") == "IMMUTABLE" else "image tags are mutable"]
    )


@live_rule("CG_LIVE_ECR_002", mirrors=("CG_ECR_002",))
def scan_on_push(ctx: LiveContext) -> Iterator[Outcome]:
    return judge_repositories(
        ctx,
        lambda live: [None if live.get("imageScanningConfiguration", {}).get("scanOnPush") else "scan on push is off"],
    )


@live_rule("CG_LIVE_ECR_003", mirrors=("CG_ECR_003",))
def repository_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(live: dict[str, Any]) -> list[str | None]:
        encryption = live.get("encryptionConfiguration", {})
        if encryption.get("encryptionType") != "KMS":
            return ["images are not encrypted with KMS"]
        return [customer_managed_problem(ctx, encryption.get("kmsKey"), "image encryption")]

    return judge_repositories(ctx, problems)


@live_rule("CG_LIVE_ECR_004", mirrors=("CG_ECR_004",))
def lifecycle_policy(ctx: LiveContext) -> Iterator[Outcome]:
    ecr = ctx.aws("ecr")
    return judge_repositories(
        ctx,
        lambda live: [
            None if fetch(ecr.get_lifecycle_policy, repositoryName=live["repositoryName"]) else "no lifecycle policy"
        ],
    )
