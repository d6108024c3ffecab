"""ECR repositories for the project's images: immutable tags, scan on push, KMS, bounded history.

An environment that another environment's images are promoted from (`PROMOTED_FROM`) lets that environment's
push role pull from its repositories when the two live in different accounts: `promote-images` copies with the
target's credentials, and a cross-account read needs the repository's consent as well as the caller's policy.
"""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepository, EcrRepositoryEncryptionConfiguration
from cdktf_cdktf_provider_aws.ecr_repository_policy import EcrRepositoryPolicy
from constructs import Construct

from stacks.config import ENVIRONMENTS, IMAGES, PROJECT, PROMOTED_FROM, Environment, ci_role_name
from stacks.context import Context
from stacks.keys import Keys
from stacks.naming import ResourceGroup
from stacks.policy import document

UNTAGGED_EXPIRY_DAYS = 14
# What `promote-images` asks of the source repository (citygate/commands/promote.py: `_manifest`, `_copy_blob`);
# layer availability is checked, and everything else done, in the target's own repository.
PROMOTION_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def lifecycle_policy(images_kept: int) -> str:
    """Expire untagged images after two weeks and keep only the newest `images_kept` tagged ones."""
    rules = [
        {
            "rulePriority": 1,
            "description": f"expire untagged images after {UNTAGGED_EXPIRY_DAYS} days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": UNTAGGED_EXPIRY_DAYS,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"keep the newest {images_kept} images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": images_kept},
            "action": {"type": "expire"},
        },
    ]
    return json.dumps({"rules": rules}, separators=(",", ":"))


def promotion_pullers(env: Environment) -> list[str]:
    """Push roles, in other accounts, of the environments promoted from `env` (same account: IAM alone decides)."""
    return [
        f"arn:aws:iam::{target.account_id}:role/{ci_role_name(target.name, 'push')}"
        for target in ENVIRONMENTS.values()
        if PROMOTED_FROM.get(target.name) == env.name and target.account_id != env.account_id
    ]


def promotion_policy(pullers: list[str]) -> str:
    """Repository policy letting exactly `pullers` read images for the copy, and nothing more."""
    return document(
        {"Sid": "PromotionPull", "Effect": "Allow", "Principal": {"AWS": pullers}, "Action": PROMOTION_PULL}
    )


class Registry(Construct):
    """One repository per image (`self.repositories[image]`), named `citygate/<env>/<image>` (tags immutable)."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys) -> None:
        super().__init__(scope, id_)
        self.repositories: dict[str, EcrRepository] = {}
        pullers = promotion_pullers(ctx.env)
        for image in IMAGES:
            group = ResourceGroup(self, f"ecr_{image}")
            repository = EcrRepository(
                group,
                "repository",
                name=f"{PROJECT}/{ctx.env.name}/{image}",
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration={"scan_on_push": True},
                encryption_configuration=[
                    EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=keys.registry.arn)
                ],
                force_delete=ctx.env.disposable,
            )
            EcrLifecyclePolicy(
                group, "lifecycle", repository=repository.name, policy=lifecycle_policy(ctx.env.ecr_images_kept)
            )
            if pullers:
                EcrRepositoryPolicy(group, "promotion", repository=repository.name, policy=promotion_policy(pullers))
            self.repositories[image] = repository
