"""The edge: load balancers speak modern TLS, redirect plain HTTP and sit behind a WAF web ACL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from citygate.findings import Severity
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, Problems, fetch, judge, live_rule, missing

LOAD_BALANCER_TYPES = ("aws_lb", "aws_alb")
# ELB security policies that allow only TLS 1.2 and newer.
MODERN_TLS_PREFIXES = ("ELBSecurityPolicy-TLS13-", "ELBSecurityPolicy-TLS-1-2-", "ELBSecurityPolicy-FS-1-2-")


def _application_load_balancers(ctx: LiveContext) -> Iterator[Deployed]:
    for resource_type in LOAD_BALANCER_TYPES:
        for lb in ctx.deployed.of_type(resource_type):
            if lb.get("load_balancer_type", "application") == "application":
                yield lb


def judge_listeners(ctx: LiveContext, protocol: str, problems: Problems) -> Iterator[Outcome]:
    """Judge each application load balancer on its listeners of one protocol."""
    elbv2 = ctx.aws("elbv2")
    for lb in _application_load_balancers(ctx):
        found = fetch(elbv2.describe_listeners, LoadBalancerArn=lb.get("arn"))
        if found is None:
            yield missing(lb.address)
            continue
        yield judge(lb.address, problems([x for x in found.get("Listeners", []) if x.get("Protocol") == protocol]))


@live_rule(
    "CG-LIVE-WAF-001",
    "Application load balancers are protected by a WAF web ACL",
    Severity.HIGH,
    "Deploy aws_wafv2_web_acl_association between the web ACL and the load balancer.",
)
def waf_association(ctx: LiveContext) -> Iterator[Outcome]:
    wafv2 = ctx.aws("wafv2")
    for lb in _application_load_balancers(ctx):
        acl = fetch(wafv2.get_web_acl_for_resource, ResourceArn=lb.get("arn")) or {}
        yield judge(lb.address, [None if acl.get("WebACL") else "no WAF web ACL is associated"])


@live_rule(
    "CG-LIVE-ALB-001",
    "HTTPS listeners use a TLS 1.2+ security policy",
    Severity.HIGH,
    "Set ssl_policy to ELBSecurityPolicy-TLS13-1-2-2021-06 (or newer) on the HTTPS listener.",
)
def listener_tls_policy(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(https: list[dict[str, Any]]) -> list[str | None]:
        weak = [str(h.get("SslPolicy")) for h in https if not str(h.get("SslPolicy")).startswith(MODERN_TLS_PREFIXES)]
        return [
            None if https else "no HTTPS listener",
            f"HTTPS listeners allow TLS older than 1.2: {', '.join(weak)}" if weak else None,
        ]

    return judge_listeners(ctx, "HTTPS", problems)


def _redirects_to_https(listener: dict[str, Any]) -> bool:
    actions = listener.get("DefaultActions", [])
    return bool(actions) and all(
        a.get("Type") == "redirect" and a.get("RedirectConfig", {}).get("Protocol") == "HTTPS" for a in actions
    )


@live_rule(
    "CG-LIVE-ALB-002",
    "Plain-HTTP listeners only redirect to HTTPS",
    Severity.HIGH,
    'Give the HTTP listener one default action: redirect with protocol "HTTPS".',
)
def http_redirects(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(plain: list[dict[str, Any]]) -> list[str | None]:
        serving = [str(p.get("Port")) for p in plain if not _redirects_to_https(p)]
        return [f"HTTP listeners serve content on ports {', '.join(serving)}" if serving else None]

    return judge_listeners(ctx, "HTTP", problems)
