"""One ALB model: Terraform owns the load balancer, the cluster only binds pods to its target groups.

The environment's synthesized stack (cdk.tf.json) holds the ALB, its target groups and the IRSA policy of
the AWS Load Balancer Controller; the rendered overlay holds the `TargetGroupBinding`s and any Ingress.
They drift apart silently: a binding naming a target group the stack does not have registers nothing, a
target group no binding fills forwards to nothing, an Ingress of class `alb` makes the controller build a
second load balancer outside the gate (no WAF, no TLS policy), and a controller policy without
`RegisterTargets` (or with `CreateLoadBalancer`) breaks the model from the IAM side.  Each is a finding
of CG_K8S_040.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.findings import Finding, FixedRule
from citygate.k8s.irsa import ENVIRONMENT_LABEL, SUBJECT, SynthLocator
from citygate.model import Resource

RULE_ID = "CG_K8S_040"
TITLE = "The cluster binds pods only to the stack's target groups, and creates no load balancer"
CONTROLLER = ("kube-system", "aws-load-balancer-controller")
BINDING_KIND = "TargetGroupBinding"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
TARGET_GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:targetgroup/(?P<name>[\w-]+)/")
TARGET_GROUP_REF = re.compile(r"\$\{aws_lb_target_group\.([\w-]+)\.arn\}")
REGISTER = "elasticloadbalancing:RegisterTargets"
# What the controller must never be able to do when Terraform owns the edge.
FORBIDDEN = re.compile(
    r"^(elasticloadbalancing:(\*|Create\w*|Delete(LoadBalancer|Listener|Rule|TargetGroup)|Modify\w*|Set\w*)"
    r"|wafv2:\*|wafv2:Associate\w*|waf-regional:\*|waf-regional:Associate\w*|\*)$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class StackEdge:
    """The edge as the stack defines it."""

    has_alb: bool
    target_groups: Mapping[str, str]  # logical id -> name
    controller_actions: Mapping[str, frozenset[str]]  # action -> logical ids of target groups it is granted on
    controller_managed_policies: tuple[str, ...]
    controller_role: str | None


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(policy: Any) -> Iterable[dict[str, Any]]:
    try:
        document = json.loads(policy) if isinstance(policy, str) else policy
    except json.JSONDecodeError:
        return []
    return [s for s in _as_list((document or {}).get("Statement", [])) if isinstance(s, dict)]


@cache
def stack_edge(synth_file: Path) -> StackEdge:
    try:
        document = json.loads(synth_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CitygateError(f"unreadable synthesized stack: {exc}", str(synth_file)) from exc
    resources = document.get("resource") or {}
    groups = {key: str(value.get("name", "")) for key, value in (resources.get("aws_lb_target_group") or {}).items()}
    role = next(
        (
            key
            for key, value in (resources.get("aws_iam_role") or {}).items()
            if CONTROLLER in set(SUBJECT.findall(str(value.get("assume_role_policy", ""))))
        ),
        None,
    )
    actions: dict[str, set[str]] = {}
    managed: list[str] = []
    if role is not None:
        own = f"${{aws_iam_role.{role}."
        for policy in (resources.get("aws_iam_role_policy") or {}).values():
            if not str(policy.get("role", "")).startswith(own):
                continue
            for statement in _statements(policy.get("policy")):
                if statement.get("Effect") != "Allow":
                    continue
                targets = set(TARGET_GROUP_REF.findall(json.dumps(statement.get("Resource", []))))
                if "*" in _as_list(statement.get("Resource", [])):
                    targets |= set(groups)
                for action in _as_list(statement.get("Action", [])):
                    actions.setdefault(str(action), set()).update(targets)
        managed = [
            str(a.get("policy_arn"))
            for a in (resources.get("aws_iam_role_policy_attachment") or {}).values()
            if str(a.get("role", "")).startswith(own)
        ]
    return StackEdge(
        has_alb=bool(resources.get("aws_lb") or resources.get("aws_alb")),
        target_groups=groups,
        controller_actions={a: frozenset(t) for a, t in actions.items()},
        controller_managed_policies=tuple(sorted(managed)),
        controller_role=role,
    )


_RULE = FixedRule(
    RULE_ID,
    TITLE,
    "alb",
    controls=("CG-K8S-19",),
    fix="Bind each of the stack's target groups with one TargetGroupBinding (spec.targetGroupName), remove "
    "Ingresses of class alb, and keep the controller's IRSA policy to Describe* and Register/DeregisterTargets.",
)
_finding = _RULE.finding


def is_alb_ingress(resource: Resource) -> bool:
    if resource.type != "Ingress":
        return False
    values = resource.values
    annotations = values.get("metadata", {}).get("annotations") or {}
    return (values.get("spec") or {}).get("ingressClassName") == "alb" or annotations.get(
        INGRESS_CLASS_ANNOTATION
    ) == "alb"


def binding_group(resource: Resource) -> str | None:
    """The target group name a TargetGroupBinding names (by name, or inside its ARN)."""
    spec = resource.values.get("spec") or {}
    if spec.get("targetGroupName"):
        return str(spec["targetGroupName"])
    match = TARGET_GROUP_ARN.match(str(spec.get("targetGroupARN", "")))
    return match["name"] if match else None


def _is_controller(resource: Resource) -> bool:
    return (
        resource.type == "ServiceAccount"
        and (resource.values["metadata"].get("namespace"), resource.name) == CONTROLLER
    )


def applies(resources: list[Resource]) -> bool:
    """Whether a bundle says anything about the edge: bindings, alb Ingresses, or the controller itself."""
    return any(r.type == BINDING_KIND or is_alb_ingress(r) or _is_controller(r) for r in resources)


def _policy_findings(edge: StackEdge, env: str, anchor: Resource | None) -> list[Finding]:
    resource = anchor.address if anchor else f"aws_iam_role.{edge.controller_role}"
    file = anchor.file if anchor else ""
    if edge.controller_role is None:
        return [_finding(resource, f"the {env} stack makes no IRSA role for the controller", file)]
    findings = []
    granted = edge.controller_actions.get(REGISTER, frozenset())
    missing = sorted(edge.target_groups[key] for key in set(edge.target_groups) - granted)
    if missing:
        findings.append(
            _finding(resource, f"the controller's role may not RegisterTargets in {', '.join(missing)}", file)
        )
    forbidden = sorted(a for a in edge.controller_actions if FORBIDDEN.match(a))
    if forbidden:
        findings.append(
            _finding(resource, f"the controller's role may {', '.join(forbidden)}: Terraform owns the ALB", file)
        )
    if edge.controller_managed_policies:
        findings.append(
            _finding(
                resource,
                f"the controller's role carries managed policies ({', '.join(edge.controller_managed_policies)}): "
                "only its inline TargetGroupBinding policy is reviewed",
                file,
            )
        )
    return findings


def cross_check(resources: list[Resource], env: str, locate: SynthLocator) -> list[Finding]:
    """Findings for one bundle deploying to `env` ("" when unknown); [] when the bundle says nothing of the edge."""
    if not applies(resources):
        return []
    first = next(r for r in resources if r.type in (BINDING_KIND, "Ingress", "ServiceAccount"))
    labelled = (str((r.values["metadata"].get("labels") or {}).get(ENVIRONMENT_LABEL, "")) for r in resources)
    env = env or next((label for label in labelled if label), "")
    if not env:
        return [_finding(first.address, "cannot cross-check the ALB model: the environment is unknown", first.file)]
    edge = stack_edge(locate(env))
    findings: list[Finding] = []
    bound: set[str] = set()
    for resource in resources:
        if is_alb_ingress(resource) and edge.has_alb:
            findings.append(
                _finding(
                    resource.address,
                    "an Ingress of class alb makes the controller build a second load balancer; the stack owns the ALB",
                    resource.file,
                )
            )
        if resource.type != BINDING_KIND:
            continue
        group = binding_group(resource)
        if group is None or group not in edge.target_groups.values():
            findings.append(
                _finding(
                    resource.address,
                    f"binds target group {group or '(none)'}, which the {env} stack does not have "
                    f"(it has {', '.join(sorted(edge.target_groups.values())) or 'none'})",
                    resource.file,
                )
            )
        else:
            bound.add(group)
    for key, group in sorted(edge.target_groups.items()):
        if group not in bound:
            findings.append(
                _finding(f"aws_lb_target_group.{key}", f"no TargetGroupBinding fills target group {group}", first.file)
            )
    controller = next((r for r in resources if _is_controller(r)), None)
    return findings + _policy_findings(edge, env, controller)
