"""Conformance with the restricted Pod Security Standard (Kubernetes 1.32): every case of
tests/fixtures/k8s/pod-security/cases.yaml, wrapped in every workload kind with a pod template, is
judged by the gate (Rego engine, no waivers); a violating pod fails with exactly the rule the case
names, a valid one with none of the standard's rules.  The gate's other workload rules (image
provenance, resources, read-only root filesystem) are outside the standard and tested elsewhere."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from probes import FIXTURES

from citygate.gate import run_gate
from citygate.k8s import load_manifests
from citygate.k8s.kinds import POD_SPEC_PATHS
from citygate.paths import REGO_DIR

CASES_FILE = FIXTURES / "pod-security" / "cases.yaml"
NAMESPACE = "conformance"
API_VERSIONS = {"Pod": "v1", "ReplicationController": "v1", "Job": "batch/v1", "CronJob": "batch/v1"}
EXTRA_CONTAINERS = {
    "init_container": ("initContainers", "init"),
    "ephemeral_container": ("ephemeralContainers", "debug"),
}


def pod_security_rules() -> set[str]:
    """The rule ids of policies/rego/kubernetes/pod_security.rego: the standard, as the gate enforces it."""
    text = (REGO_DIR / "kubernetes" / "pod_security.rego").read_text(encoding="utf-8")
    return set(re.findall(r"^#   id: (CG_K8S_\d+)$", text, re.MULTILINE))


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge key by key, null removes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


@dataclass(frozen=True)
class Case:
    check: str
    name: str
    expect: str | None
    entry: dict[str, Any]

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-")

    def pod_template(self, pod: dict[str, Any]) -> dict[str, Any]:
        """The document's pod with this case's patches applied."""
        spec = merge_patch(pod["spec"], self.entry.get("spec", {}))
        container = merge_patch(pod["spec"]["containers"][0], self.entry.get("container", {}))
        spec["containers"] = [container]
        for key, (field, name) in EXTRA_CONTAINERS.items():
            if key in self.entry:
                spec[field] = [merge_patch(container, {**self.entry[key], "name": name})]
        return {"metadata": merge_patch(pod["metadata"], self.entry.get("metadata", {})), "spec": spec}


@cache
def document() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
    return loaded


CASES = [Case(c["check"], c["name"], c.get("expect"), c) for c in document()["cases"]]
RUNS = [(case, kind) for case in CASES for kind in POD_SPEC_PATHS]


def workload(case: Case, kind: str) -> dict[str, Any]:
    """The case's pod as `kind` runs it: the pod itself, or the template of a controller."""
    template = case.pod_template(document()["pod"])
    metadata = {"name": case.slug, "namespace": NAMESPACE}
    path = POD_SPEC_PATHS[kind][:-1]  # where the pod template sits
    if not path:
        return {"apiVersion": "v1", "kind": kind, **template, "metadata": {**template["metadata"], **metadata}}
    manifest: dict[str, Any] = {"apiVersion": API_VERSIONS.get(kind, "apps/v1"), "kind": kind, "metadata": metadata}
    parent = manifest
    for key in path[:-1]:
        parent = parent.setdefault(key, {})
    parent[path[-1]] = template
    return manifest


@pytest.fixture(scope="module")
def rejected(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """Address -> the standard's rules failing it, from one gate run over every case and kind."""
    folder: Path = tmp_path_factory.mktemp("pod-security")
    for case, kind in RUNS:
        (folder / f"{kind.lower()}-{case.slug}.yaml").write_text(yaml.safe_dump(workload(case, kind)), encoding="utf-8")
    report = run_gate(load_manifests(folder), folder, engines=("rego",))
    rules = pod_security_rules()
    verdicts: dict[str, set[str]] = {}
    for finding in report.failing():
        if finding.id in rules:
            verdicts.setdefault(finding.resource, set()).add(finding.id)
    return verdicts


def test_cases_cover_every_rule_with_a_violating_and_a_valid_pod() -> None:
    assert len({case.slug for case in CASES}) == len(CASES), "case names must be unique"
    assert {case.expect for case in CASES if case.expect} == pod_security_rules()
    assert {case.check for case in CASES} == {case.check for case in CASES if case.expect is None}


@pytest.mark.parametrize(("case", "kind"), RUNS, ids=[f"{kind}-{case.slug}" for case, kind in RUNS])
def test_case_is_judged_as_upstream(case: Case, kind: str, rejected: dict[str, set[str]]) -> None:
    found = rejected.get(f"{kind}/{NAMESPACE}/{case.slug}", set())
    assert found == ({case.expect} if case.expect else set()), f"{case.check}: {case.name}"
