"""Account-level detective controls: log archive buckets, CloudTrail, AWS Config and GuardDuty.

These keep watching the account between deployments: the Config rules mirror the gate's controls,
so drift introduced outside Terraform still raises a finding.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudtrail import Cloudtrail
from cdktf_cdktf_provider_aws.config_config_rule import ConfigConfigRule
from cdktf_cdktf_provider_aws.config_configuration_recorder import ConfigConfigurationRecorder
from cdktf_cdktf_provider_aws.config_configuration_recorder_status import ConfigConfigurationRecorderStatus
from cdktf_cdktf_provider_aws.config_delivery_channel import ConfigDeliveryChannel
from cdktf_cdktf_provider_aws.data_aws_elb_service_account import DataAwsElbServiceAccount
from cdktf_cdktf_provider_aws.guardduty_detector import GuarddutyDetector
from cdktf_cdktf_provider_aws.guardduty_detector_feature import GuarddutyDetectorFeature
from constructs import Construct

from stacks.buckets import SecureBucket
from stacks.context import Context
from stacks.keys import Keys
from stacks.logs import log_group
from stacks.naming import ResourceGroup
from stacks.policy import Statement, allow, document, service_trust
from stacks.roles import role

# AWS Config managed rules that mirror the gate's controls (rule name -> managed rule identifier).
CONFIG_RULES: dict[str, str] = {
    "s3-bucket-public-read-prohibited": "S3_BUCKET_PUBLIC_READ_PROHIBITED",
    "s3-bucket-ssl-requests-only": "S3_BUCKET_SSL_REQUESTS_ONLY",
    "s3-bucket-versioning-enabled": "S3_BUCKET_VERSIONING_ENABLED",
    "s3-default-encryption-kms": "S3_DEFAULT_ENCRYPTION_KMS",
    "s3-bucket-logging-enabled": "S3_BUCKET_LOGGING_ENABLED",
    "dynamodb-pitr-enabled": "DYNAMODB_PITR_ENABLED",
    "dynamodb-table-encrypted-kms": "DYNAMODB_TABLE_ENCRYPTED_KMS",
    "rds-storage-encrypted": "RDS_STORAGE_ENCRYPTED",
    "rds-instance-public-access-check": "RDS_INSTANCE_PUBLIC_ACCESS_CHECK",
    "rds-cluster-deletion-protection-enabled": "RDS_CLUSTER_DELETION_PROTECTION_ENABLED",
    "rds-cluster-iam-authentication-enabled": "RDS_CLUSTER_IAM_AUTHENTICATION_ENABLED",
    "eks-endpoint-no-public-access": "EKS_ENDPOINT_NO_PUBLIC_ACCESS",
    "eks-secrets-encrypted": "EKS_SECRETS_ENCRYPTED",
    "eks-cluster-logging-enabled": "EKS_CLUSTER_LOGGING_ENABLED",
    "cloudtrail-enabled": "CLOUD_TRAIL_ENABLED",
    "cloudtrail-log-file-validation-enabled": "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
    "cloudtrail-encryption-enabled": "CLOUD_TRAIL_ENCRYPTION_ENABLED",
    "multi-region-cloudtrail-enabled": "MULTI_REGION_CLOUD_TRAIL_ENABLED",
    "guardduty-enabled-centralized": "GUARDDUTY_ENABLED_CENTRALIZED",
    "vpc-flow-logs-enabled": "VPC_FLOW_LOGS_ENABLED",
    "vpc-default-security-group-closed": "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
    "restricted-ssh": "INCOMING_SSH_DISABLED",
    "cmk-backing-key-rotation-enabled": "CMK_BACKING_KEY_ROTATION_ENABLED",
    "ecr-private-image-scanning-enabled": "ECR_PRIVATE_IMAGE_SCANNING_ENABLED",
    "ecr-private-tag-immutability-enabled": "ECR_PRIVATE_TAG_IMMUTABILITY_ENABLED",
    "ecr-private-lifecycle-policy-configured": "ECR_PRIVATE_LIFECYCLE_POLICY_CONFIGURED",
    "alb-waf-enabled": "ALB_WAF_ENABLED",
    "alb-http-to-https-redirection-check": "ALB_HTTP_TO_HTTPS_REDIRECTION_CHECK",
    "alb-http-drop-invalid-header-enabled": "ALB_HTTP_DROP_INVALID_HEADER_ENABLED",
    "secretsmanager-rotation-enabled-check": "SECRETSMANAGER_ROTATION_ENABLED_CHECK",
    "secretsmanager-using-cmk": "SECRETSMANAGER_USING_CMK",
    "ec2-ebs-encryption-by-default": "EC2_EBS_ENCRYPTION_BY_DEFAULT",
    "ec2-imdsv2-check": "EC2_IMDSV2_CHECK",
    "iam-policy-no-statements-with-admin-access": "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
    "kinesis-stream-encrypted": "KINESIS_STREAM_ENCRYPTED",
    "cloudwatch-log-group-encrypted": "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
}

GUARDDUTY_FEATURES = ("EKS_AUDIT_LOGS", "S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION", "RDS_LOGIN_EVENTS")


class LogArchive(Construct):
    """Where logs land: `access_logs` (AWS log delivery, SSE-S3) and `audit` (CloudTrail and Config, CMK)."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys) -> None:
        super().__init__(scope, id_)
        account = ctx.account_id
        access_logs_arn = f"arn:aws:s3:::{ctx.name('access-logs')}"
        elb = DataAwsElbServiceAccount(self, "main")
        self.access_logs = SecureBucket(
            self,
            "access_logs",
            ctx,
            key=None,
            logs_to=None,
            expire_days=ctx.env.log_retention_days,
            policy_statements=(
                allow(
                    "S3ServerAccessLogDelivery",
                    ["s3:PutObject"],
                    f"{access_logs_arn}/*",
                    Principal={"Service": "logging.s3.amazonaws.com"},
                    Condition={"StringEquals": {"aws:SourceAccount": account}},
                ),
                allow(
                    "AlbAccessLogDelivery",
                    ["s3:PutObject"],
                    [f"{access_logs_arn}/alb/AWSLogs/{account}/*"],
                    Principal={"AWS": elb.arn},
                ),
            ),
        )
        audit_arn = f"arn:aws:s3:::{ctx.name('audit')}"
        self.trail_name = ctx.name("trail")
        trail_arn = ctx.arn("cloudtrail", f"trail/{self.trail_name}")
        self.audit = SecureBucket(
            self,
            "audit",
            ctx,
            key=keys.audit,
            logs_to=self.access_logs,
            expire_days=ctx.env.log_retention_days,
            policy_statements=(
                *_delivery_statements(
                    "CloudTrail", "cloudtrail.amazonaws.com", audit_arn, f"AWSLogs/{account}", trail_arn
                ),
                *_delivery_statements("Config", "config.amazonaws.com", audit_arn, f"config/AWSLogs/{account}"),
            ),
        )


