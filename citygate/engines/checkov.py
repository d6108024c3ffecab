"""Checkov (its built-in checks plus ours in policies/checkov/) as a gate engine.

Checkov runs in its own virtualenv (it pins boto3 far behind moto), so it is always a subprocess:
`$CHECKOV_BIN`, else `.venv-checkov/bin/checkov`, else `checkov` on PATH.  Its failed checks
become `Finding`s addressed the way the rest of the gate addresses resources:

- terraform_plan: the plan address as is (`module.m.aws_s3_bucket.b["k"]`);
- terraform_json (cdk.tf.json): Checkov says `resource.NAME`, mapped back to `TYPE.NAME`;
- kubernetes: `Kind.namespace.name` -> `Kind/namespace/name` (`Kind/name` when cluster-scoped);
  a pod Checkov derives from a workload's template maps to that workload;
- github_actions: `jobs(build).steps[2]` -> `Workflow/pr.yml/jobs/build`, `on(...)` -> the workflow.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from citygate.engines.base import GateInput
from citygate.engines.external import (
    controls_for,
    empty_report,
    find_tool,
    parse_json,
    run_tool,
    severity_for,
)
from citygate.engines.staging import Staged, stage_input
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.k8s.kinds import address as k8s_address
from citygate.model import Inventory
from citygate.paths import CHECKOV_DIR, ROOT

ENGINE = "checkov"
BIN_ENV = "CHECKOV_BIN"
BUNDLED = (ROOT / ".venv-checkov" / "bin" / "checkov",)
# Exit codes: 0 no failed check, 1 failed checks; anything else is Checkov itself failing.
OK_CODES = (0, 1)
# Checkov logs a custom check it cannot import and runs on without it: for us that is a failure.
LOAD_FAILURES = ("Cannot load external check",)
GHA_JOB = re.compile(r"^jobs\(([^)]+)\)")
# Input kind -> Checkov framework (a Terraform plan is `terraform_plan`, see framework_for).
FRAMEWORKS = {"terraform": "terraform_json", "kubernetes": "kubernetes", "github_workflows": "github_actions"}
JSON_KEY_LINE = re.compile(r'^(\s*)"([^"]+)"\s*:\s*\{')


def framework_for(inventory: Inventory) -> str:
    """Checkov's framework for an input kind (a plan and a synth folder are both Terraform)."""
    if inventory.kind == "terraform" and inventory.source == "plan":
        return "terraform_plan"
    if inventory.kind not in FRAMEWORKS:
        raise CitygateError(f"cannot judge input kind {inventory.kind!r}", where=ENGINE)
    return FRAMEWORKS[inventory.kind]


def command(binary: Path, target: Path, framework: str) -> list[str]:
    return [
        str(binary),
        "--file" if target.is_file() else "--directory",
        str(target),
        "--framework",
        framework,
        "--external-checks-dir",
        str(CHECKOV_DIR),
        "--skip-download",
        "--output",
        "json",
        "--quiet",
        "--compact",
    ]


def reports(output: Any, inventory: Inventory) -> list[dict[str, Any]]:
    """Checkov's per-framework reports.

    A summary-only object means no check ran: Checkov did not recognise the input, or holds no
    check for any of its resources.  That fails closed, unless the input is manifests running no
    pods, which Checkov may simply have no check for (see `empty_report`).
    """
    found = output if isinstance(output, list) else [output]
    if not found or not all(isinstance(r, dict) and isinstance(r.get("results"), dict) for r in found):
        raise empty_report(
            ENGINE,
            inventory,
            "Checkov found nothing it could scan in the input (no file it recognises, or no resource it has checks for)",
        )
    for report in found:
        errors = report.get("summary", {}).get("parsing_errors", 0)
        if errors:
            files = ", ".join(map(str, report["results"].get("parsing_errors", []))) or "the input"
            raise CitygateError(f"Checkov could not parse {errors} file(s): {files}", where=ENGINE)
    return found


def synth_index(file: str) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """Resource name -> types declaring it in one cdk.tf.json, and the file's lines."""
    text = Path(file).read_text(encoding="utf-8")
    names: dict[str, list[str]] = {}
    for resource_type, by_name in (json.loads(text).get("resource") or {}).items():
        for name in by_name:
            names.setdefault(name, []).append(resource_type)
    return names, tuple(text.splitlines())


