"""ECR: immutable tags, scan on push, CMK encryption and a lifecycle policy on every repository."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from citygate.findings import Severity
from citygate.live.checks.keys import customer_managed_problem
from citygate.live.rules import LiveContext, Outcome, fetch, judge, live_rule, missing

RepositoryCheck = Callable[[LiveContext, dict[str, Any]], str | None]


def _judge_repositories(ctx: LiveContext, problem: RepositoryCheck) -> Iterator[Outcome]:
    """One outcome per deployed repository, judged by `problem` on its live description."""
    ecr = ctx.aws("ecr")
    for repo in ctx.deployed.of_type("aws_ecr_repository"):
        name = repo.get("name")
        found = (fetch(ecr.describe_repositories, repositoryNames=[name]) or {}).get("repositories", [])
        yield judge(repo.address, [problem(ctx, found[0])]) if found else missing(repo.address, f"repository {name}")


@live_rule(
    "CG-LIVE-ECR-001",
    "ECR image tags are immutable",
    Severity.MEDIUM,
    'Set image_tag_mutability = "IMMUTABLE" on the repository.',
)
def immutable_tags(ctx: LiveContext) -> Iterator[Outcome]:
    return _judge_repositories(
        ctx, lambda _, live: None if live.get("imageTagMutability") == "IMMUTABLE" else "image tags are mutable"
    )


@live_rule(
    "CG-LIVE-ECR-002",
    "ECR scans every image on push",
    Severity.MEDIUM,
    "Set image_scanning_configuration { scan_on_push = true } on the repository.",
)
def scan_on_push(ctx: LiveContext) -> Iterator[Outcome]:
    return _judge_repositories(
        ctx,
        lambda _, live: None if live.get("imageScanningConfiguration", {}).get("scanOnPush") else "scan on push is off",
    )


def _encryption_problem(ctx: LiveContext, live: dict[str, Any]) -> str | None:
    encryption = live.get("encryptionConfiguration", {})
    if encryption.get("encryptionType") != "KMS":
        return "images are not encrypted with KMS"
    return customer_managed_problem(ctx, encryption.get("kmsKey"), "image encryption")


@live_rule(
    "CG-LIVE-ECR-003",
    "ECR repositories are encrypted with a customer-managed KMS key",
    Severity.MEDIUM,
    'Set encryption_configuration { encryption_type = "KMS", kms_key = <CMK> } on the repository.',
)
def repository_encryption(ctx: LiveContext) -> Iterator[Outcome]:
    return _judge_repositories(ctx, _encryption_problem)


@live_rule(
    "CG-LIVE-ECR-004",
    "ECR repositories expire old images with a lifecycle policy",
    Severity.LOW,
    "Add aws_ecr_lifecycle_policy for the repository.",
)
def lifecycle_policy(ctx: LiveContext) -> Iterator[Outcome]:
    ecr = ctx.aws("ecr")
    return _judge_repositories(
        ctx,
        lambda _, live: (
            None if fetch(ecr.get_lifecycle_policy, repositoryName=live["repositoryName"]) else "no lifecycle policy"
        ),
    )
