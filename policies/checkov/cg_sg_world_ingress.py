"""CKV_CG_4: traffic from anywhere (0.0.0.0/0, ::/0) may enter on ports 80 and 443 only.

Checkov's built-ins flag 0.0.0.0/0 on named admin ports (22, 3389, ...); the platform's rule is
stricter: the only world-open ports are the load balancer's HTTP redirect and HTTPS.
"""

from __future__ import annotations

from typing import Any

from cg_conf import as_list, blocks, scalar, unwrap

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

WORLD = {"0.0.0.0/0", "::/0"}
WEB_PORTS = {80, 443}
CIDR_KEYS = ("cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6")


def opens_to_world(rule: dict[str, Any]) -> bool:
    return any(str(cidr) in WORLD for key in CIDR_KEYS for cidr in as_list(unwrap(rule.get(key))))


def web_port_only(rule: dict[str, Any]) -> bool:
    """One port, 80 or 443, over TCP (protocol -1 means every port)."""
    from_port, to_port = scalar(rule, "from_port"), scalar(rule, "to_port")
    protocol = str(scalar(rule, "protocol") or scalar(rule, "ip_protocol") or "").lower()
    try:
        return protocol in ("tcp", "6") and int(from_port) == int(to_port) and int(from_port) in WEB_PORTS
    except (TypeError, ValueError):
        return False


def ingress_rules(resource_type: str, conf: dict[str, Any]) -> list[dict[str, Any]]:
    """The ingress rules a resource declares: inline blocks, or the resource itself."""
    if resource_type == "aws_security_group":
        return blocks(conf.get("ingress"))
    if resource_type == "aws_security_group_rule" and scalar(conf, "type") != "ingress":
        return []
    return [conf]


class WorldIngressOnlyWebPorts(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Ensure ingress from 0.0.0.0/0 or ::/0 is allowed on TCP 80 and 443 only",
            id="CKV_CG_4",
            categories=[CheckCategories.NETWORKING],
            supported_resources=[
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ],
            guideline="Open 0.0.0.0/0 and ::/0 only on TCP 443 (and 80 for the HTTPS redirect); reach other ports through the VPC or a bastion-free path such as SSM.",
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        rules = ingress_rules(self.entity_type, conf)
        if all(web_port_only(rule) for rule in rules if opens_to_world(rule)):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = WorldIngressOnlyWebPorts()