def enclosing_type(lines: tuple[str, ...], start: int, types: list[str]) -> str | None:
    """The resource type whose JSON object encloses the block starting at line `start` (1-based)."""
    own_indent = len(lines[start - 1]) - len(lines[start - 1].lstrip())
    for line in reversed(lines[: start - 1]):
        match = JSON_KEY_LINE.match(line)
        if match and len(match.group(1)) < own_indent and match.group(2) in types:
            return match.group(2)
    return None


def kubernetes_address(resource: str, known: set[str]) -> str:
    """`Kind.namespace.name` (names may hold dots; namespaces cannot) to the inventory's address."""
    kind, namespace, name = [*resource.split(".", 2), "", ""][:3]
    direct = k8s_address(kind, name, namespace)
    if direct in known:
        return direct
    owners = [a for a in known if a.count("/") == 2 and a.split("/")[1] == namespace]
    owners = [a for a in owners if name.startswith(a.split("/")[2] + ".")]
    return max(owners, key=len) if owners else direct


def workflow_address(resource: str, file: str) -> str:
    workflow = f"Workflow/{Path(file).name}"
    job = GHA_JOB.match(resource)
    return f"{workflow}/jobs/{job.group(1)}" if job else workflow


@dataclass
class Addressing:
    """Maps one run's Checkov locations back to the user's files and the inventory's addresses."""

    framework: str
    known: set[str]
    staged: Staged
    synth: dict[str, tuple[dict[str, list[str]], tuple[str, ...]]] = field(default_factory=dict)

    def file(self, check: dict[str, Any]) -> str:
        return self.staged.original(str(check.get("file_abs_path") or ""), self.address(check))

    def address(self, check: dict[str, Any]) -> str:
        resource: str = check.get("resource_address") or check["resource"]
        if self.framework == "terraform_json" and resource.startswith("resource."):
            return self.synth_address(check)
        if self.framework == "kubernetes":
            return kubernetes_address(resource, self.known)
        if self.framework == "github_actions":
            return workflow_address(resource, str(check.get("file_abs_path") or ""))
        return resource

    def synth_address(self, check: dict[str, Any]) -> str:
        """`resource.NAME` -> `TYPE.NAME`: the one type with that name, else the block enclosing it."""
        name = check["resource"].removeprefix("resource.")
        file = check["file_abs_path"]
        if file not in self.synth:
            self.synth[file] = synth_index(file)
        names, lines = self.synth[file]
        types = names.get(name, [])
        found = types[0] if len(types) == 1 else enclosing_type(lines, check["file_line_range"][0], types)
        return f"{found}.{name}" if found else check["resource"]


def to_finding(check: dict[str, Any], addressing: Addressing) -> Finding:
    controls = controls_for([check["check_id"]])
    evaluated = (check.get("check_result") or {}).get("evaluated_keys") or []
    message = check["check_name"] + (f" (checked: {', '.join(map(str, evaluated))})" if evaluated else "")
    return Finding(
        id=check["check_id"],
        title=check["check_name"],
        severity=severity_for(controls, check.get("severity")),
        status="fail",
        resource=addressing.address(check),
        message=message,
        engine=ENGINE,
        controls=controls,
        file=addressing.file(check),
        fix=check.get("guideline") or "",
    )


class CheckovEngine:
    """Checkov on the on-disk input, with our custom checks; failed checks only."""

    name = ENGINE
    ours = False

    @staticmethod
    def supports(inventory: Inventory) -> bool:
        return inventory.kind in FRAMEWORKS

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        framework = framework_for(gate_input.inventory)
        binary = find_tool("checkov", BIN_ENV, BUNDLED)
        with tempfile.TemporaryDirectory(prefix="citygate-checkov-") as tmp:
            staged = stage_input(gate_input, Path(tmp))
            argv = command(binary, staged.target, framework)
            output = run_tool(argv, timeout, ENGINE, ok_codes=OK_CODES, alarms=LOAD_FAILURES)
            found = reports(parse_json(output, ENGINE), gate_input.inventory)
            addressing = Addressing(framework, {r.address for r in gate_input.inventory.resources}, staged)
            try:
                return [
                    to_finding(check, addressing)
                    for report in found
                    for check in report["results"].get("failed_checks", [])
                ]
            except (KeyError, TypeError, IndexError, OSError, ValueError) as exc:
                raise CitygateError(f"unexpected report shape ({type(exc).__name__}: {exc})", where=ENGINE) from None
