"""The finding model every engine maps into, and the report a gate run produces."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    """Ordered so `--fail-on` can compare: a finding at or above the threshold fails the gate."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (use one of {names})") from None


def former_ids(rule_id: str) -> list[str]:
    """The ids a rule was reported under before (kept as aliases in reports for one release).

    Our rule ids were CG-AREA-NNN until they became CG_AREA_NNN, so that they can no longer be
    read as control ids (CG-AREA-N): CG-CICD-005 was a rule, CG-CICD-5 a control.
    """
    return [rule_id.replace("_", "-")] if rule_id.startswith("CG_") else []


@dataclass
class Finding:
    """One rule's verdict on one resource.

    `status` is "fail" (a violation), "warn" (advisory, never fails the gate) or "pass" (a proof:
    our policy judged the resource compliant, `message` says why).  `controls` are catalogue
    control ids (CG-...); `fix` is the remediation shown to the author.

    A failing finding stops failing only when it is resolved, and the report says how and why:
    `dismissed` (our policy proved the control on the same resource; `reason` is the evidence),
    `excepted` (an entry of the exception register names it; `exception` is its id) or
    `not_applicable` (the catalogue declares the rule not applicable; `reason` says why).
    """

    id: str  # rule id: CG_S3_001, CKV_AWS_19, AVD-AWS-0088, ...
    title: str
    severity: Severity
    status: str
    resource: str  # Terraform address, Kind/namespace/name, Kind/name, Workflow/file
    message: str
    engine: str  # rego | opa | schema | reachability | irsa | checkov | trivy | exceptions
    controls: list[str] = field(default_factory=list)
    file: str = ""
    fix: str = ""
    resolution: str = ""  # "" | dismissed | excepted | not_applicable
    reason: str = ""
    exception: str = ""  # the exception-register entry that covers it

    @property
    def resolved(self) -> bool:
        return bool(self.resolution)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": self.severity.name.lower(),
            "status": self.status,
            "resource": self.resource,
            "file": self.file,
            "message": self.message,
            "controls": list(self.controls),
            "engine": self.engine,
            "resolution": self.resolution,
            "reason": self.reason,
            "exception": self.exception,
            "aliases": former_ids(self.id),
            "fix": self.fix,
        }


@dataclass(frozen=True)
class FixedRule:
    """What every finding of one rule shares: the engines that report a rule of their own (the IRSA and ALB
    cross-checks, the exception register) state it once and fill in only where and what."""

    id: str
    title: str
    engine: str
    fix: str
    controls: tuple[str, ...] = ()
    severity: Severity = Severity.HIGH
    status: str = "fail"

    def finding(self, resource: str, message: str, file: str) -> Finding:
        return Finding(
            id=self.id,
            title=self.title,
            severity=self.severity,
            status=self.status,
            resource=resource,
            message=message,
            engine=self.engine,
            controls=list(self.controls),
            file=file,
            fix=self.fix,
        )


@dataclass
class EngineRun:
    """What one engine did in a gate run: for the summary, and so a crash is never silent."""

    engine: str
    seconds: float
    findings: int
    status: str = "ok"  # ok | skipped | error
    detail: str = ""
    proofs: int = 0  # resources our policy proved compliant (evidence for dismissals)


@dataclass
class GateReport:
    """The outcome of one gate run; every reporter (text, json, sarif, junit, markdown) renders this."""

    target: str  # what was judged: a plan file, a synth dir, a manifests path
    kind: str  # terraform | kubernetes | github_workflows
    findings: list[Finding]
    engines: list[EngineRun] = field(default_factory=list)
    resources: int = 0
    fail_on: Severity = Severity.LOW
    seconds: float = 0.0

    def failing(self) -> list[Finding]:
        """Unresolved violations at or above the --fail-on threshold: these make the exit code 1."""
        return [f for f in self.findings if f.status == "fail" and not f.resolved and f.severity >= self.fail_on]

    def unresolved_warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "warn" and not f.resolved]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing() else 0
