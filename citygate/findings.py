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


@dataclass
class Finding:
    """One rule's verdict on one resource.

    `status` is "fail" (a violation), "warn" (advisory, never fails the gate) or "pass" where an
    engine reports passes.  `controls` are catalogue control ids (CG-...); `fix` is the remediation
    shown to the author.
    """

    id: str  # rule id: CG-S3-001, CKV_AWS_19, AVD-AWS-0088, ...
    title: str
    severity: Severity
    status: str
    resource: str  # Terraform address, Kind/namespace/name, Kind/name, Workflow/file
    message: str
    engine: str  # rego | checkov | trivy | opa | schema | reachability | waivers
    controls: list[str] = field(default_factory=list)
    file: str = ""
    fix: str = ""
    waived: bool = False
    waiver: str = ""  # the waiver id that covered it

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
            "waived": self.waived,
            "waiver": self.waiver,
            "fix": self.fix,
        }


@dataclass
class EngineRun:
    """What one engine did in a gate run: for the summary, and so a crash is never silent."""

    engine: str
    seconds: float
    findings: int
    status: str = "ok"  # ok | skipped | error
    detail: str = ""


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
        """Unwaived violations at or above the --fail-on threshold: these make the exit code 1."""
        return [f for f in self.findings if f.status == "fail" and not f.waived and f.severity >= self.fail_on]

    @property
    def exit_code(self) -> int:
        return 1 if self.failing() else 0
