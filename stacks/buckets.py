"""An S3 bucket that carries every bucket control at once.

Versioning, default encryption, public access block, owner-enforced object ownership, a TLS-only
policy, server access logging and a lifecycle are not options: a bucket of this platform is built
only through `SecureBucket`, so none can be forgotten.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
    S3BucketLifecycleConfigurationRuleTransition,
)
from cdktf_cdktf_provider_aws.s3_bucket_logging import S3BucketLoggingA
from cdktf_cdktf_provider_aws.s3_bucket_ownership_controls import S3BucketOwnershipControls
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import S3BucketVersioningA
from constructs import Construct

from stacks.context import Context
from stacks.naming import ResourceGroup
from stacks.policy import Statement, deny_insecure_transport, document

# AWS log delivery (S3 server access logs, ALB access logs) writes only to SSE-S3 buckets.
LOG_DELIVERY_ENCRYPTION = "AES256"


class SecureBucket(ResourceGroup):
    """A bucket with all controls; `key=None` only for a log-delivery target (see LOG_DELIVERY_ENCRYPTION).

    `logs_to` is the bucket receiving this bucket's server access logs (None only for that target
    itself: a log bucket logging into itself would loop). `expire_days` deletes objects after that age.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        ctx: Context,
        *,
        key: KmsKey | None,
        logs_to: SecureBucket | None,
        policy_statements: tuple[Statement, ...] = (),
        expire_days: int | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.name = ctx.name(id_.replace("_", "-"))
        self.arn = f"arn:aws:s3:::{self.name}"
        self.bucket = S3Bucket(self, "bucket", bucket=self.name, force_destroy=ctx.env.disposable)
        bucket_id = self.bucket.id
        S3BucketVersioningA(self, "versioning", bucket=bucket_id, versioning_configuration={"status": "Enabled"})
        default = (
            {"sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}
            if key is not None
            else {"sse_algorithm": LOG_DELIVERY_ENCRYPTION}
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=bucket_id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=default, bucket_key_enabled=key is not None
                )
            ],
        )
        S3BucketPublicAccessBlock(
            self,
            "public_access_block",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketOwnershipControls(self, "ownership", bucket=bucket_id, rule={"object_ownership": "BucketOwnerEnforced"})
        self.policy = S3BucketPolicy(
            self,
            "policy",
            bucket=bucket_id,
            policy=document(*policy_statements, deny_insecure_transport(self.arn)),
        )
        if logs_to is not None:
            S3BucketLoggingA(
                self,
                "logging",
                # By name, which the plan already knows, so scanners reading values alone see the link.
                bucket=self.bucket.bucket,
                target_bucket=logs_to.bucket.bucket,
                target_prefix=f"s3/{self.name}/",
                depends_on=[logs_to.policy],  # S3 checks the target grants log delivery
            )
        env = ctx.env
        rule = S3BucketLifecycleConfigurationRule(
            id="tiering-and-cleanup",
            status="Enabled",
            filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
            abort_incomplete_multipart_upload=[
                S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
            ],
            noncurrent_version_expiration=[
                S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(
                    noncurrent_days=env.noncurrent_version_days
                )
            ],
            transition=[
                S3BucketLifecycleConfigurationRuleTransition(
                    days=env.data_infrequent_access_days, storage_class="STANDARD_IA"
                )
            ],
            expiration=(
                [S3BucketLifecycleConfigurationRuleExpiration(days=expire_days)] if expire_days is not None else None
            ),
        )
        S3BucketLifecycleConfiguration(self, "lifecycle", bucket=bucket_id, rule=[rule])

    def objects(self, prefix: str = "") -> str:
        """ARN pattern of the objects under `prefix`."""
        return f"{self.arn}/{prefix}*"
