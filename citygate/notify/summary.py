"""What a notification says, read from a report file: the verdict, the counts, and what is failing.

Two reports are understood: the gate's JSON report (`check --format json`) and the load test's SLO
verdict (`loadtest --json`).  A gate report is read back into the gate's own model, so "failing" means
exactly what the exit code meant (an unresolved violation at or above the report's `--fail-on`).
Each failing control becomes one `Problem` (one tracker issue); a breached objective is a problem too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citygate.errors import CitygateError
from citygate.findings import Finding, GateReport, Severity
from citygate.reporters.grouping import by_control

LOADTEST_SCOPE = "loadtest"


@dataclass(frozen=True)
class Item:
    """One failing thing a reader can act on: a gate finding, or a breached objective."""

    rule: str
    control: str
    resource: str
    severity: str
    message: str
    fix: str = ""


@dataclass(frozen=True)
class Problem:
    """One failing control (or objective): the unit a tracker issue follows from open to done."""

    key: str  # control id (CG-ENC-1) or objective (SLO local/p95 latency)
    title: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Summary:
    """A report, reduced to what a chat message and a tracker need."""

    scope: str  # terraform | kubernetes | github_workflows | loadtest: what kind of input was judged
    target: str
    passed: bool
    counts: dict[str, int]  # failing findings per severity, or breached/held objectives
    items: tuple[Item, ...]  # worst first
    problems: tuple[Problem, ...]
    judged: bool  # something was looked at: only then may a missing failure close an issue
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def verdict(self) -> str:
        return "PASS" if self.passed else "FAIL"


def load_summary(path: Path) -> Summary:
    """Read a gate or load-test report; anything else is one clear error naming the file."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CitygateError(f"cannot read the report ({exc.strerror or exc})", str(path)) from None
    except ValueError as exc:
        raise CitygateError(f"not JSON ({exc})", str(path)) from None
    try:
        if isinstance(document, dict) and "findings" in document and "summary" in document:
            return gate_summary(document)
        if isinstance(document, dict) and "results" in document and "passed" in document:
            return loadtest_summary(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CitygateError(f"malformed report ({type(exc).__name__}: {exc})", str(path)) from None
    raise CitygateError(
        "neither a gate report (check --format json) nor a load-test verdict (loadtest --json)", str(path)
    )


def _finding(data: dict[str, Any]) -> Finding:
    return Finding(
        id=str(data["id"]),
        title=str(data.get("title", "")),
        severity=Severity.parse(str(data["severity"])),
        status=str(data["status"]),
        resource=str(data.get("resource", "")),
        message=str(data.get("message", "")),
        engine=str(data.get("engine", "")),
        controls=[str(c) for c in data.get("controls", [])],
        file=str(data.get("file", "")),
        fix=str(data.get("fix", "")),
        resolution=str(data.get("resolution", "")),
        reason=str(data.get("reason", "")),
        exception=str(data.get("exception", "")),
    )


def _item(finding: Finding) -> Item:
    return Item(
        rule=finding.id,
        control=", ".join(finding.controls) or "unmapped",
        resource=finding.resource,
        severity=finding.severity.name.lower(),
        message=finding.message,
        fix=finding.fix,
    )


def gate_summary(document: dict[str, Any]) -> Summary:
    head = document["summary"]
    report = GateReport(
        target=str(head.get("target", "")),
        kind=str(head["kind"]),
        findings=[_finding(f) for f in document["findings"]],
        fail_on=Severity.parse(str(head.get("fail_on", "low"))),
    )
    failing = sorted(report.failing(), key=lambda f: (-f.severity, f.id, f.resource))
    counts = {level.name.lower(): sum(1 for f in failing if f.severity == level) for level in sorted(Severity)[::-1]}
    problems = tuple(
        Problem(group.control_id, group.title, tuple(_item(f) for f in group.findings)) for group in by_control(failing)
    )
    engines = head.get("engines", [])
    judged = any(engine.get("status") == "ok" for engine in engines)
    skipped = [f"{e['engine']} skipped ({e.get('detail', '')})" for e in engines if e.get("status") == "skipped"]
    return Summary(
        scope=report.kind,
        target=report.target,
        passed=not failing,
        counts=counts,
        items=tuple(_item(f) for f in failing),
        problems=problems,
        judged=judged,
        notes=tuple(skipped),
    )


def loadtest_summary(document: dict[str, Any]) -> Summary:
    profile = str(document.get("profile", ""))
    results = document["results"]
    breached = [r for r in results if not r["passed"]]
    items = tuple(
        Item(
            rule=str(r["name"]),
            control=f"SLO {r['name']}",
            resource=f"profile {profile}",
            severity="high",
            message=f"measured {r['measured']}, objective {r['objective']}",
        )
        for r in breached
    )
    measured = document.get("measured", {})
    return Summary(
        scope=LOADTEST_SCOPE,
        target=f"load test, profile {profile}",
        passed=bool(document["passed"]) and not breached,
        counts={"breached": len(breached), "held": len(results) - len(breached)},
        items=items,
        problems=tuple(
            Problem(f"SLO {profile}/{item.rule}", f"{item.rule} objective breached", (item,)) for item in items
        ),
        judged=bool(results) and int(measured.get("requests", 0)) > 0,
    )
