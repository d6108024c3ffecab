"""Environments of the platform: one frozen record each.

Every environment gets the same controls; only sizes, counts, retention and safety nets differ.
Nothing here names an endpoint or a test account: the synthesized JSON must be deployable to real
AWS as is (the embedded-AWS settings are added at plan time by an override file).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from citygate.errors import CitygateError

PROJECT = "citygate"
VPC_CIDR = "10.0.0.0/16"
# Two AZs; index i of each tuple lives in AZ i.
PUBLIC_SUBNET_CIDRS = ("10.0.1.0/24", "10.0.2.0/24")
PRIVATE_SUBNET_CIDRS = ("10.0.10.0/24", "10.0.11.0/24")
DATA_SUBNET_CIDRS = ("10.0.20.0/24", "10.0.21.0/24")

# Kubernetes service accounts that get an IAM role (IRSA), as (namespace, name).
SERVICE_ACCOUNTS: tuple[tuple[str, str], ...] = (
    ("production", "api"),
    ("production", "web"),
    ("production", "inference"),
    ("data-pipeline", "pipeline"),
    ("data-pipeline", "airflow"),
    ("kube-system", "aws-load-balancer-controller"),
    ("kube-system", "ebs-csi-controller-sa"),
    ("kube-system", "efs-csi-controller-sa"),
    ("kube-system", "fluent-bit"),
    ("amazon-cloudwatch", "cloudwatch-agent"),  # Container Insights metrics (the EKS add-on's agent)
)

# Container images the cluster runs, one ECR repository each: the project's own five (the load
# test's master and workers included), and the upstream images the platform runs (Fluent Bit, the AWS
# Load Balancer Controller, cert-manager) mirrored into our registry (workloads/base/core/mirrors.yaml),
# so every pod pulls by digest from ECR.
IMAGES = (
    "api",
    "web",
    "inference",
    "pipeline",
    "loadtest",
    "fluent-bit",
    "aws-load-balancer-controller",
    "cert-manager-controller",
)

# The GitHub repository (owner/name) whose workflows the CI roles trust, and nothing else.
GITHUB_REPOSITORY = "citygate-city/citygate"
# What CI does to each remote environment, and the GitHub environment of the jobs doing it: a CI role trusts
# tokens of exactly that environment (its required reviewers guard the role), never a branch pattern.
CI_PURPOSES = ("plan", "apply", "push", "deploy")
CI_GITHUB_ENVIRONMENTS: dict[str, dict[str, str]] = {
    "dev": dict.fromkeys(CI_PURPOSES, "dev"),
    "staging": dict.fromkeys(CI_PURPOSES, "staging"),
    "prod": {"plan": "production-plan", "apply": "production", "push": "production", "deploy": "production"},
}
# Which environment's images each environment's push role may read: prod's are promoted from staging's.
PROMOTED_FROM = {"prod": "staging"}


def ci_role_name(env_name: str, purpose: str) -> str:
    """The CI role of one environment and purpose (`citygate-ci-prod-push`): bootstrap creates it, others trust it."""
    return f"{PROJECT}-ci-{env_name}-{purpose}"


@dataclass(frozen=True)
class LocalBackend:
    """Terraform state in a local file (the embedded-AWS environment)."""

    path: str = "terraform.tfstate"


@dataclass(frozen=True)
class S3Backend:
    """Remote Terraform state for real AWS: an encrypted S3 object plus a DynamoDB lock table."""

    bucket: str
    key: str
    dynamodb_table: str
    region: str


@dataclass(frozen=True)
class Environment:
    """Sizes and safety nets of one environment; the controls themselves never vary."""

    name: str
    # The AWS account the environment lives in: the overlays' role, registry and target-group references are
    # written from it (`python main.py overlays`). `local` is the embedded AWS's fixed account.
    account_id: str
    region: str
    availability_zones: tuple[str, str]
    backend: LocalBackend | S3Backend
    nat_gateways: int
    eks_version: str
    node_instance_types: tuple[str, ...]
    node_min: int
    node_desired: int
    node_max: int
    node_volume_gb: int
    # EKS managed add-ons installed by Terraform; the embedded AWS has no add-on API, so `local` has none.
    eks_addons: tuple[str, ...]
    aurora_instance_class: str
    aurora_instances: int
    aurora_backup_days: int
    deletion_protection: bool
    log_retention_days: int
    kinesis_shards: int
    kinesis_retention_hours: int
    waf_rate_limit: int
    ecr_images_kept: int
    data_infrequent_access_days: int
    noncurrent_version_days: int
    secret_rotation_days: int
    kms_deletion_window_days: int
    domain_name: str
    # The in-VPC deploy runner (CodeBuild) and its EKS access entry; the embedded AWS has no access-entry API.
    in_vpc_deployer: bool

    @property
    def prefix(self) -> str:
        """Name prefix of every resource of this environment, e.g. `citygate-prod`."""
        return f"{PROJECT}-{self.name}"

    @property
    def stack_name(self) -> str:
        return f"{PROJECT}-{self.name}"

    @property
    def cluster_name(self) -> str:
        return f"{self.prefix}-eks"

    @property
    def disposable(self) -> bool:
        """Whether `destroy` may delete data without a final snapshot (only the embedded environment)."""
        return not self.deletion_protection


def _remote_backend(env: str, region: str) -> S3Backend:
    return S3Backend(
        bucket=f"{PROJECT}-tfstate-{env}",
        key=f"{PROJECT}/{env}/terraform.tfstate",
        dynamodb_table=f"{PROJECT}-tflock-{env}",
        region=region,
    )


_REGION = "eu-west-1"

# dev is the reference; the other environments state only how they differ from it.
_DEV = Environment(
    name="dev",
    account_id="111111111111",
    region=_REGION,
    availability_zones=("eu-west-1a", "eu-west-1b"),
    backend=_remote_backend("dev", _REGION),
    nat_gateways=1,
    eks_version="1.32",
    node_instance_types=("t3.large",),
    node_min=1,
    node_desired=2,
    node_max=3,
    node_volume_gb=30,
    eks_addons=(
        "vpc-cni",
        "coredns",
        "kube-proxy",
        "aws-ebs-csi-driver",
        "aws-efs-csi-driver",
        "amazon-cloudwatch-observability",
    ),
    aurora_instance_class="db.t4g.medium",
    aurora_instances=1,
    aurora_backup_days=7,
    deletion_protection=True,
    log_retention_days=365,
    kinesis_shards=1,
    kinesis_retention_hours=24,
    waf_rate_limit=2000,
    ecr_images_kept=20,
    data_infrequent_access_days=30,
    noncurrent_version_days=30,
    secret_rotation_days=30,
    kms_deletion_window_days=30,
    domain_name="dev.citygate.example",
    in_vpc_deployer=True,
)
_STAGING = replace(
    _DEV,
    name="staging",
    account_id="222222222222",
    backend=_remote_backend("staging", _REGION),
    nat_gateways=2,
    node_instance_types=("m6i.large",),
    node_min=2,
    node_desired=2,
    node_max=4,
    node_volume_gb=50,
    aurora_instance_class="db.r6g.large",
    aurora_instances=2,
    aurora_backup_days=14,
    log_retention_days=400,
    kinesis_shards=2,
    kinesis_retention_hours=72,
    ecr_images_kept=30,
    data_infrequent_access_days=60,
    noncurrent_version_days=90,
    domain_name="staging.citygate.example",
)
ENVIRONMENTS: dict[str, Environment] = {
    env.name: env
    for env in (
        # The embedded AWS: disposable, smallest, and without EKS add-ons (moto has no add-on API).
        replace(
            _DEV,
            name="local",
            account_id="123456789012",
            region="us-east-1",
            availability_zones=("us-east-1a", "us-east-1b"),
            backend=LocalBackend(),
            node_desired=1,
            node_max=2,
            node_instance_types=("t3.medium",),
            node_volume_gb=20,
            eks_addons=(),
            aurora_backup_days=7,
            deletion_protection=False,
            waf_rate_limit=1000,
            ecr_images_kept=10,
            kms_deletion_window_days=7,
            domain_name="local.citygate.example",
            in_vpc_deployer=False,
        ),
        _DEV,
        _STAGING,
        replace(
            _STAGING,
            name="prod",
            account_id="333333333333",
            backend=_remote_backend("prod", _REGION),
            node_instance_types=("m6i.xlarge", "m6a.xlarge"),
            node_min=3,
            node_desired=3,
            node_max=10,
            node_volume_gb=100,
            aurora_instance_class="db.r6g.xlarge",
            aurora_instances=3,
            aurora_backup_days=35,
            log_retention_days=731,
            kinesis_shards=4,
            kinesis_retention_hours=168,
            waf_rate_limit=5000,
            ecr_images_kept=50,
            data_infrequent_access_days=90,
            noncurrent_version_days=365,
            domain_name="citygate.example",
        ),
    )
}


# The account's delivery foundations (stacks/bootstrap.py): applied once by an administrator, state kept locally
# (it creates the remote-state buckets every other stack's state lives in).
BOOTSTRAP = replace(_DEV, name="bootstrap", backend=LocalBackend(), in_vpc_deployer=False)


def environment(name: str) -> Environment:
    """The environment called `name`; an unknown name is a usage error (fail closed)."""
    try:
        return ENVIRONMENTS[name]
    except KeyError:
        known = ", ".join(ENVIRONMENTS)
        raise CitygateError(f"unknown environment {name!r} (known: {known})", "stacks") from None
