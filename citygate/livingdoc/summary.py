"""The report's machine-readable summary (`report.json`) and the difference from a previous one.

Findings are keyed by rule + resource + environment, so a finding that moved from failing to
excepted is the same finding with a new status; exceptions are compared entry by entry.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.livingdoc.evidence import Evidence

SUMMARY_VERSION = 1


def findings_of(evidence: Evidence) -> dict[str, dict[str, str]]:
    """Every finding recorded per environment (plan gate, workload gate, live), by its key."""
    found: dict[str, dict[str, str]] = {}
    for env, view in evidence.environments.items():
        for source in ("gate", "workloads", "live"):
            gate = getattr(view, source)
            for f in gate.findings if gate is not None else []:
                if f.outcome == "passed":
                    continue  # the live check's passes are not findings
                found[f.key(env)] = {
                    "rule": f.rule,
                    "resource": f.resource,
                    "env": env,
                    "source": source,
                    "status": f.outcome,
                    "controls": ",".join(f.controls),
                }
    return found


def platform_of(evidence: Evidence) -> dict[str, dict[str, Any]]:
    """Each recorded platform run: its verdict and every step's status."""
    return {
        env: {
            "passed": view.platform.passed,
            "failed": view.platform.failed,
            "steps": {f"{row.stage}.{row.step}": row.status for row in view.platform.rows},
        }
        for env, view in evidence.environments.items()
        if view.platform is not None
    }


def summary(
    report_hash: str,
    generated: str,
    commit: str,
    evidence: Evidence,
    exceptions: list[dict[str, Any]],
    plan_digests: dict[str, str],
    counts: dict[str, int],
) -> dict[str, Any]:
    return {
        "version": SUMMARY_VERSION,
        "report_hash": report_hash,
        "generated": generated,
        "commit": commit,
        "plan_digests": plan_digests,
        "counts": counts,
        "findings": findings_of(evidence),
        "platform": platform_of(evidence),
        "exceptions": {e["id"]: e for e in exceptions},
    }


def read_summary(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("findings"), dict) or not isinstance(data.get("exceptions"), dict):
            raise ValueError("no findings or exceptions map")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise CitygateError(f"not a report summary ({exc})", str(path)) from None
    return data


@dataclass
class Changes:
    """What changed since a previous report."""

    previous: str  # its file
    previous_hash: str
    new: list[dict[str, str]] = field(default_factory=list)
    closed: list[dict[str, str]] = field(default_factory=list)
    changed: list[tuple[dict[str, str], str]] = field(default_factory=list)  # (finding now, status before)
    exceptions_added: list[str] = field(default_factory=list)
    exceptions_removed: list[str] = field(default_factory=list)
    exceptions_changed: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (
                self.new,
                self.closed,
                self.changed,
                self.exceptions_added,
                self.exceptions_removed,
                self.exceptions_changed,
            )
        )

    def line(self) -> str:
        return (
            f"since {self.previous}: {len(self.new)} new, {len(self.closed)} closed, {len(self.changed)} changed "
            f"findings; exceptions {len(self.exceptions_added)} added, {len(self.exceptions_removed)} removed, "
            f"{len(self.exceptions_changed)} changed"
        )


def diff(previous: dict[str, Any], current: dict[str, Any], previous_file: str) -> Changes:
    before, now = previous["findings"], current["findings"]
    was, now_ex = previous["exceptions"], current["exceptions"]
    return Changes(
        previous=previous_file,
        previous_hash=str(previous.get("report_hash", "")),
        new=[now[k] for k in sorted(now.keys() - before.keys())],
        closed=[before[k] for k in sorted(before.keys() - now.keys())],
        changed=[
            (now[k], before[k]["status"])
            for k in sorted(now.keys() & before.keys())
            if now[k]["status"] != before[k]["status"]
        ],
        exceptions_added=sorted(now_ex.keys() - was.keys()),
        exceptions_removed=sorted(was.keys() - now_ex.keys()),
        exceptions_changed=sorted(k for k in now_ex.keys() & was.keys() if now_ex[k] != was[k]),
    )
