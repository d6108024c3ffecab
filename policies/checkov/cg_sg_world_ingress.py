"""CKV_CG_4: traffic from anywhere (0.0.0.0/0, ::/0) may enter on ports 80 and 443 only.

Checkov's built-ins flag 0.0.0.0/0 on named admin ports (22, 3389, ...); the platform's rule is
stricter: the only world-open ports are the load balancer's HTTP redirect and HTTPS.
"""

from __future__ import annotations

from typing import Any

from cg_conf import blocks, scalar, unwrap
from cg_control import ControlCheck

from checkov.common.models.enums import CheckCategories, CheckResult
from citygate.policy_json import as_list

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


class WorldIngressOnlyWebPorts(ControlCheck):
    def __init__(self) -> None:
        super().__init__(
            "CKV_CG_4",
            [CheckCategories.NETWORKING],
            [
                "aws_security_group",
                "aws_security_group_rule",
                "aws_vpc_security_group_ingress_rule",
            ],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        rules = ingress_rules(self.entity_type, conf)
        if all(web_port_only(rule) for rule in rules if opens_to_world(rule)):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = WorldIngressOnlyWebPorts()
