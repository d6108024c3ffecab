"""One environment's whole platform as a single Terraform stack (`citygate-<env>`)."""

from __future__ import annotations

from cdktf import LocalBackend, S3Backend, TerraformElement, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct, Node

from stacks import config
from stacks.config import Environment
from stacks.context import Context
from stacks.keys import Keys
from stacks.naming import LogicalIds
from stacks.network import Network

AWS_PROVIDER_VERSION = "5.100.0"


class PlatformStack(TerraformStack):
    """Network, security, cluster, data, registry and edge of one environment."""

    def __init__(self, scope: Construct, env: Environment) -> None:
        self._logical_ids = LogicalIds()
        super().__init__(scope, env.stack_name)
        self._backend(env)
        AwsProvider(
            self,
            "aws",
            region=env.region,
            default_tags=[
                AwsProviderDefaultTags(
                    tags={"Project": config.PROJECT, "Environment": env.name, "ManagedBy": "terraform"}
                )
            ],
        )
        self.add_override("terraform.required_providers.aws.source", "hashicorp/aws")
        account = DataAwsCallerIdentity(self, "current")
        ctx = Context(env=env, account_id=account.account_id)

        keys = Keys(self, "keys", ctx)
        Network(self, "network", ctx, keys)

    def _allocate_logical_id(self, tf_element: TerraformElement | Node) -> str:
        """CDKTF hook: readable logical ids (see stacks.naming)."""
        return self._logical_ids.allocate(tf_element) or super()._allocate_logical_id(tf_element)

    def _backend(self, env: Environment) -> None:
        backend = env.backend
        if isinstance(backend, config.S3Backend):
            S3Backend(
                self,
                bucket=backend.bucket,
                key=backend.key,
                region=backend.region,
                dynamodb_table=backend.dynamodb_table,
                encrypt=True,
            )
        else:
            LocalBackend(self, path=backend.path)
