"""The public edge: an ALB in the public subnets, HTTPS only (TLS 1.3 policy), behind the WAF.

Port 80 exists only to redirect to 443. Invalid headers are dropped, access logs are delivered,
and the web ACL is associated, so no request reaches the cluster unfiltered or in clear text.
"""

from __future__ import annotations

from cdktf_cdktf_provider_aws.acm_certificate import AcmCertificate
from cdktf_cdktf_provider_aws.lb import Lb
from cdktf_cdktf_provider_aws.lb_listener import LbListener, LbListenerDefaultAction
from cdktf_cdktf_provider_aws.lb_target_group import LbTargetGroup
from cdktf_cdktf_provider_aws.wafv2_web_acl import Wafv2WebAcl
from cdktf_cdktf_provider_aws.wafv2_web_acl_association import Wafv2WebAclAssociation
from constructs import Construct

from stacks.buckets import SecureBucket
from stacks.config import PRIVATE_SUBNET_CIDRS
from stacks.context import Context
from stacks.firewall import Rule, security_group
from stacks.naming import ResourceGroup
from stacks.network import ANYWHERE, Network

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
APP_PORT = 8080


class Edge(Construct):
    """ALB, its certificate, listeners, the application target group and the WAF association."""

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
        self.security_group = security_group(
            self,
            "alb",
            ctx,
            vpc_id=network.vpc.id,
            description="Public ALB: HTTP(S) in from anywhere, application port out to the private tier",
            rules=[
                Rule("in_443", "ingress", 443, (ANYWHERE,), "HTTPS from the internet"),
                Rule("in_80", "ingress", 80, (ANYWHERE,), "HTTP from the internet (only redirected to HTTPS)"),
                Rule(
                    "out_app", "egress", APP_PORT, PRIVATE_SUBNET_CIDRS, "to the application pods in the private tier"
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
            domain_name=ctx.env.domain_name,  # the one host the Ingress serves: no wildcard name
            validation_method="DNS",
            lifecycle={"create_before_destroy": True},  # a renewed certificate is in place before the old goes
        )
        self.target_group = LbTargetGroup(
            group,
            "app",
            name=ctx.name("app"),
            port=APP_PORT,
            protocol="HTTP",
            target_type="ip",
            vpc_id=network.vpc.id,
            health_check={"path": "/healthz", "matcher": "200", "protocol": "HTTP"},
        )
        LbListener(
            self,
            "https",
            load_balancer_arn=self.alb.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=TLS_POLICY,
            certificate_arn=certificate.arn,
            default_action=[LbListenerDefaultAction(type="forward", target_group_arn=self.target_group.arn)],
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
