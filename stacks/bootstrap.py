"""The account's delivery foundations (`citygate-bootstrap`): what every other stack and workflow assumes exists.

Remote state (one CMK-encrypted, versioned, TLS-only, access-logged bucket and one lock table per environment),
the GitHub Actions OIDC provider, and one CI role per environment and purpose. A role trusts tokens of this
repository's GitHub environment only (`repo:<owner>/<name>:environment:<env>`, StringEquals, audience STS),
so a fork, another repository or an unprotected branch cannot assume it, and the environment's required
reviewers guard what the role can do. This stack keeps its own state locally: it creates the buckets that
hold everybody else's.

What is not scoped by name or tag (IAM has no resource-level permission for it) is listed in
`UNSCOPED_ACTIONS` and in README "Delivery".
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf import LocalBackend
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute
from cdktf_cdktf_provider_aws.iam_openid_connect_provider import IamOpenidConnectProvider
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.provider import AwsProvider, AwsProviderDefaultTags
from constructs import Construct

from stacks import config
from stacks.buckets import SecureBucket
from stacks.config import (
    CI_GITHUB_ENVIRONMENTS,
    GITHUB_REPOSITORY,
    PROJECT,
    PROMOTED_FROM,
    Environment,
    S3Backend,
    ci_role_name,
)
from stacks.context import Context
from stacks.keys import customer_key
from stacks.naming import ReadableIdsStack, ResourceGroup
from stacks.platform import AWS_PROVIDER_VERSION
from stacks.policy import Statement, allow, document
from stacks.roles import role

GITHUB_ISSUER = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"
# Intermediate CA thumbprints of the GitHub issuer (IAM no longer checks them for it; the API still takes them).
GITHUB_THUMBPRINTS = ("6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd")
# Actions that IAM cannot scope to a resource: each role that needs one gets it on "*" and nothing else there.
UNSCOPED_ACTIONS = ("ecr:GetAuthorizationToken",)
# Services whose resources are named by ID (vpc-…, key/…): the apply role changes them only when they carry,
# or are created with, the environment's `Environment` tag (the provider's default tags set it everywhere).
TAGGED_SERVICES = ("ec2", "elasticloadbalancing", "kms", "wafv2", "acm", "guardduty", "config", "cloudwatch", "events")
# Services whose ARNs carry the resource name: the apply role changes only names of its environment.
NAMED_SERVICES = (
    "s3", "dynamodb", "kinesis", "ecr", "logs", "secretsmanager", "eks", "rds", "lambda", "ssm", "cloudtrail",
    "codebuild",
)  # fmt: skip
IAM_WRITES = [
    "iam:CreateRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
    "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:PassRole",
    "iam:CreateOpenIDConnectProvider", "iam:DeleteOpenIDConnectProvider", "iam:TagOpenIDConnectProvider",
    "iam:UpdateOpenIDConnectProviderThumbprint", "iam:AddClientIDToOpenIDConnectProvider",
]  # fmt: skip
ECR_PUSH = [
    "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
    "ecr:PutImage", "ecr:BatchGetImage", "ecr:DescribeImages",
]  # fmt: skip
ECR_PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:DescribeImages"]
# Roles that refresh the whole environment's state, so read everything (AWS managed ReadOnlyAccess).
READERS = ("plan", "apply")


class BootstrapContext(Context):
    """Bootstrap resources are the account's, not one environment's: named `citygate-<what>`."""

    def name(self, suffix: str) -> str:
        return f"{PROJECT}-{suffix}"


@dataclass(frozen=True)
class Target:
    """One remote environment as the CI roles see it: its ARNs by name prefix and its state."""

    env: Environment
    account_id: str

    @property
    def backend(self) -> S3Backend:
        backend = self.env.backend
        assert isinstance(backend, S3Backend)  # remote environments only (see _remote_targets)
        return backend

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.env.region}:{self.account_id}:{resource}"

    def state_statements(self, key_arn: str, *, write: bool) -> tuple[Statement, ...]:
        """Read (plan) or read and write (apply) the environment's state object, and hold its lock."""
        backend = self.backend
        services = [f"{service}.{self.env.region}.amazonaws.com" for service in ("s3", "dynamodb")]
        return (
            allow(
                "TerraformState",
                ["s3:ListBucket", "s3:GetObject", *(["s3:PutObject"] if write else [])],
                [f"arn:aws:s3:::{backend.bucket}", f"arn:aws:s3:::{backend.bucket}/{backend.key}"],
            ),
            allow(
                "TerraformStateKey",
                ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                key_arn,
                Condition={"StringEquals": {"kms:ViaService": services}},
            ),
            allow(
                "TerraformLock",
                ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem", "dynamodb:DescribeTable"],
                self.arn("dynamodb", f"table/{backend.dynamodb_table}"),
            ),
        )

    def repositories(self, env_name: str) -> str:
        return self.arn("ecr", f"repository/{PROJECT}/{env_name}/*")

    def named(self) -> list[str]:
        """ARN patterns of everything of this environment that is addressed by name."""
        prefix = self.env.prefix
        return [
            f"arn:aws:s3:::{prefix}-*",
            self.arn("dynamodb", f"table/{prefix}-*"),
            self.arn("kinesis", f"stream/{prefix}-*"),
            self.repositories(self.env.name),
            self.arn("logs", f"log-group:/{prefix}/*"),
            self.arn("logs", f"log-group:/aws/*/{prefix}-*"),
            self.arn("secretsmanager", f"secret:{prefix}*"),
            self.arn("eks", f"*/{prefix}-*"),
            self.arn("rds", f"*:{prefix}-*"),
            self.arn("lambda", f"function:{prefix}-*"),
            self.arn("ssm", f"parameter/{prefix}/*"),
            self.arn("cloudtrail", f"trail/{prefix}-*"),
            self.arn("codebuild", f"project/{prefix}-*"),
        ]


