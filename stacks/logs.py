"""CloudWatch log groups: always encrypted with the logs CMK and kept for the environment's retention."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from constructs import Construct

from stacks.context import Context


def log_group(scope: Construct, id_: str, ctx: Context, name: str, key: KmsKey) -> CloudwatchLogGroup:
    """An encrypted log group with the environment's retention (a log group never stands unencrypted)."""
    return CloudwatchLogGroup(
        scope,
        id_,
        name=name,
        kms_key_id=key.arn,
        retention_in_days=ctx.env.log_retention_days,
    )
