"""IAM roles for Kubernetes service accounts (IRSA), one per workload, least privilege.

Each role trusts the cluster's OIDC provider only for tokens whose `aud` is `sts.amazonaws.com` and
whose `sub` is exactly one `system:serviceaccount:<namespace>:<name>`; no wildcard, no shared role.
"""

from __future__ import annotations

from dataclasses import dataclass

from constructs import Construct

from stacks.cluster import Cluster
from stacks.config import SERVICE_ACCOUNTS
from stacks.context import Context
from stacks.data import Data
from stacks.edge import Edge
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.policy import Statement, allow, document
from stacks.roles import role
from stacks.security import Security

_FEATURE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
_FEATURE_WRITE = ["dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]
_KMS_READ = ["kms:Decrypt", "kms:DescribeKey"]
_KMS_WRITE = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
_SECRET_READ = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
# Add-on name -> the service account its IRSA role is for.
ADDON_SERVICE_ACCOUNTS = {
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa"),
    "aws-efs-csi-driver": ("kube-system", "efs-csi-controller-sa"),
    "amazon-cloudwatch-observability": ("amazon-cloudwatch", "cloudwatch-agent"),
}
# What the AWS Load Balancer Controller reads in TargetGroupBinding-only mode (its published policy, less
# everything that creates or changes load balancers, listeners, rules, security groups or WAF associations).
LOAD_BALANCER_CONTROLLER_READS = (
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetGroupAttributes",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:DescribeTags",
    "ec2:DescribeSubnets",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVpcs",
    "ec2:DescribeInstances",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeAvailabilityZones",
)
# The only writes it needs: pod IPs in and out of the stack's target groups.
LOAD_BALANCER_CONTROLLER_WRITES = ("elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets")


@dataclass(frozen=True)
class Permissions:
    """What one service account may do: inline statements and/or an AWS managed policy (path)."""

    statements: tuple[Statement, ...] = ()
    managed_policy: str | None = None


def service_account_key(namespace: str, name: str) -> str:
    """`namespace/name`, the key of the role map in the stack outputs."""
    return f"{namespace}/{name}"


def irsa_trust(provider_arn: str, issuer_host: str, namespace: str, name: str) -> str:
    """Trust policy pinning `aud` and `sub` to exactly one service account."""
    return document(
        {
            "Sid": "ServiceAccountWebIdentity",
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {
                "StringEquals": {
                    f"{issuer_host}:aud": "sts.amazonaws.com",
                    f"{issuer_host}:sub": f"system:serviceaccount:{namespace}:{name}",
                }
            },
        }
    )


class WorkloadIdentities(Construct):
    """One IRSA role per service account in `config.SERVICE_ACCOUNTS`; `self.role_arns` maps ns/name to ARN."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        ctx: Context,
        keys: Keys,
        cluster: Cluster,
        data: Data,
        security: Security,
        edge: Edge,
    ) -> None:
        super().__init__(scope, id_)
        self.container_logs = log_group(self, "containers", ctx, f"/{ctx.env.prefix}/containers", keys.logs)
        permissions = self._permissions(ctx, keys, data, security, edge)
        self.role_arns: dict[str, str] = {}
        for namespace, name in SERVICE_ACCOUNTS:
            group = ResourceGroup(self, f"irsa_{namespace}_{name}".replace("-", "_"))
            granted = permissions[(namespace, name)]
            created = role(
                group,
                name=ctx.name(f"irsa-{namespace}-{name}"),
                description=f"IRSA role of service account {namespace}/{name}",
                trust=irsa_trust(cluster.oidc_provider.arn, cluster.oidc_issuer_host.as_string, namespace, name),
                inline_policy=document(*granted.statements) if granted.statements else None,
                managed_policy=granted.managed_policy,
            )
            self.role_arns[service_account_key(namespace, name)] = created.arn

    def addon_roles(self) -> dict[str, str]:
        """Add-on name -> IRSA role ARN, for the add-ons whose controller needs AWS access."""
        return {addon: self.role_arns[service_account_key(*sa)] for addon, sa in ADDON_SERVICE_ACCOUNTS.items()}

    def _permissions(
        self, ctx: Context, keys: Keys, data: Data, security: Security, edge: Edge
    ) -> dict[tuple[str, str], Permissions]:
        lake = data.lake
        table = data.feature_table.arn
        stream = data.sensor_stream.arn
        secret = {name: s.arn for name, s in security.secrets.items()}
        models_prefix = "models/"
        registry_prefix = "registry/"  # the model registry's versions and production pointer (citysense_inference)
        training_prefix = "training/"  # the training sets the DAG writes to the processed zone
        reports_prefix = "reports/"  # where the API files citizens' reports (workloads/api stores.py)

        def db_user(user: str) -> str:
            return ctx.arn("rds-db", f"dbuser:{data.database.cluster_resource_id}/{user}")

        return {
            ("production", "api"): Permissions(
                (
                    allow("ReadFeatures", _FEATURE_READ, [table]),
                    allow("PublishSensorEvents", ["kinesis:PutRecord", "kinesis:PutRecords"], [stream]),
                    allow("ReadOwnSecret", _SECRET_READ, [secret["inference_api_key"]]),
                    allow("ConnectAsApi", ["rds-db:connect"], [db_user("api")]),
                    allow("WriteReports", ["s3:PutObject"], [lake["raw"].objects(reports_prefix)]),
                    allow("UseKeys", _KMS_WRITE, [keys.feature_store.arn, keys.streaming.arn, keys.secrets.arn]),
                    allow("EncryptReports", ["kms:GenerateDataKey"], [keys.data_lake.arn]),
                )
            ),
            ("production", "web"): Permissions(
                (
                    allow(
                        "ReadWebParameters",
                        ["ssm:GetParameter", "ssm:GetParameters"],
                        [ctx.arn("ssm", f"parameter/{ctx.env.prefix}/*")],
                    ),
                    allow("ReadOwnSecret", _SECRET_READ, [secret["web_session_key"]]),
                    allow("DecryptSecret", _KMS_READ, [keys.secrets.arn]),
                )
            ),
            ("production", "inference"): Permissions(
                (
                    allow(
                        "ReadModels",
                        ["s3:GetObject"],
                        [lake["models"].objects(models_prefix), lake["models"].objects(registry_prefix)],
                    ),
                    allow(
                        "ListModels",
                        ["s3:ListBucket"],
                        [lake["models"].arn],
                        Condition={"StringLike": {"s3:prefix": [f"{models_prefix}*"]}},
                    ),
                    allow("ReadFeatures", _FEATURE_READ, [table]),
                    allow("ReadOwnSecret", _SECRET_READ, [secret["inference_api_key"]]),
                    allow("DecryptModelsAndFeatures", _KMS_READ, [keys.data_lake.arn, keys.feature_store.arn]),
                    allow("DecryptSecret", _KMS_READ, [keys.secrets.arn]),
                )
            ),
            ("data-pipeline", "pipeline"): Permissions(
                (
                    allow(
                        "ConsumeSensorEvents",
                        [
                            "kinesis:GetRecords",
                            "kinesis:GetShardIterator",
                            "kinesis:DescribeStream",
                            "kinesis:ListShards",
                        ],
                        [stream],
                    ),
                    allow("ReadRaw", ["s3:GetObject"], [lake["raw"].objects()]),
                    allow(
                        "ListRawPartitions",
                        ["s3:ListBucket"],
                        [lake["raw"].arn],
                        Condition={"StringLike": {"s3:prefix": ["sensors/*", "external/*", f"{reports_prefix}*"]}},
                    ),
                    allow("WriteRaw", ["s3:PutObject"], [lake["raw"].objects()]),
                    allow("WriteProcessed", ["s3:PutObject", "s3:GetObject"], [lake["processed"].objects()]),
                    allow("WriteFeatures", _FEATURE_WRITE, [table]),
                    allow("ConnectAsPipeline", ["rds-db:connect"], [db_user("pipeline")]),
                    allow("UseKeys", _KMS_WRITE, [keys.data_lake.arn, keys.streaming.arn, keys.feature_store.arn]),
                )
            ),
            ("data-pipeline", "airflow"): Permissions(
                (
                    allow("ReadProcessed", ["s3:GetObject"], [lake["processed"].objects()]),
                    allow(
                        "ListTrainingSets",
                        ["s3:ListBucket"],
                        [lake["processed"].arn],
                        Condition={"StringLike": {"s3:prefix": [f"{training_prefix}*"]}},
                    ),
                    allow("PublishModels", ["s3:PutObject", "s3:GetObject"], [lake["models"].objects(registry_prefix)]),
                    allow(
                        "ListModelVersions",
                        ["s3:ListBucket"],
                        [lake["models"].arn],
                        Condition={"StringLike": {"s3:prefix": [f"{registry_prefix}*"]}},
                    ),
                    # The serving check predicts from the online features before a version is registered.
                    allow("ReadFeatures", ["dynamodb:Query"], [table]),
                    allow("DecryptFeatures", _KMS_READ, [keys.feature_store.arn]),
                    allow("ConnectAsAirflow", ["rds-db:connect"], [db_user("airflow")]),
                    # Airflow's Secrets Manager backend reads its metadata DB connection (GetSecretValue only).
                    allow("ReadMetadataConnection", ["secretsmanager:GetSecretValue"], [secret["airflow_metadata_db"]]),
                    allow("DecryptSecret", _KMS_READ, [keys.secrets.arn]),
                    allow("UseKeys", _KMS_WRITE, [keys.data_lake.arn]),
                )
            ),
            ("kube-system", "aws-load-balancer-controller"): Permissions(
                (
                    allow("DescribeLoadBalancing", list(LOAD_BALANCER_CONTROLLER_READS), ["*"]),
                    allow(
                        "RegisterPodTargets",
                        list(LOAD_BALANCER_CONTROLLER_WRITES),
                        [group.arn for group in edge.target_groups.values()],
                    ),
                )
            ),
            ("kube-system", "ebs-csi-controller-sa"): Permissions(
                (
                    allow(
                        "GrantsForEncryptedVolumes",
                        ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
                        [keys.ebs.arn],
                        Condition={"Bool": {"kms:GrantIsForAWSResource": "true"}},
                    ),
                    allow("EncryptedVolumes", _KMS_WRITE, [keys.ebs.arn]),
                ),
                managed_policy="service-role/AmazonEBSCSIDriverPolicy",
            ),
            ("kube-system", "efs-csi-controller-sa"): Permissions(
                managed_policy="service-role/AmazonEFSCSIDriverPolicy"
            ),
            ("amazon-cloudwatch", "cloudwatch-agent"): Permissions(managed_policy="CloudWatchAgentServerPolicy"),
            ("kube-system", "fluent-bit"): Permissions(
                (
                    allow(
                        "ShipContainerLogs",
                        ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        [self.container_logs.arn, f"{self.container_logs.arn}:*"],
                    ),
                )
            ),
        }
