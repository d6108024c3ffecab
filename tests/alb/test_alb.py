"""One ALB model: the stack's target groups, the cluster's TargetGroupBindings and the controller's IRSA
policy agree, for every environment; a broken binding, an alb Ingress or a controller policy that can build
load balancers is blocked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.engines.base import EngineOptions
from citygate.environments import ENVIRONMENTS
from citygate.gate import run_gate
from citygate.k8s import load_manifests
from citygate.k8s.alb import RULE_ID, cross_check, stack_edge
from citygate.k8s.irsa import synth_locator
from citygate.model import Resource
from citygate.paths import WORKLOADS

BROKEN = Path(__file__).parent / "fixtures" / "broken.yaml"
TRUST = json.dumps(
    {
        "Statement": [
            {"Condition": {"StringEquals": {"x:sub": "system:serviceaccount:kube-system:aws-load-balancer-controller"}}}
        ]
    }
)


def _failing(report_findings: list, rule: str = RULE_ID) -> list[tuple[str, str]]:
    return sorted((f.resource, f.message) for f in report_findings if f.id == rule and f.status == "fail")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_committed_overlay_agrees_with_its_stack(env: str, synth_out: dict[str, Path]) -> None:
    inventory = load_manifests(WORKLOADS / "overlays" / env, environment=env)
    report = run_gate(inventory, WORKLOADS, ("alb",), options=EngineOptions(synth_files=synth_out))
    assert [run.status for run in report.engines] == ["ok"]
    assert _failing(report.findings) == []


def test_broken_fixture_is_blocked(synth_out: dict[str, Path]) -> None:
    report = run_gate(load_manifests(BROKEN), BROKEN, ("alb",), options=EngineOptions(synth_files=synth_out))
    messages = _failing(report.findings)
    assert [resource for resource, _ in messages] == [
        "Ingress/production/citygate",
        "TargetGroupBinding/production/api",
        "aws_lb_target_group.app_api",
    ]
    assert "second load balancer" in messages[0][1]
    assert "citygate-local-app, which the local stack does not have" in messages[1][1]
    assert report.exit_code == 1


def test_input_without_edge_objects_is_skipped(tmp_path: Path) -> None:
    manifest = tmp_path / "ns.yaml"
    manifest.write_text("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n")
    report = run_gate(load_manifests(manifest), manifest, ("alb", "schema"), options=EngineOptions(synth_files={}))
    assert {run.engine: run.status for run in report.engines}["alb"] == "skipped"


def _stack(tmp_path: Path, statements: list[dict], managed: bool = False) -> Path:
    path = tmp_path / "cdk.tf.json"
    resources: dict = {
        "aws_lb": {"alb": {"name": "edge"}},
        "aws_lb_target_group": {"app_web": {"name": "p-web"}, "app_api": {"name": "p-api"}},
        "aws_iam_role": {"lbc": {"name": "p-lbc", "assume_role_policy": TRUST}},
        "aws_iam_role_policy": {
            "lbc": {"role": "${aws_iam_role.lbc.id}", "policy": json.dumps({"Statement": statements})}
        },
    }
    if managed:
        resources["aws_iam_role_policy_attachment"] = {
            "lbc": {
                "role": "${aws_iam_role.lbc.name}",
                "policy_arn": "arn:aws:iam::aws:policy/ElasticLoadBalancingFullAccess",
            }
        }
    path.write_text(json.dumps({"resource": resources}))
    stack_edge.cache_clear()
    return path


def _binding(name: str, group: str) -> Resource:
    values = {"metadata": {"name": name, "namespace": "production"}, "spec": {"targetGroupName": group}}
    return Resource(f"TargetGroupBinding/production/{name}", "TargetGroupBinding", name, values, file="b.yaml")


REGISTER_ALL = {
    "Effect": "Allow",
    "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
    "Resource": ["${aws_lb_target_group.app_web.arn}", "${aws_lb_target_group.app_api.arn}"],
}
BINDINGS = [_binding("web", "p-web"), _binding("api", "p-api")]


def test_compliant_policy_passes(tmp_path: Path) -> None:
    locate = synth_locator({"dev": _stack(tmp_path, [REGISTER_ALL])})
    assert cross_check(BINDINGS, "dev", locate) == []


@pytest.mark.parametrize(
    ("statements", "managed", "expected"),
    [
        ([{**REGISTER_ALL, "Resource": ["${aws_lb_target_group.app_web.arn}"]}], False, "RegisterTargets in p-api"),
        (
            [REGISTER_ALL, {"Effect": "Allow", "Action": "elasticloadbalancing:CreateLoadBalancer", "Resource": "*"}],
            False,
            "may elasticloadbalancing:CreateLoadBalancer",
        ),
        ([REGISTER_ALL, {"Effect": "Allow", "Action": "wafv2:AssociateWebACL", "Resource": "*"}], False, "wafv2"),
        ([REGISTER_ALL], True, "ElasticLoadBalancingFullAccess"),
    ],
    ids=["no-register-on-api", "create-load-balancer", "waf-association", "managed-policy"],
)
def test_controller_policy_outside_the_model_is_blocked(
    tmp_path: Path, statements: list[dict], managed: bool, expected: str
) -> None:
    locate = synth_locator({"dev": _stack(tmp_path, statements, managed)})
    (finding,) = cross_check(BINDINGS, "dev", locate)
    assert finding.id == RULE_ID and expected in finding.message


def test_unknown_environment_is_a_finding(tmp_path: Path) -> None:
    (finding,) = cross_check(BINDINGS[:1], "", synth_locator({}))
    assert "environment is unknown" in finding.message
