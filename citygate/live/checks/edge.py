"""The edge: every application load balancer sits behind a WAF web ACL."""

from __future__ import annotations

from collections.abc import Iterator

from citygate.findings import Severity
from citygate.live.rules import LiveContext, Outcome, fetch, judge, live_rule

LOAD_BALANCER_TYPES = ("aws_lb", "aws_alb")


@live_rule(
    "CG-LIVE-WAF-001",
    "Application load balancers are protected by a WAF web ACL",
    Severity.HIGH,
    "Deploy aws_wafv2_web_acl_association between the web ACL and the load balancer.",
)
def waf_association(ctx: LiveContext) -> Iterator[Outcome]:
    wafv2 = ctx.aws("wafv2")
    for resource_type in LOAD_BALANCER_TYPES:
        for lb in ctx.deployed.of_type(resource_type):
            if lb.get("load_balancer_type", "application") != "application":
                continue
            acl = fetch(wafv2.get_web_acl_for_resource, ResourceArn=lb.get("arn")) or {}
            yield judge(lb.address, [None if acl.get("WebACL") else "no WAF web ACL is associated"])
