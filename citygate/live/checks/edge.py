"""The edge: load balancers speak modern TLS, redirect plain HTTP and sit behind a WAF web ACL whose
rate limit lies within the catalogue's bounds."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from citygate.controls import load_catalogue
from citygate.live.deployed import Deployed
from citygate.live.rules import LiveContext, Outcome, Problems, fetch, judge, judge_each, live_rule, missing

LOAD_BALANCER_TYPES = ("aws_lb", "aws_alb")
# ELB security policies offering TLS 1.3 and nothing older than TLS 1.2 (TLS13-1-2-*) or TLS 1.3 only.
TLS13_POLICY = re.compile(r"^ELBSecurityPolicy-TLS13-1-[23]-")
WAF_CONTROL = "CG-WAF-1"  # its catalogue parameters bound the rate-based rules' limits


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


@live_rule("CG_LIVE_WAF_001", mirrors=("CG_WAF_001",))
def waf_association(ctx: LiveContext) -> Iterator[Outcome]:
    wafv2 = ctx.aws("wafv2")
    for lb in _application_load_balancers(ctx):
        acl = fetch(wafv2.get_web_acl_for_resource, ResourceArn=lb.get("arn")) or {}
        yield judge(lb.address, [None if acl.get("WebACL") else "no WAF web ACL is associated"])


@live_rule("CG_LIVE_ALB_001", mirrors=("CG_ALB_001",))
def listener_tls_policy(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(https: list[dict[str, Any]]) -> list[str | None]:
        weak = [str(h.get("SslPolicy")) for h in https if not TLS13_POLICY.match(str(h.get("SslPolicy")))]
        return [
            None if https else "no HTTPS listener",
            f"HTTPS listeners lack TLS 1.3 or allow TLS older than 1.2: {', '.join(weak)}" if weak else None,
        ]

    return judge_listeners(ctx, "HTTPS", problems)


def _redirects_to_https(listener: dict[str, Any]) -> bool:
    actions = listener.get("DefaultActions", [])
    return bool(actions) and all(
        a.get("Type") == "redirect" and a.get("RedirectConfig", {}).get("Protocol") == "HTTPS" for a in actions
    )


@live_rule("CG_LIVE_ALB_002", mirrors=("CG_ALB_002",))
def http_redirects(ctx: LiveContext) -> Iterator[Outcome]:
    def problems(plain: list[dict[str, Any]]) -> list[str | None]:
        serving = [str(p.get("Port")) for p in plain if not _redirects_to_https(p)]
        return [f"HTTP listeners serve content on ports {', '.join(serving)}" if serving else None]

    return judge_listeners(ctx, "HTTP", problems)


def _rate_limit_problems(acl: dict[str, Any]) -> list[str | None]:
    bounds = load_catalogue().controls[WAF_CONTROL].parameters
    low, high = bounds.get("rate_limit_min"), bounds.get("rate_limit_max")
    if not all(isinstance(b, int | float) for b in (low, high)):
        return [f"the catalogue sets no numeric rate_limit_min/rate_limit_max on {WAF_CONTROL}"]
    rates = [r.get("Statement", {}).get("RateBasedStatement") for r in acl.get("Rules", [])]
    outside = [str(rate.get("Limit")) for rate in rates if rate and not low <= rate.get("Limit", 0) <= high]
    return [f"rate-based rule limits outside {low}..{high}: {', '.join(outside)}" if outside else None]


@live_rule("CG_LIVE_WAF_003", mirrors=("CG_WAF_003",))
def waf_rate_limit(ctx: LiveContext) -> Iterator[Outcome]:
    wafv2 = ctx.aws("wafv2")

    def describe(acl: Deployed) -> dict[str, Any] | None:
        found = fetch(wafv2.get_web_acl, Name=acl.get("name"), Scope=acl.get("scope"), Id=acl.get("id"))
        return found["WebACL"] if found else None

    return judge_each(ctx, "aws_wafv2_web_acl", describe, _rate_limit_problems)
