"""What a scanner reads for an input, and the way back from what it reports to the user's files.

A scanner given the user's path as is would misjudge three inputs silently: a Kustomize overlay
(it would read the patches, not the rendered objects), workflows outside `.github/workflows/`
(Checkov skips them) and Terraform 0.12-era plans without `planned_values` (both scanners find
them clean).  Each is staged in a temporary folder first; `Staged.original` maps a finding back.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from citygate.engines.base import GateInput
from citygate.model import Inventory, Resource

ANY_ADDRESS = "*"
WORKFLOWS_DIR = Path(".github") / "workflows"


@dataclass
class Staged:
    """What a scanner reads, and which user file each staged file's findings belong to."""

    target: Path
    origins: dict[str, dict[str, str]] = field(default_factory=dict)  # staged file -> address (or *) -> file

    def original(self, file: str, address: str) -> str:
        by_address = self.origins.get(file, {})
        return by_address.get(address) or by_address.get(ANY_ADDRESS) or file


def planned_values(inventory: Inventory) -> dict[str, Any]:
    """A `planned_values` tree rebuilt from the inventory, for plans written without one."""
    modules: dict[str, list[dict[str, Any]]] = {}
    for r in inventory.resources:
        entry: dict[str, Any] = {"address": r.address, "mode": r.mode, "type": r.type, "name": r.name}
        entry |= {"provider_name": r.provider, "values": r.values}
        if r.index is not None:
            entry["index"] = r.index
        modules.setdefault(r.module, []).append(entry)
    children = [{"address": module, "resources": found} for module, found in modules.items() if module]
    return {"root_module": {"resources": modules.get("", []), "child_modules": children}}


def stage_plan(gate_input: GateInput, folder: Path) -> Path:
    """The plan itself, or a copy in `folder` completed with `planned_values`.

    Checkov and Trivy read a plan's resources from `planned_values` only; Terraform 0.12-era plans
    may hold `resource_changes` alone, which both scanners would silently find clean.
    """
    plan = json.loads(gate_input.path.read_text(encoding="utf-8"))
    if (plan.get("planned_values") or {}).get("root_module"):
        return gate_input.path.resolve()
    staged = folder / gate_input.path.name
    staged.write_text(json.dumps({**plan, "planned_values": planned_values(gate_input.inventory)}), encoding="utf-8")
    return staged


def stage_workflows(gate_input: GateInput, folder: Path) -> Staged:
    """Copies of the workflows under `.github/workflows/`, the only place Checkov looks for them."""
    staged = Staged(folder)
    workflows = folder / WORKFLOWS_DIR
    workflows.mkdir(parents=True)
    for file in sorted({r.file for r in gate_input.inventory.resources if r.file}):
        copy = workflows / Path(file).name
        shutil.copyfile(file, copy)
        staged.origins[str(copy)] = {ANY_ADDRESS: file}
    return staged


def stage_manifests(gate_input: GateInput, folder: Path) -> Staged:
    """The objects as the loader rendered them (Kustomize overlays applied), one file per bundle.

    Scanning the user's folder instead would judge an overlay's patches, not what is deployed.
    """
    staged = Staged(folder)
    bundles: dict[str, list[Resource]] = {}
    for resource in gate_input.inventory.resources:
        bundles.setdefault(resource.module, []).append(resource)
    for number, (_, resources) in enumerate(sorted(bundles.items())):
        file = folder / f"bundle-{number}.yaml"
        file.write_text(yaml.safe_dump_all([r.values for r in resources], sort_keys=False), encoding="utf-8")
        staged.origins[str(file)] = {r.address: r.file for r in resources}
    return staged


def stage_input(gate_input: GateInput, folder: Path) -> Staged:
    """What a scanner should read for this input, written under `folder` where it must be rebuilt."""
    inventory = gate_input.inventory
    if inventory.kind == "github_workflows":
        return stage_workflows(gate_input, folder)
    if inventory.kind == "kubernetes":
        return stage_manifests(gate_input, folder)
    if inventory.source == "plan":
        plan = stage_plan(gate_input, folder)
        return Staged(plan, {str(plan): {ANY_ADDRESS: str(gate_input.path)}})
    return Staged(gate_input.path.resolve())
