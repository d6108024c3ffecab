"""The workload checks no Rego rule can express, as gate engines: strict schema validation,
network isolation and reachability against the intended matrix, and the IRSA and ALB cross-checks with
the synthesized stacks.  Each judges Kubernetes inventories only, bundle by bundle (an overlay or a
file: never mixing two environments)."""

from __future__ import annotations

from citygate.engines.base import GateInput, NothingToJudge
from citygate.environments import ENVIRONMENTS
from citygate.findings import Finding, Severity
from citygate.k8s import alb, intent, irsa, schema
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
            id="CG_K8S_017",
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


class WorkloadEngine:
    """What the three workload engines share: ours, Kubernetes inputs only."""

    name = ""
    ours = True

    def supports(self, inventory: Inventory) -> bool:
        return inventory.kind == "kubernetes"


class SchemaEngine(WorkloadEngine):
    """Every object valid for the cluster's Kubernetes version, strictly (no unknown fields)."""

    name = "schema"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        return schema.schema_findings(gate_input.inventory.resources)


class ReachabilityEngine(WorkloadEngine):
    """Every own workload isolated by NetworkPolicies; where the intended matrix applies, who may
    reach whom is exactly what it says (see `citygate.k8s.reachability`)."""

    name = "reachability"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        spec = intent.load_intent()
        findings: list[Finding] = []
        for bundle, resources in bundles(gate_input.inventory).items():
            analyzer = analyzer_for(resources)
            files = {r.address: r.file for r in resources}
            for workload in analyzer.workloads:
                if workload.address in analyzer.own:
                    findings.extend(_isolation(workload, analyzer, files.get(workload.address, bundle)))
            if intent.applies(analyzer, spec):
                findings.extend(intent.differences(matrix(analyzer, bundle), spec))
        return findings


class AlbEngine(WorkloadEngine):
    """TargetGroupBindings, alb Ingresses and the controller's IRSA policy agree with the stack's ALB
    (see `citygate.k8s.alb`); a run in which no bundle says anything about the edge judged nothing."""

    name = "alb"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        inventory = gate_input.inventory
        files = gate_input.options.synth_files
        locate = irsa.synth_locator(files) if files is not None else irsa.default_synth_file
        grouped = {bundle: resources for bundle, resources in bundles(inventory).items() if alb.applies(resources)}
        if not grouped:
            raise NothingToJudge("no TargetGroupBinding, alb Ingress or load balancer controller in the input")
        findings: list[Finding] = []
        for bundle, resources in grouped.items():
            env = irsa.bundle_environment(bundle, ENVIRONMENTS, inventory.environment)
            findings.extend(alb.cross_check(resources, env, locate))
        return findings


class IrsaEngine(WorkloadEngine):
    """Service accounts name the IAM role the environment's stack made to trust exactly them."""

    name = "irsa"

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        spec = intent.load_intent()
        inventory = gate_input.inventory
        files = gate_input.options.synth_files
        locate = irsa.synth_locator(files) if files is not None else irsa.default_synth_file
        findings: list[Finding] = []
        for bundle, resources in bundles(inventory).items():
            analyzer = analyzer_for(resources)
            platform_namespaces = {
                ns
                for ns, labels in analyzer.namespace_labels.items()
                if labels.get(intent.PART_OF_LABEL) == spec.part_of
            }
            env = irsa.bundle_environment(bundle, ENVIRONMENTS, inventory.environment)
            findings.extend(irsa.cross_check(resources, env, platform_namespaces, locate))
        return findings
