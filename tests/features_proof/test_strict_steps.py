"""Each scenario is as strict as its title: for every requirement a weaker step once let through (a
rate limit nobody reaches, a secret rotated yearly, one day of backups, a port range spanning the
web ports, every protocol on a web port, a TLS-1.2-only policy), the scenario fails on that example,
at the step that states the bound, naming the resource."""

from __future__ import annotations

from typing import Any

import pytest

from citygate.bdd.features import ConcreteScenario, expand, load_features
from citygate.bdd.runner import run_scenario
from citygate.model import Inventory, Resource
from citygate.paths import FEATURES

SCENARIOS = [scenario for feature in load_features(FEATURES) for scenario in expand(feature)]


def scenario(title: str, **example: str) -> ConcreteScenario:
    return next(
        s for s in SCENARIOS if s.template.name == title and all(s.example.get(k) == v for k, v in example.items())
    )


def resource(address: str, values: dict[str, Any], **references: tuple[str, ...]) -> Resource:
    kind, name = address.split(".", 1)
    return Resource(address, kind, name, values, references=dict(references))


def acl(limit: int) -> list[Resource]:
    rules = [
        {"statement": [{"managed_rule_group_statement": [{"name": "AWSManagedRulesCommonRuleSet"}]}]},
        {"statement": [{"rate_based_statement": [{"limit": limit}]}]},
    ]
    return [resource("aws_wafv2_web_acl.edge", {"scope": "REGIONAL", "rule": rules})]


def rotated_every(days: int) -> list[Resource]:
    secret = resource("aws_secretsmanager_secret.db", {"name": "db"})
    rotation = resource(
        "aws_secretsmanager_secret_rotation.db",
        {
            "rotation_lambda_arn": "arn:aws:lambda:eu-west-1:1:function:rotate",
            "rotation_rules": [{"automatically_after_days": days}],
        },
        secret_id=("aws_secretsmanager_secret.db.id",),
    )
    return [secret, rotation]


OUTLINE = "Only web ports, one at a time, are open to the internet (<type> from <anywhere>)"
LIVE_GROUPS = "As deployed, security groups admit only web ports, one at a time, from the internet"
WEB_RANGE = {"from_port": 80, "to_port": 443}

CASES = [
    pytest.param(
        scenario(
            "The web ACL includes the AWS managed common rule set and a rate limit of 100 to 10000 requests per 5 minutes per client"
        ),
        acl(2_000_000_000),
        '"rate limit per 5 minutes" must be between',
        "aws_wafv2_web_acl.edge: 2000000000",
        id="WAF rate limit nobody reaches",
    ),
    pytest.param(
        scenario("Every Secrets Manager secret rotates automatically, at least every 90 days"),
        rotated_every(365),
        '"rotation period in days" must be between "1" and "90"',
        "aws_secretsmanager_secret_rotation.db: 365",
        id="secret rotated yearly",
    ),
    pytest.param(
        scenario("Every Aurora cluster keeps automated backups for a week at least (RDS keeps 35 days at most)"),
        [resource("aws_rds_cluster.db", {"backup_retention_period": 1})],
        '"backup retention in days" must be between "7" and "35"',
        "aws_rds_cluster.db: 1",
        id="one day of backups",
    ),
    pytest.param(
        scenario(OUTLINE, type="aws_security_group_rule", anywhere="0.0.0.0/0"),
        [
            resource(
                "aws_security_group_rule.web",
                {"type": "ingress", "cidr_blocks": ["0.0.0.0/0"], "protocol": "tcp", **WEB_RANGE},
            )
        ],
        '"last port" must equal its "first port"',
        "aws_security_group_rule.web: last port 443, first port 80",
        id="port range 80-443 (rule)",
    ),
    pytest.param(
        scenario(OUTLINE, type="aws_vpc_security_group_ingress_rule", anywhere="::/0"),
        [resource("aws_vpc_security_group_ingress_rule.web", {"cidr_ipv6": "::/0", "ip_protocol": "tcp", **WEB_RANGE})],
        '"last port" must equal its "first port"',
        "aws_vpc_security_group_ingress_rule.web: last port 443",
        id="port range 80-443 (IPv6 ingress rule)",
    ),
    pytest.param(
        scenario(OUTLINE, type="aws_vpc_security_group_ingress_rule", anywhere="0.0.0.0/0"),
        [
            resource(
                "aws_vpc_security_group_ingress_rule.all",
                {"cidr_ipv4": "0.0.0.0/0", "ip_protocol": "-1", "from_port": 443, "to_port": 443},
            )
        ],
        '"IP protocol" must be one of "tcp, 6"',
        "aws_vpc_security_group_ingress_rule.all: -1",
        id="every protocol on port 443",
    ),
    pytest.param(
        scenario(LIVE_GROUPS),
        [
            resource(
                "aws_security_group.alb", {"ingress": [{"cidr_blocks": ["0.0.0.0/0"], "protocol": "tcp", **WEB_RANGE}]}
            )
        ],
        '"last port open to the internet" must equal',
        "aws_security_group.alb: last port open to the internet 443",
        id="port range 80-443 (deployed group)",
    ),
    pytest.param(
        scenario("HTTPS listeners offer TLS 1.3 and accept nothing older than TLS 1.2"),
        [resource("aws_lb_listener.https", {"protocol": "HTTPS", "ssl_policy": "ELBSecurityPolicy-TLS-1-2-2017-01"})],
        '"TLS policy" must match',
        "aws_lb_listener.https: ELBSecurityPolicy-TLS-1-2-2017-01",
        id="TLS 1.2 only",
    ),
]


@pytest.mark.parametrize(("spec", "resources", "step", "named"), CASES)
def test_the_scenario_fails_where_a_weaker_step_passed(
    spec: ConcreteScenario, resources: list[Resource], step: str, named: str
) -> None:
    outcome = run_scenario(spec.scenario, Inventory("terraform", "plan", resources, environment="prod"))
    assert outcome.status == "failed", f"{outcome.status}: {outcome.step}: {outcome.message}"
    assert step in outcome.step and named in outcome.message, f"{outcome.step}: {outcome.message}"


def test_a_cluster_without_the_vpc_cni_add_on_fails_rather_than_skips() -> None:
    """`@noskip`: on a real environment the add-on must exist; the embedded local one has no add-on API."""
    spec = scenario("The VPC CNI enforces Kubernetes NetworkPolicies (its network policy agent is on)")
    coredns = [resource("aws_eks_addon.coredns", {"addon_name": "coredns"})]
    outcome = run_scenario(spec.scenario, Inventory("terraform", "plan", coredns, environment="prod"))
    assert (outcome.status, outcome.step) == ("failed", 'Then "network policy agent" must be "true"')
    assert "@noskip: nothing to check: 0 of 1 aws_eks_addon with addon_name = vpc-cni" in outcome.message
    local = run_scenario(spec.scenario, Inventory("terraform", "plan", [], environment="local"))
    assert local.status == "skipped" and "this is local" in local.message
