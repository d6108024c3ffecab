"""What every human-facing reporter shows the same way: counts, verdict, findings grouped by control."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from citygate.controls import Control, load_catalogue
from citygate.findings import Finding, GateReport, Severity

UNMAPPED = "unmapped"


@dataclass
class ControlGroup:
    """The findings of one control (or of no control), worst first, with the fixes to apply."""

    control_id: str
    title: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def severity(self) -> Severity:
        return max((f.severity for f in self.findings), default=Severity.INFO)

    @property
    def fixes(self) -> list[str]:
        """Distinct fixes, each with the rule it comes from."""
        return list(dict.fromkeys(f"{f.id}: {f.fix}" for f in self.findings if f.fix))


RESOLUTIONS = ("dismissed", "excepted", "not_applicable")
HIDDEN_BY_DEFAULT = frozenset({"dismissed", "not_applicable"})  # in JSON/SARIF/JUnit, not in text views


def status_label(finding: Finding) -> str:
    if finding.exception:
        return f"{finding.resolution} ({finding.exception})"
    return finding.resolution or finding.status


def shown(findings: list[Finding]) -> list[Finding]:
    """What a human reads by default: dismissed and not-applicable findings are counted, not listed."""
    return [f for f in findings if f.resolution not in HIDDEN_BY_DEFAULT]


def resolved_line(tally: dict[str, int]) -> str:
    return (
        f"{tally['dismissed']} dismissed with proof, {tally['excepted']} excepted, "
        f"{tally['not_applicable']} not applicable"
    )


def verdict(report: GateReport) -> str:
    return "FAIL" if report.exit_code else "PASS"


def outcome(finding: Finding, failing: set[int]) -> str:
    """failing (counts against --fail-on), below_threshold, warn, pass, or how it was resolved."""
    if finding.resolved:
        return finding.resolution
    if id(finding) in failing:
        return "failing"
    return "below_threshold" if finding.status == "fail" else finding.status


def counts(report: GateReport) -> dict[str, int]:
    """Findings by outcome, for every summary."""
    failing = {id(f) for f in report.failing()}
    tally = Counter(outcome(f, failing) for f in report.findings)
    names = ("failing", "below_threshold", "warn", *RESOLUTIONS)
    return {"total": len(report.findings), **{name: tally[name] for name in names}}


def control(control_id: str) -> Control | None:
    return load_catalogue().get(control_id)


def by_control(findings: list[Finding]) -> list[ControlGroup]:
    """One group per control a finding enforces (a finding may appear under several), unmapped last."""
    groups: dict[str, ControlGroup] = {}
    for finding in findings:
        for control_id in finding.controls or [UNMAPPED]:
            if control_id not in groups:
                known = control(control_id) if control_id != UNMAPPED else None
                title = known.title if known else "Rules not mapped to a control"
                groups[control_id] = ControlGroup(control_id, title)
            groups[control_id].findings.append(finding)
    for group in groups.values():
        group.findings.sort(key=lambda f: (f.resolved, -f.severity, f.id, f.resource))
    return sorted(groups.values(), key=lambda g: (g.control_id == UNMAPPED, -g.severity, g.control_id))
