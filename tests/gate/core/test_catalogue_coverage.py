"""Under block-by-default every failed scanner check blocks, so the catalogue must decide about every
Checkov and Trivy rule that fires on the project's own inputs: the plans and synthesized stacks of the
smallest and the largest environment, the workload manifests (overlays rendered) and the CI/CD workflows.

A rule is decided when a control enforces it, the catalogue declares it not applicable, or an entry of the
exception register names it for that resource.  Whether a failure is then dismissed with proof is the
gate's business, not this test's.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from citygate.controls import load_catalogue
from citygate.engines.base import GateInput
from citygate.engines.checkov import CheckovEngine
from citygate.engines.trivy import TrivyEngine
from citygate.exceptions import load_register
from citygate.findings import Finding, Severity
from citygate.inputs import load_plan, load_synth
from citygate.k8s import load_manifests
from citygate.paths import ROOT, WORKLOADS
from citygate.workflows import load_workflows

TIMEOUT = 600.0
SCANNERS = (CheckovEngine(), TrivyEngine())


def scanned(gate_input: GateInput) -> list[Finding]:
    """Every scanner's failed checks on one input (the scanners that judge it)."""
    return [f for engine in SCANNERS if engine.supports(gate_input.inventory) for f in engine.run(gate_input, TIMEOUT)]


# The smallest and the largest environment: dev and staging lie between them (same constructs, other
# sizes and counts), and planning them too would double the cost of this module.
SPAN = ("local", "prod")


@pytest.fixture(scope="module")
def own_inputs(synth_out: dict[str, Path], plan_for: Callable[[str], Path]) -> list[GateInput]:
    plans = [GateInput(load_plan(plan_for(env), env), plan_for(env)) for env in SPAN]
    synths = [GateInput(load_synth(synth_out[env], env), synth_out[env]) for env in SPAN]
    workflows = ROOT / ".github" / "workflows"
    return [
        *plans,
        *synths,
        GateInput(load_manifests(WORKLOADS), WORKLOADS),
        GateInput(load_workflows(workflows), workflows),
    ]


@pytest.fixture(scope="module")
def scanner_failures(own_inputs: list[GateInput]) -> list[Finding]:
    with ThreadPoolExecutor(max_workers=4) as pool:  # the scanners are subprocesses
        return [f for found in pool.map(scanned, own_inputs) for f in found if f.status == "fail"]


def decided(finding: Finding) -> bool:
    catalogue = load_catalogue()
    if catalogue.controls_for_rule(finding.id) or catalogue.not_applicable(finding.id):
        return True
    return any(entry.covers(finding) for entry in load_register())


def test_the_scanners_judged_the_project(scanner_failures: list[Finding]) -> None:
    """A run that found nothing would make the coverage check below pass vacuously."""
    assert {f.engine for f in scanner_failures} == {"checkov", "trivy"}


def test_every_scanner_rule_firing_on_the_project_is_decided_in_the_catalogue(
    scanner_failures: list[Finding],
) -> None:
    undecided: dict[str, set[str]] = {}
    for finding in scanner_failures:
        if not decided(finding):
            undecided.setdefault(f"{finding.engine} {finding.id} ({finding.title})", set()).add(finding.resource)
    assert not undecided, "map to a control, declare not applicable, or except:\n" + "\n".join(
        f"  {rule}: {', '.join(sorted(resources))}" for rule, resources in sorted(undecided.items())
    )


def test_an_undecided_rule_is_caught() -> None:
    unknown = Finding("CKV_AWS_999999", "t", Severity.HIGH, "fail", "aws_s3_bucket.x", "m", "checkov")
    assert not decided(unknown)
    assert decided(replace(unknown, id="CKV_AWS_145"))  # enforced by CG-ENC-1
    assert decided(replace(unknown, id="CKV_AWS_144"))  # declared not applicable
