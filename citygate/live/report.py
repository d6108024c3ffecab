"""Render a live-verification report: text for people, the DESIGN.md JSON object for tools."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from citygate.findings import Finding, GateReport


def finding_line(finding: Finding) -> str:
    return f"FAIL {finding.severity.name.lower():8} {finding.id:16} {finding.resource}: {finding.message}"


def summary(report: GateReport) -> dict[str, Any]:
    statuses = Counter(f.status for f in report.findings)
    failing = report.failing()
    return {
        "target": report.target,
        "kind": report.kind,
        "resources": report.resources,
        "checks": len(report.findings),
        "passed": statuses.get("pass", 0),
        "failed": statuses.get("fail", 0),
        "failing": len(failing),
        "by_severity": dict(Counter(f.severity.name.lower() for f in failing)),
        "fail_on": report.fail_on.name.lower(),
        "engines": [
            {"engine": e.engine, "seconds": round(e.seconds, 3), "findings": e.findings, "status": e.status}
            for e in report.engines
        ],
        "seconds": round(report.seconds, 3),
        "exit_code": report.exit_code,
    }


def render_text(report: GateReport) -> str:
    counts = summary(report)
    lines = [finding_line(f) for f in report.failing()]
    verdict = "FAILED" if report.exit_code else "passed"
    lines.append(
        f"verify {verdict}: {counts['checks']} checks on {counts['resources']} deployed resources,"
        f" {counts['failing']} failing ({report.seconds:.1f}s)"
    )
    return "\n".join(lines)


def render_json(report: GateReport) -> str:
    document = {"summary": summary(report), "findings": [f.to_json() for f in report.findings]}
    return json.dumps(document, indent=2)
