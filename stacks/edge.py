"""The public edge: an ALB in the public subnets, HTTPS only (TLS 1.3 policy), behind the WAF.

Port 80 exists only to redirect to 443. Invalid headers are dropped, access logs are delivered,
and the web ACL is associated, so no request reaches the cluster unfiltered or in clear text.

Terraform owns the whole edge (load balancer, certificate, listener rules, WAF): one target group per
route, whose pod IPs the AWS Load Balancer Controller registers through a `TargetGroupBinding` naming
the group (`workloads/base/production/target-group-bindings.yaml`). The controller creates no load
balancer of its own, so the WAF and the TLS policy stay in the gated plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.acm_certificate_validation import AcmCertificateValidation
from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction
from cdktf_cdktf_provider_aws.lb_listener_rule import (
    LbListenerRule,
    LbListenerRuleAction,
    LbListenerRuleCondition,
    LbListenerRuleConditionPathPattern,
)
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup
from cdktf_cdktf_provider_aws.security_group_rule import SecurityGroupRule
from cdktf_cdktf_provider_aws.wafv2_web_acl import Wafv2WebAcl
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from constructs import Construct

from stacks.buckets import SecureBucket
from stacks.config import PRIVATE_SUBNET_CIDRS, Environment
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.naming import ResourceGroup
from stacks.network import ANYWHERE, Network

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class Route:
    """One public route: the Service (namespace/name) its target group forwards to, on the pods' port.

    `paths` empty: the listener's default action. Inference has no route: the public reach it through the
    API's forecast endpoint (`/api/v1/segments/{id}/forecast`), never directly.
    """

    namespace: str
    service: str
    port: int
    paths: tuple[str, ...] = ()
    priority: int = 0


ROUTES: dict[str, Route] = {
    "web": Route("production", "web", 8080),
    "api": Route("production", "api", 8000, paths=("/api", "/api/*"), priority=10),
}


def target_group_name(env: Environment, route: str) -> str:
    """The target group a route's `TargetGroupBinding` names, e.g. `citygate-prod-web` (32 characters at most)."""
    return f"{env.prefix}-{route}"


class Edge(Construct):
    """ALB, its validated certificate, listeners and rules, one target group per route, the WAF association."""

    def __init__(
        self,
        scope: Construct,
        id_: str,
        ctx: Context,
        network: Network,
        access_logs: SecureBucket,
        web_acl: Wafv2WebAcl,
    ) -> None:
        super().__init__(scope, id_)
        ports = sorted({route.port for route in ROUTES.values()})
        self.security_group = security_group(
            self,
            "alb",
            ctx,
            vpc_id=network.vpc.id,
            description="Public ALB: HTTP(S) in from anywhere, application ports out to the private tier",
            rules=[
                Rule("in_443", "ingress", 443, (ANYWHERE,), "HTTPS from the internet"),
                Rule("in_80", "ingress", 80, (ANYWHERE,), "HTTP from the internet (only redirected to HTTPS)"),
                *(
                    Rule(f"out_{port}", "egress", port, PRIVATE_SUBNET_CIDRS, "to the application pods")
                    for port in ports
                ),
            ],
        )
        group = ResourceGroup(self, "alb")
        self.alb = Lb(
            group,
            "lb",
            name=ctx.name("alb"),
            load_balancer_type="application",
            internal=False,
            subnets=[s.id for s in network.public_subnets],
            security_groups=[self.security_group.id],
            drop_invalid_header_fields=True,
            enable_deletion_protection=ctx.env.deletion_protection,
            access_logs={"bucket": access_logs.bucket.id, "prefix": "alb", "enabled": True},
            depends_on=[access_logs.policy],
        )
        certificate = AcmCertificate(
            group,
            "certificate",
            domain_name=ctx.env.domain_name,  # the one host the edge serves: no wildcard name
            validation_method="DNS",
            lifecycle={"create_before_destroy": True},  # a renewed certificate is in place before the old goes
        )
        # The listener takes the certificate only once ACM has issued it (the DNS record lives with the
        # domain's zone, outside this stack): no HTTPS listener is ever served with a pending certificate.
        self.certificate = AcmCertificateValidation(group, "validation", certificate_arn=certificate.arn)
        routes = {name: ResourceGroup(self, f"app_{name}") for name in ROUTES}
        self.target_groups: dict[str, LbTargetGroup] = {
            name: LbTargetGroup(
                routes[name],
                "target_group",
                name=target_group_name(ctx.env, name),
                port=route.port,
                protocol="HTTP",
                target_type="ip",
                vpc_id=network.vpc.id,
                health_check={"path": "/healthz", "matcher": "200", "protocol": "HTTP"},
            )
            for name, route in ROUTES.items()
        }
        default = next(name for name, route in ROUTES.items() if not route.paths)
        https = LbListener(
            self,
            "https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=self.certificate.certificate_arn,
            default_action=[LbListenerDefaultAction(type="forward", target_group_arn=self.target_groups[default].arn)],
        )
        for name, route in ROUTES.items():
            if route.paths:
                LbListenerRule(
                    routes[name],
                    "rule",
                    listener_arn=https.arn,
                    priority=route.priority,
                    action=[LbListenerRuleAction(type="forward", target_group_arn=self.target_groups[name].arn)],
                    condition=[
                        LbListenerRuleCondition(
                            path_pattern=LbListenerRuleConditionPathPattern(values=list(route.paths))
                        )
                    ],
                )
        LbListener(
            self,
            "http_redirect",
            load_balancer_arn=self.alb.arn,
            port=80,
            protocol="HTTP",
            default_action=[
                LbListenerDefaultAction(
                    type="redirect", redirect={"port": "443", "protocol": "HTTPS", "status_code": "HTTP_301"}
                )
            ],
        )
        Wafv2WebAclAssociation(group, "waf", resource_arn=self.alb.arn, web_acl_arn=web_acl.arn)

    def admit_to_pods(self, pods_security_group_id: str) -> None:
        """Let the ALB reach the route ports on the pods' security group (EKS's cluster security group).

        Terraform opens the path, so the Load Balancer Controller needs no security-group write permission.
        """
        for port in sorted({route.port for route in ROUTES.values()}):
            SecurityGroupRule(
                self,
                f"pods_from_alb_{port}",
                type="ingress",
                description="application port from the public ALB only",
                security_group_id=pods_security_group_id,
                source_security_group_id=self.security_group.id,
                protocol="tcp",
                from_port=port,
                to_port=port,
            )
