"""Customer-managed KMS keys, one per data domain, each rotated yearly and with an explicit policy.

One key per domain keeps the blast radius of a key grant small: the inference role can decrypt
models without being able to read the audit trail.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from stacks.context import Context
from stacks.policy import Statement, document, root_principal

_USE_KEY = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]


def _service_use(sid: str, principal: dict[str, str], condition: dict[str, object] | None = None) -> Statement:
    statement: Statement = {"Sid": sid, "Effect": "Allow", "Principal": principal, "Action": _USE_KEY, "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return statement


class Keys(Construct):
    """The KMS keys of one environment, as attributes named after their domain."""

    def __init__(self, scope: Construct, id_: str, ctx: Context) -> None:
        super().__init__(scope, id_)
        self._ctx = ctx
        account = ctx.account_id
        self.data_lake = self._key("data_lake", "S3 data lake: raw, processed, models and application logs")
        self.database = self._key("database", "Aurora PostgreSQL storage, snapshots and Performance Insights")
        self.feature_store = self._key("feature_store", "DynamoDB feature store")
        self.streaming = self._key("streaming", "Kinesis sensor ingestion stream")
        self.eks_secrets = self._key("eks_secrets", "Kubernetes secrets envelope encryption")
        self.registry = self._key("registry", "ECR container images")
        self.secrets = self._key("secrets", "Secrets Manager application credentials")
        self.logs = self._key(
            "logs",
            "CloudWatch log groups (flow logs, EKS control plane, WAF, containers)",
            _service_use(
                "CloudWatchLogsUse",
                {"Service": f"logs.{ctx.region}.amazonaws.com"},
                {"ArnLike": {"kms:EncryptionContext:aws:logs:arn": ctx.arn("logs", "*")}},
            ),
        )
        self.audit = self._key(
            "audit",
            "CloudTrail log files and AWS Config snapshots",
            _service_use(
                "CloudTrailUse",
                {"Service": "cloudtrail.amazonaws.com"},
                {"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": f"arn:aws:cloudtrail:*:{account}:trail/*"}},
            ),
            _service_use("ConfigUse", {"Service": "config.amazonaws.com"}),
        )
        autoscaling = {
            "AWS": f"arn:aws:iam::{account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        }
        self.ebs = self._key(
            "ebs",
            "EBS volumes (account default and node group launch template)",
            _service_use("AutoScalingUse", autoscaling),
            {
                "Sid": "AutoScalingGrant",
                "Effect": "Allow",
                "Principal": autoscaling,
                "Action": "kms:CreateGrant",
                "Resource": "*",
                "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
            },
        )

    def _key(self, domain: str, purpose: str, *service_statements: Statement) -> KmsKey:
        return customer_key(self, domain, self._ctx, purpose, *service_statements)


def customer_key(scope: Construct, domain: str, ctx: Context, purpose: str, *service_statements: Statement) -> KmsKey:
    """A rotated CMK administered through IAM (plus `service_statements`), aliased `alias/<prefix>-<domain>`."""
    admin: Statement = {
        "Sid": "AccountAdministersThroughIam",
        "Effect": "Allow",
        "Principal": root_principal(ctx.account_id),
        "Action": "kms:*",
        "Resource": "*",
    }
    key = KmsKey(
        scope,
        domain,
        description=f"{ctx.env.prefix}: {purpose}",
        enable_key_rotation=True,
        rotation_period_in_days=365,
        deletion_window_in_days=ctx.env.kms_deletion_window_days,
        policy=document(admin, *service_statements),
    )
    KmsAlias(scope, f"{domain}_alias", name=f"alias/{ctx.name(domain.replace('_', '-'))}", target_key_id=key.key_id)
    return key
