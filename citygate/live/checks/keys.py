"""KMS: keys rotate; other checks ask here whether a key is an enabled customer-managed key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.findings import Severity
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, fetch, judge_each, live_rule

AWS_ALIAS_PREFIX = "alias/aws/"


def customer_managed_problem(ctx: LiveContext, key_id: str | None, what: str) -> str | None:
    """None when `key_id` names an enabled customer-managed key, else why it does not."""
    if not key_id:
        return f"{what} is not encrypted with a KMS key"
    described = fetch(ctx.aws("kms").describe_key, KeyId=key_id)
    if described is None:
        return f"{what} names KMS key {key_id}, which does not exist"
    metadata = described["KeyMetadata"]
    if metadata.get("KeyManager") != "CUSTOMER" or _has_aws_alias(ctx, key_id, metadata["KeyId"]):
        return f"{what} uses an AWS-managed key, not a customer-managed key"
    if metadata.get("KeyState") != "Enabled":
        return f"{what} uses KMS key {key_id} in state {metadata.get('KeyState')}"
    return None


def _has_aws_alias(ctx: LiveContext, key_id: str, key: str) -> bool:
    """AWS-managed keys carry an alias/aws/* name (moto also reports them as customer managed)."""
    if key_id.startswith(AWS_ALIAS_PREFIX):
        return True
    aliases = ctx.aws("kms").list_aliases(KeyId=key).get("Aliases", [])
    return any(a.get("AliasName", "").startswith(AWS_ALIAS_PREFIX) for a in aliases)


@live_rule(
    "CG-LIVE-KMS-001",
    "KMS customer-managed keys rotate automatically",
    Severity.MEDIUM,
    "Enable automatic key rotation on the key (enable_key_rotation = true).",
)
def key_rotation(ctx: LiveContext) -> Iterator[Outcome]:
    kms = ctx.aws("kms")

    def rotation(key: Deployed) -> dict[str, Any] | None:
        key_id = key.get("key_id") or key.get("id")
        return fetch(kms.get_key_rotation_status, KeyId=key_id) if fetch(kms.describe_key, KeyId=key_id) else None

    return judge_each(
        ctx,
        "aws_kms_key",
        rotation,
        lambda live: [None if live.get("KeyRotationEnabled") else "automatic rotation is off"],
    )
