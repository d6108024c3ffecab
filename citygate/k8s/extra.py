"""Workload findings no Rego rule can produce: schema validity, network isolation and reachability
against the intended matrix, and the IRSA cross-check with the synthesized stacks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from citygate.environments import ENVIRONMENTS
from citygate.findings import Finding, Severity
from citygate.k8s import intent, irsa, schema
from citygate.k8s.reachability import Analyzer, ReachabilityMatrix, Workload, matrix
from citygate.model import Inventory, Resource


def bundles(inventory: Inventory) -> dict[str, list[Resource]]:
    """Resources grouped by the overlay or file they came from (never mixing two environments)."""
    grouped: dict[str, list[Resource]] = {}
    for resource in inventory.resources:
        grouped.setdefault(resource.module, []).append(resource)
    return grouped


def analyzer_for(resources: list[Resource]) -> Analyzer:
    spec = intent.load_intent()
    return Analyzer(resources, spec.externals, spec.cluster_pods)


def reachability_matrix(inventory: Inventory) -> list[ReachabilityMatrix]:
    """Who reaches whom (ports included) in each bundle; `.to_dict()` is JSON for the report."""
    return [matrix(analyzer_for(resources), bundle) for bundle, resources in bundles(inventory).items()]


def _isolation(workload: Workload, analyzer: Analyzer, file: str) -> list[Finding]:
    missing = [direction for direction in ("ingress", "egress") if not analyzer.selecting(workload, direction)]
    if not missing:
        return []
    return [
        Finding(
            id="CG-K8S-017",
            title="Every workload is isolated by NetworkPolicies for ingress and egress",
            severity=Severity.HIGH,
            status="fail",
            resource=workload.address,
            message=f"no NetworkPolicy isolates its {' and '.join(missing)}: every pod may connect",
            engine="reachability",
            controls=list(intent.CONTROLS),
            file=file,
            fix="Add a default-deny NetworkPolicy (podSelector: {}, policyTypes: [Ingress, Egress]) and explicit allows.",
        )
    ]


def extra_findings(inventory: Inventory, synth_files: Mapping[str, Path] | None = None) -> list[Finding]:
    """Schema, isolation, intended-reachability and IRSA findings for every bundle of the inventory.

    `synth_files` ({env: cdk.tf.json}) pins the stacks to cross-check against; by default the
    environment's synth output is used (synthesized on demand).
    """
    spec = intent.load_intent()
    locate = irsa.synth_locator(synth_files) if synth_files is not None else irsa.default_synth_file
    findings: list[Finding] = []
    for bundle, resources in bundles(inventory).items():
        findings.extend(schema.schema_findings(resources))
        analyzer = analyzer_for(resources)
        files = {r.address: r.file for r in resources}
        for workload in analyzer.workloads:
            if workload.address in analyzer.own:
                findings.extend(_isolation(workload, analyzer, files.get(workload.address, bundle)))
        if intent.applies(analyzer, spec):
            findings.extend(intent.differences(matrix(analyzer, bundle), spec))
        platform_namespaces = {
            ns for ns, labels in analyzer.namespace_labels.items() if labels.get(intent.PART_OF_LABEL) == spec.part_of
        }
        env = irsa.bundle_environment(bundle, ENVIRONMENTS, inventory.environment)
        findings.extend(irsa.cross_check(resources, env, platform_namespaces, locate))
    return findings
