"""KMS: keys rotate, their policies open them to no unconditioned wildcard principal; other checks
ask here whether a key is an enabled customer-managed key."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, fetch, judge_each, live_rule
from citygate.policy_json import anyone, as_list

AWS_ALIAS_PREFIX = "alias/aws/"
# Condition keys (lower case: IAM ignores their case) that pin the caller's or source's account or
# organization, and the operators that pin them even when the key is absent from a request.
CALLER_KEYS = frozenset(
    {
        "kms:calleraccount",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:principalorgid",
        "aws:principalorgpaths",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:sourceowner",
        "aws:sourceorgid",
        "aws:sourceorgpaths",
    }
)
PINNING_OPERATOR = re.compile(r"^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$")


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


@live_rule("CG_LIVE_KMS_001", mirrors=("CG_KMS_001",))
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


def _pins_caller(statement: dict[str, Any]) -> bool:
    return any(
        PINNING_OPERATOR.match(operator) and key.lower() in CALLER_KEYS and values and "*" not in values
        for operator, tested in (statement.get("Condition") or {}).items()
        for key, values in ((k, as_list(v)) for k, v in tested.items())
    )


def open_to_anyone(statement: dict[str, Any]) -> bool:
    """An Allow to Principal "*" (or AWS "*") that no condition pins to an account or organization."""
    return statement.get("Effect") == "Allow" and anyone(statement.get("Principal")) and not _pins_caller(statement)


@live_rule("CG_LIVE_KMS_002", mirrors=("CG_KMS_002",))
def key_policy_principals(ctx: LiveContext) -> Iterator[Outcome]:
    kms = ctx.aws("kms")

    def policy(key: Deployed) -> dict[str, Any] | None:
        found = fetch(kms.get_key_policy, KeyId=key.get("key_id") or key.get("id"), PolicyName="default")
        return json.loads(found["Policy"]) if found else None

    def problems(document: dict[str, Any]) -> list[str | None]:
        grants = [
            ", ".join(as_list(s.get("Action"))) for s in as_list(document.get("Statement", [])) if open_to_anyone(s)
        ]
        return [
            f'key policy allows {"; ".join(grants)} to Principal "*" with no condition pinning the caller'
            if grants
            else None
        ]

    return judge_each(ctx, "aws_kms_key", policy, problems)
