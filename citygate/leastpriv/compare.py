"""Recorded calls against the roles' policies, as gate findings (the semantics in `citygate.leastpriv`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatch

from citygate.findings import Finding, Severity
from citygate.leastpriv.calls import Call
from citygate.leastpriv.iam import Decision, Statement, evaluate
from citygate.leastpriv.roles import Role

ENGINE = "leastpriv"
CONTROL = "CG-IAM-9"
DENIED = "CG_IAM_005"
UNUSED = "CG_IAM_006"
DENIED_TITLE = "Every AWS call a workload makes is granted by its role"
UNUSED_TITLE = "A workload role grants no action its workload never uses"
# Services that use the caller's KMS permissions on its behalf (SSE-KMS): no request shows those calls.
KMS_ON_BEHALF = {"s3", "dynamodb", "kinesis", "secretsmanager", "ssm", "logs"}


@dataclass(frozen=True)
class Judged:
    """Findings of one comparison, and how many roles and calls it judged (0 roles: nothing looked at)."""

    findings: list[Finding]
    roles: int
    calls: int


def role_name(principal: str) -> str:
    """`arn:aws:iam::1:role/path/name` -> `name` (an assumed role's ARN names the role likewise)."""
    return principal.rsplit("/", 1)[-1] if ":role/" in principal else ""


def judge(calls: Iterable[Call], roles: Mapping[str, Role], unused_status: str = "warn") -> Judged:
    """A `fail` per distinct (role, action, resources) not granted; an `unused_status` finding per
    (statement, action pattern) that no granted call of that role used."""
    by_role: dict[str, list[Call]] = defaultdict(list)
    for call in calls:
        name = role_name(call.principal or "")
        if name in roles:
            by_role[name].append(call)
    findings: list[Finding] = []
    for name, made in sorted(by_role.items()):
        role = roles[name]
        decisions = [(call, evaluate(call, list(role.statements), role.unreadable)) for call in made]
        findings += _denied(role, decisions)
        findings += _unused(role, decisions, unused_status)
    return Judged(findings, len(by_role), sum(len(made) for made in by_role.values()))


def _denied(role: Role, decisions: list[tuple[Call, Decision]]) -> list[Finding]:
    seen: dict[tuple[str, tuple[str, ...]], tuple[Decision, int]] = {}
    for call, decision in decisions:
        if not decision.granted:
            key = (call.action, call.resources)
            seen[key] = (decision, seen.get(key, (decision, 0))[1] + 1)
    return [
        Finding(
            id=DENIED,
            title=DENIED_TITLE,
            severity=Severity.HIGH,
            status="fail",
            resource=role.address,
            message=f"{action} on {', '.join(resources) or 'an unnamed resource'} ({count} call(s)): {decision.reason}",
            engine=ENGINE,
            controls=[CONTROL],
            fix=f"Grant {action} on exactly that resource in the role's policy, or stop the workload making the call.",
        )
        for (action, resources), (decision, count) in sorted(seen.items())
    ]


def _unused(role: Role, decisions: list[tuple[Call, Decision]], status: str) -> list[Finding]:
    used: set[tuple[Statement, str]] = set()
    services = {call.action.split(":")[0] for call, decision in decisions if decision.granted}
    for call, decision in decisions:
        for statement in decision.by:
            used |= {(statement, p) for p in statement.actions if _pattern_covers(p, call.action)}
    findings = []
    for statement in role.statements:
        if statement.effect != "Allow" or statement.not_actions:
            continue
        for pattern in statement.actions:
            if (statement, pattern) in used or (pattern.lower().startswith("kms:") and services & KMS_ON_BEHALF):
                continue
            findings.append(
                Finding(
                    id=UNUSED,
                    title=UNUSED_TITLE,
                    severity=Severity.LOW,
                    status=status,
                    resource=role.address,
                    message=f"{statement.label} grants {pattern} on {', '.join(statement.resources)}, "
                    "which no recorded call of the workload used",
                    engine=ENGINE,
                    controls=[CONTROL],
                    fix=f"Remove {pattern} from {statement.label}, or record a run that exercises it.",
                )
            )
    return findings


def _pattern_covers(pattern: str, action: str) -> bool:
    return fnmatch(action.lower(), pattern.lower())
