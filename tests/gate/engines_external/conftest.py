"""Each scanner runs once per input kind for the whole module (Checkov takes ~4 s a run)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from citygate.engines.base import GateInput
from citygate.findings import Finding
from citygate.inputs import load_plan, load_synth
from citygate.k8s import load_manifests
from citygate.workflows import load_workflows

DATA = Path(__file__).parent / "data"
LOADERS: dict[str, tuple[Callable[[Path], object], Path]] = {
    "plan": (load_plan, DATA / "plan.json"),
    # Terraform 0.12-era plans may hold resource_changes only, without planned_values.
    "old_plan": (load_plan, DATA / "plan-without-planned-values.json"),
    "synth": (load_synth, DATA / "synth"),
    "k8s": (load_manifests, DATA / "k8s"),
    "overlay": (load_manifests, DATA / "overlay"),  # a Kustomize overlay over a base
    "workflows": (load_workflows, DATA / "workflows"),
}


def gate_input(kind: str) -> GateInput:
    loader, path = LOADERS[kind]
    return GateInput(inventory=loader(path), path=path)  # type: ignore[arg-type]


@pytest.fixture
def fake_tool(tmp_path: Path) -> Callable[[str], Path]:
    """An executable standing in for a scanner: a shell script body, to fake crashes and garbage."""

    def _make(body: str) -> Path:
        script = tmp_path / "fake-scanner"
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
        return script

    return _make


def checkov_available() -> bool:
    from citygate.engines.checkov import BIN_ENV, BUNDLED

    return bool(os.environ.get(BIN_ENV)) or any(p.exists() for p in BUNDLED)


def assert_overlay_judged_as_rendered(findings: dict[str, list[Finding]], pinned_image_rule: str) -> None:
    """The overlay pins the base's `nginx:latest` by digest: a rule about unpinned images fires on
    the loose manifest but not on the overlay, whose findings point at the base file."""
    overlay = findings["overlay"]
    assert {f.resource for f in overlay} == {"Deployment/inference/api"}
    assert all(f.file.endswith("overlay/base/deployment.yaml") for f in overlay)
    assert pinned_image_rule in {f.id for f in findings["k8s"]}
    assert pinned_image_rule not in {f.id for f in overlay}
