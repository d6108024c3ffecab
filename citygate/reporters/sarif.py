"""SARIF 2.1.0 for GitHub code scanning: one run, one rule per rule id, control metadata on each rule.

Each rule carries its controls and their framework ids as tags, and a numeric `security-severity`
GitHub uses to rank alerts.  Resolved findings (dismissed with proof, excepted, not applicable) are kept, with an accepted
external suppression whose justification says how and why.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from citygate.findings import Finding, GateReport, Severity, former_ids
from citygate.reporters.grouping import control

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
# GitHub's bands: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def level(finding: Finding) -> str:
    if finding.status == "fail":
        return "error" if finding.severity >= Severity.HIGH else "warning"
    return "note"


def artifact_uri(file: str, target: str) -> str:
    """A repository-relative URI where possible (what code scanning can link), else the path as given."""
    path = Path(file or target)
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def rule_descriptor(finding: Finding) -> dict[str, Any]:
    controls = [c for c in (control(cid) for cid in finding.controls) if c is not None]
    frameworks = sorted({f"{name}:{ref}" for c in controls for name, refs in c.frameworks.items() for ref in refs})
    description = " ".join(c.description for c in controls) or finding.title
    descriptor: dict[str, Any] = {
        "id": finding.id,
        "name": finding.id.replace("-", "_"),
        "shortDescription": {"text": finding.title},
        "fullDescription": {"text": description},
        "help": {"text": finding.fix or finding.title},
        "defaultConfiguration": {"level": level(finding)},
        "properties": {
            "tags": ["security", finding.engine, *finding.controls, *frameworks],
            "security-severity": SECURITY_SEVERITY[finding.severity],
            "precision": "high",
            "controls": [{"id": c.id, "title": c.title, "severity": c.severity.name.lower()} for c in controls],
        },
    }
    former = former_ids(finding.id)
    if former:
        descriptor["deprecatedIds"] = former  # alerts raised under the old id stay the same alert
    return descriptor


def result(finding: Finding, rule_index: int, target: str) -> dict[str, Any]:
    fingerprint = hashlib.sha256(f"{finding.id}|{finding.resource}".encode()).hexdigest()
    entry: dict[str, Any] = {
        "ruleId": finding.id,
        "ruleIndex": rule_index,
        "level": level(finding),
        "message": {"text": f"{finding.resource}: {finding.message}"},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.file, target)},
                    "region": {"startLine": 1},
                },
                "logicalLocations": [{"fullyQualifiedName": finding.resource, "kind": "resource"}],
            }
        ],
        "partialFingerprints": {"citygateFinding/v1": fingerprint},
        "properties": {
            "engine": finding.engine,
            "severity": finding.severity.name.lower(),
            "status": finding.status,
            "controls": list(finding.controls),
        },
    }
    if finding.resolved:
        entry["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": f"{finding.resolution}: {finding.reason}"}
        ]
    return entry


def render_sarif(report: GateReport) -> str:
    rules: dict[str, dict[str, Any]] = {}
    for finding in report.findings:
        rules.setdefault(finding.id, rule_descriptor(finding))
    index = {rule_id: i for i, rule_id in enumerate(rules)}
    failed = [e.engine for e in report.engines if e.status == "error"]
    document = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "citygate", "rules": list(rules.values())}},
                "automationDetails": {"id": f"citygate/{report.kind}/"},
                "invocations": [
                    {
                        "executionSuccessful": not failed,
                        "exitCode": report.exit_code,
                        "toolExecutionNotifications": [
                            {"level": "error", "message": {"text": f"engine {name} failed"}} for name in failed
                        ],
                    }
                ],
                "results": [result(f, index[f.id], report.target) for f in report.findings],
                "properties": {"target": report.target, "resources": report.resources},
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"