def _tagged(sid: str, env_name: str, tag_key: str) -> Statement:
    return allow(
        sid,
        [f"{service}:*" for service in TAGGED_SERVICES],
        "*",
        Condition={"StringEquals": {f"aws:{tag_key}/Environment": env_name}},
    )


def _permissions(target: Target, key_arn: str) -> dict[str, tuple[Statement, ...]]:
    """Inline statements of each CI role of `target` (plan and apply also get ReadOnlyAccess)."""
    env = target.env
    region_key = target.arn("kms", "key/*")
    pull_from = PROMOTED_FROM.get(env.name)
    # the promotion source's repositories are in the source's own account (stacks/registry.py lets this role in)
    source = Target(config.environment(pull_from), config.environment(pull_from).account_id) if pull_from else None
    registry_key = {"StringEquals": {"kms:ViaService": f"ecr.{env.region}.amazonaws.com"}}
    return {
        "plan": target.state_statements(key_arn, write=False),
        "apply": (
            *target.state_statements(key_arn, write=True),
            allow("NamedResources", [f"{service}:*" for service in NAMED_SERVICES], target.named()),
            _tagged("TaggedResources", env.name, "ResourceTag"),
            _tagged("TaggedCreation", env.name, "RequestTag"),
            allow(
                "EnvironmentRoles",
                IAM_WRITES,
                [
                    f"arn:aws:iam::{target.account_id}:role/{env.prefix}-*",
                    f"arn:aws:iam::{target.account_id}:oidc-provider/oidc.eks.{env.region}.amazonaws.com/*",
                ],
            ),
        ),
        "push": (
            allow("RegistryLogin", list(UNSCOPED_ACTIONS), "*"),
            allow("PushEnvironmentImages", ECR_PUSH, target.repositories(env.name)),
            *([allow("PullPromotedImages", ECR_PULL, source.repositories(source.env.name))] if source else []),
            allow(
                "RegistryKey",
                ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                region_key,
                Condition=registry_key,
            ),
        ),
        "deploy": (
            allow("FindCluster", ["eks:DescribeCluster"], target.arn("eks", f"cluster/{env.cluster_name}")),
            allow(
                "RunDeployer",
                ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                target.arn("codebuild", f"project/{env.prefix}-deployer"),
            ),
            allow(
                "ReadDeployerLogs",
                ["logs:GetLogEvents"],
                target.arn("logs", f"log-group:/aws/codebuild/{env.prefix}-deployer:*"),
            ),
        ),
    }


