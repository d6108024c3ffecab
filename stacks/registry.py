"""ECR repositories for the project's images: immutable tags, scan on push, KMS, bounded history."""

from __future__ import annotations

import json

from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import EcrRepository, EcrRepositoryEncryptionConfiguration
from constructs import Construct

from stacks.config import IMAGES, PROJECT
from stacks.context import Context
from stacks.keys import Keys
from stacks.naming import ResourceGroup

UNTAGGED_EXPIRY_DAYS = 14


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


class Registry(Construct):
    """One repository per image (`self.repositories[image]`), named `citygate/<env>/<image>` (tags immutable)."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys) -> None:
        super().__init__(scope, id_)
        self.repositories: dict[str, EcrRepository] = {}
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
            self.repositories[image] = repository
