"""ECR: immutable tags, scan on push, KMS encryption and a lifecycle policy on every repository."""

from __future__ import annotations

from collections.abc import Iterator

from citygate.findings import Severity
from citygate.live.checks.keys import customer_managed_problem
from citygate.live.rules import LiveContext, Outcome, fetch, judge, live_rule, missing


@live_rule(
    "CG-LIVE-ECR-001",
    "ECR repositories have immutable tags, scan on push, a CMK and a lifecycle policy",
    Severity.MEDIUM,
    "Set image_tag_mutability IMMUTABLE, scan_on_push, encryption_configuration KMS and a lifecycle policy.",
)
def repository_settings(ctx: LiveContext) -> Iterator[Outcome]:
    ecr = ctx.aws("ecr")
    for repo in ctx.deployed.of_type("aws_ecr_repository"):
        name = repo.get("name")
        found = fetch(ecr.describe_repositories, repositoryNames=[name])
        if not found or not found.get("repositories"):
            yield missing(repo.address, f"repository {name}")
            continue
        live = found["repositories"][0]
        encryption = live.get("encryptionConfiguration", {})
        kms = encryption.get("encryptionType") == "KMS"
        yield judge(
            repo.address,
            [
                None if live.get("imageTagMutability") == "IMMUTABLE" else "image tags are mutable",
                None if live.get("imageScanningConfiguration", {}).get("scanOnPush") else "scan on push is off",
                customer_managed_problem(ctx, encryption.get("kmsKey"), "image encryption")
                if kms
                else "images are not encrypted with KMS",
                None if fetch(ecr.get_lifecycle_policy, repositoryName=name) else "no lifecycle policy",
            ],
        )
