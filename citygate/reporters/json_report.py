"""The JSON report: `{"summary": {...}, "findings": [...]}`, the shape other tools rely on."""

from __future__ import annotations

import json
from typing import Any

from citygate.findings import GateReport, Severity
from citygate.reporters.grouping import counts, verdict


def summary(report: GateReport) -> dict[str, Any]:
    return {
        "target": report.target,
        "kind": report.kind,
        "result": verdict(report).lower(),
        "exit_code": report.exit_code,
        "fail_on": report.fail_on.name.lower(),
        "resources": report.resources,
        "counts": counts(report),
        "by_severity": {
            level.name.lower(): sum(1 for f in report.findings if f.severity == level and f.status == "fail")
            for level in sorted(Severity, reverse=True)
        },
        "engines": [
            {
                "engine": e.engine,
                "status": e.status,
                "seconds": round(e.seconds, 3),
                "findings": e.findings,
                "proofs": e.proofs,
                "detail": e.detail,
            }
            for e in report.engines
        ],
        "seconds": round(report.seconds, 3),
    }


def render_json(report: GateReport) -> str:
    document = {"summary": summary(report), "findings": [f.to_json() for f in report.findings]}
    return json.dumps(document, indent=2) + "\n"
