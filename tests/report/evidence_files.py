"""A small evidence folder as `up` writes it, for the report tests: every kind of gate outcome on local,
a clean dev plan, nothing for staging and prod (they must show "not run")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

EVIDENCE_FINDINGS = 40  # enough dismissed rows that collapsed evidence fills printed pages


def finding(
    rule: str, resource: str, control: str, status: str = "fail", resolution: str = "", **extra: str
) -> dict[str, Any]:
    return {
        "id": rule,
        "title": f"{rule} title",
        "severity": "high",
        "status": status,
        "resource": resource,
        "file": "",
        "message": f"{rule} on {resource}",
        "controls": [control],
        "engine": "checkov" if rule.startswith("CKV") else "live",
        "resolution": resolution,
        "reason": extra.get("reason", f"{resolution} because of a recorded decision" if resolution else ""),
        "exception": extra.get("exception", ""),
    }


def gate_report(target: str, findings: list[dict[str, Any]], result: str = "pass") -> dict[str, Any]:
    engines = [
        {"engine": "checkov", "status": "ok", "seconds": 1.0, "findings": len(findings), "proofs": 0, "detail": ""}
    ]
    return {"summary": {"target": target, "result": result, "engines": engines}, "findings": findings}


def write_evidence(folder: Path, plan_dir: Path) -> Path:
    """The folder, with a plan JSON per judged environment under `plan_dir/<env>/plan.json`."""
    folder.mkdir(parents=True, exist_ok=True)
    plans = {}
    for env in ("local", "dev"):
        plans[env] = plan_dir / env / "plan.json"
        plans[env].parent.mkdir(parents=True, exist_ok=True)
        plans[env].write_text(json.dumps({"format_version": "1.2", "env": env}))
    dismissed = [
        finding("CKV_AWS_145", f"aws_s3_bucket.zone_{i}", "CG-ENC-1", resolution="dismissed")
        for i in range(EVIDENCE_FINDINGS)
    ]
    local = [
        finding("CKV_AWS_21", "aws_s3_bucket.raw", "CG-DP-2"),
        finding("CKV_AWS_18", "aws_s3_bucket.access_logs", "CG-AUD-5", resolution="excepted", exception="EX-002"),
        finding("CKV_AWS_144", "aws_s3_bucket.raw", "CG-DP-1", resolution="not_applicable"),
        *dismissed,
    ]
    files = {
        "local-gate.json": gate_report(str(plans["local"]), local, "fail"),
        "dev-gate.json": gate_report(str(plans["dev"]), dismissed[:3]),
        "live.json": gate_report(
            "local (http://127.0.0.1:4566)",
            [finding("CG_LIVE_KMS_001", "aws_kms_key.data", "CG-ENC-10", status="pass")],
        ),
        "workloads-gate.json": gate_report("/repo/workloads/overlays/local", []),
        "loadtest.json": {
            "profile": "local",
            "passed": True,
            "measured": {"requests": 100},
            "results": [{"name": "p95 latency", "objective": "<= 150 ms", "measured": "12 ms", "passed": True}],
        },
    }
    for name, content in files.items():
        (folder / name).write_text(json.dumps(content))
    return folder