def _delivery_statements(
    sid: str, service: str, bucket_arn: str, prefix: str, source_arn: str | None = None
) -> tuple[Statement, Statement]:
    """Let an AWS service check the bucket ACL and write owner-controlled objects under `prefix`."""
    condition = {"StringEquals": {"aws:SourceArn": source_arn}} if source_arn else {}
    principal = {"Service": service}
    check = allow(f"{sid}AclCheck", ["s3:GetBucketAcl", "s3:ListBucket"], [bucket_arn], Principal=principal)
    write = allow(
        f"{sid}Write",
        ["s3:PutObject"],
        [f"{bucket_arn}/{prefix}/*"],
        Principal=principal,
        Condition={"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control", **condition.get("StringEquals", {})}},
    )
    if condition:
        check["Condition"] = condition
    return check, write


class Audit(Construct):
    """CloudTrail (multi-region, validated, encrypted, mirrored to CloudWatch), Config and GuardDuty."""

    def __init__(self, scope: Construct, id_: str, ctx: Context, keys: Keys, archive: LogArchive) -> None:
        super().__init__(scope, id_)
        self._trail(ctx, keys, archive)
        self._config(ctx, keys, archive)
        detector = GuarddutyDetector(self, "main", enable=True, finding_publishing_frequency="FIFTEEN_MINUTES")
        for feature in GUARDDUTY_FEATURES:
            GuarddutyDetectorFeature(self, feature.lower(), detector_id=detector.id, name=feature, status="ENABLED")

    def _trail(self, ctx: Context, keys: Keys, archive: LogArchive) -> None:
        group = ResourceGroup(self, "cloudtrail")
        logs = log_group(group, "log_group", ctx, f"/aws/cloudtrail/{archive.trail_name}", keys.logs)
        trail_role = role(
            group,
            name=ctx.name("cloudtrail-to-logs"),
            trust=service_trust("cloudtrail.amazonaws.com"),
            inline_policy=document(
                allow("WriteTrailLogs", ["logs:CreateLogStream", "logs:PutLogEvents"], [f"{logs.arn}:*"])
            ),
        )
        Cloudtrail(
            group,
            "trail",
            name=archive.trail_name,
            s3_bucket_name=archive.audit.bucket.id,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=keys.audit.arn,
            cloud_watch_logs_group_arn=f"{logs.arn}:*",
            cloud_watch_logs_role_arn=trail_role.arn,
            depends_on=[archive.audit.policy],
        )

    def _config(self, ctx: Context, keys: Keys, archive: LogArchive) -> None:
        group = ResourceGroup(self, "config")
        recorder_role = role(
            group,
            name=ctx.name("config-recorder"),
            trust=service_trust("config.amazonaws.com"),
            managed_policy="service-role/AWS_ConfigRole",
        )
        recorder = ConfigConfigurationRecorder(
            group,
            "recorder",
            name=ctx.name("recorder"),
            role_arn=recorder_role.arn,
            recording_group={"all_supported": True, "include_global_resource_types": True},
        )
        channel = ConfigDeliveryChannel(
            group,
            "channel",
            name=ctx.name("delivery"),
            s3_bucket_name=archive.audit.bucket.id,
            s3_key_prefix="config",
            s3_kms_key_arn=keys.audit.arn,
            depends_on=[recorder, archive.audit.policy],
        )
        ConfigConfigurationRecorderStatus(group, "status", name=recorder.name, is_enabled=True, depends_on=[channel])
        for rule_name, identifier in CONFIG_RULES.items():
            ConfigConfigRule(
                self,
                rule_name.replace("-", "_"),
                name=f"{ctx.env.prefix}-{rule_name}",
                source={"owner": "AWS", "source_identifier": identifier},
                depends_on=[recorder],
            )