def _remote_targets(account_id: str) -> list[Target]:
    return [Target(config.environment(name), account_id) for name in CI_GITHUB_ENVIRONMENTS]


def github_trust(provider_arn: str, repository: str, environment: str) -> str:
    """Trust tokens of one GitHub environment of one repository, for the STS audience, and nothing else."""
    return document(
        {
            "Sid": "GithubEnvironment",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{GITHUB_ISSUER}:aud": STS_AUDIENCE,
                    f"{GITHUB_ISSUER}:sub": f"repo:{repository}:environment:{environment}",
                }
            },
        }
    )


class BootstrapStack(ReadableIdsStack):
    """State buckets and lock tables, the GitHub OIDC provider and the CI roles of every remote environment."""

    def __init__(self, scope: Construct, env: Environment = config.BOOTSTRAP) -> None:
        super().__init__(scope, env.stack_name)
        LocalBackend(self, path="terraform.tfstate")
        AwsProvider(
            self,
            "aws",
            region=env.region,
            default_tags=[
                AwsProviderDefaultTags(tags={"Project": PROJECT, "Environment": env.name, "ManagedBy": "terraform"})
            ],
        )
        self.add_override(
            "terraform.required_providers.aws", {"source": "hashicorp/aws", "version": AWS_PROVIDER_VERSION}
        )
        account = DataAwsCallerIdentity(self, "current").account_id
        ctx = BootstrapContext(env=env, account_id=account)
        key = customer_key(self, "tfstate", ctx, "Terraform state buckets and lock tables")
        access_logs = SecureBucket(
            self,
            "access_logs",
            ctx,
            key=None,
            logs_to=None,
            expire_days=env.log_retention_days,
            policy_statements=(
                allow(
                    "ServerAccessLogsOfStateBuckets",
                    ["s3:PutObject"],
                    f"arn:aws:s3:::{ctx.name('access-logs')}/s3/*",
                    Principal={"Service": "logging.s3.amazonaws.com"},
                    Condition={"StringEquals": {"aws:SourceAccount": account}},
                ),
            ),
        )
        targets = _remote_targets(account)
        for target in targets:
            self._state(ctx, target, key, access_logs)
        provider = IamOpenidConnectProvider(
            self,
            "github",
            url=f"https://{GITHUB_ISSUER}",
            client_id_list=[STS_AUDIENCE],
            thumbprint_list=list(GITHUB_THUMBPRINTS),
        )
        self.role_names: dict[str, str] = {}
        for target in targets:
            for purpose, statements in _permissions(target, key.arn).items():
                name = ci_role_name(target.env.name, purpose)
                group = ResourceGroup(self, f"ci_{target.env.name}_{purpose}")
                github_env = CI_GITHUB_ENVIRONMENTS[target.env.name][purpose]
                role(
                    group,
                    name=name,
                    trust=github_trust(provider.arn, GITHUB_REPOSITORY, github_env),
                    inline_policy=document(*statements),
                    managed_policy="ReadOnlyAccess" if purpose in READERS else None,
                    description=f"GitHub Actions, environment {github_env}: {purpose} {target.env.name}",
                )
                self.role_names[f"{target.env.name}/{purpose}"] = name

    def _state(self, ctx: Context, target: Target, key: KmsKey, access_logs: SecureBucket) -> None:
        """The environment's state bucket (`citygate-tfstate-<env>`) and lock table (`citygate-tflock-<env>`)."""
        backend = target.backend
        SecureBucket(self, _construct_id(backend.bucket), ctx, key=key, logs_to=access_logs)
        DynamodbTable(
            self,
            _construct_id(backend.dynamodb_table),
            name=backend.dynamodb_table,
            billing_mode="PAY_PER_REQUEST",
            hash_key="LockID",
            attribute=[DynamodbTableAttribute(name="LockID", type="S")],
            server_side_encryption={"enabled": True, "kms_key_arn": key.arn},
            point_in_time_recovery={"enabled": True},
            deletion_protection_enabled=True,
        )


def _construct_id(name: str) -> str:
    """`citygate-tfstate-dev` -> `tfstate_dev` (what SecureBucket names `citygate-tfstate-dev` again)."""
    return name.removeprefix(f"{PROJECT}-").replace("-", "_")
