"""Network ACLs of the data tier, as deployed: no ingress from the internet into any database subnet."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, fetch, judge_each, live_rule

WORLD = frozenset({"0.0.0.0/0", "::/0"})


def _open_entries(acl: dict[str, Any]) -> list[str]:
    """The ACL's allow entries admitting the internet, as `acl-x rule N (ports)`."""
    return [
        f"{acl['NetworkAclId']} rule {entry.get('RuleNumber')} allows {entry.get('CidrBlock') or entry.get('Ipv6CidrBlock')}"
        for entry in acl.get("Entries", [])
        if not entry.get("Egress")
        and entry.get("RuleAction") == "allow"
        and (entry.get("CidrBlock") in WORLD or entry.get("Ipv6CidrBlock") in WORLD)
    ]


@live_rule("CG_LIVE_NET_004", mirrors=("CG_NET_004",))
def data_tier_acls(ctx: LiveContext) -> Iterator[Outcome]:
    ec2, rds = ctx.aws("ec2"), ctx.aws("rds")

    def describe(group: Deployed) -> list[str] | None:
        found = fetch(rds.describe_db_subnet_groups, DBSubnetGroupName=group.get("name"))
        return None if found is None else [s["SubnetIdentifier"] for s in found["DBSubnetGroups"][0]["Subnets"]]

    def problems(subnets: list[str]) -> list[str | None]:
        acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": subnets}])["NetworkAcls"]
        associated = {a["SubnetId"] for acl in acls for a in acl.get("Associations", [])}
        return [
            *(f"ingress from the internet: {entry}" for acl in acls for entry in _open_entries(acl)),
            *(f"subnet {s} has no network ACL association" for s in subnets if s not in associated),
        ]

    return judge_each(ctx, "aws_db_subnet_group", describe, problems)
