"""Security groups whose rules are separate, individually addressed resources.

Separate `aws_security_group_rule` resources (not inline blocks) are what every scanner reads
reliably in Terraform JSON, and each gets a readable address: `aws_security_group_rule.<sg>_<rule>`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cdktf_cdktf_provider_aws.security_group import SecurityGroup
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from constructs import Construct

from stacks.context import Context


@dataclass(frozen=True)
class Rule:
    """One TCP port opened to some CIDR blocks, in one direction."""

    name: str
    direction: Literal["ingress", "egress"]
    port: int
    cidrs: tuple[str, ...]
    description: str


def security_group(
    scope: Construct, id_: str, ctx: Context, *, vpc_id: str, description: str, rules: Sequence[Rule]
) -> SecurityGroup:
    """`aws_security_group.<id_>` (named `<prefix>-<id_>`) and one rule resource per `rules` entry."""
    holder = Construct(scope, f"{id_}_firewall")
    group = SecurityGroup(holder, id_, name=ctx.name(id_.replace("_", "-")), description=description, vpc_id=vpc_id)
    for rule in rules:
        SecurityGroupRule(
            holder,
            f"{id_}_{rule.name}",
            type=rule.direction,
            description=rule.description,
            security_group_id=group.id,
            protocol="tcp",
            from_port=rule.port,
            to_port=rule.port,
            cidr_blocks=list(rule.cidrs),
        )
    return group
