"""The intended reachability matrix of our workloads, and the findings where the manifests differ.

`workloads/reachability.yaml` states every flow that must be open (source, destination, ports); any
other open flow between the endpoints it knows is a violation, and so is an intended flow the
policies block.  It applies to bundles that define a Namespace labelled as part of the platform, so
real-world manifests are judged only by the generic isolation rule.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from citygate.errors import CitygateError
from citygate.findings import Finding, Severity
from citygate.k8s.documents import read_yaml_mapping
from citygate.k8s.ports import PortSet, parse_port
from citygate.k8s.reachability import Analyzer, External, ReachabilityMatrix, Workload
from citygate.paths import WORKLOADS

INTENT_FILE = WORKLOADS / "reachability.yaml"
PART_OF_LABEL = "app.kubernetes.io/part-of"
CONTROLS = ["CG-K8S-12"]


@dataclass(frozen=True)
class Intent:
    part_of: str
    externals: tuple[External, ...]
    cluster_pods: tuple[Workload, ...]
    allowed: dict[tuple[str, str], PortSet]


def _ports(texts: list[str]) -> PortSet:
    ports = PortSet()
    for text in texts:
        protocol, port = parse_port(text)
        ports |= PortSet.of(protocol, port)
    return ports


@cache
def load_intent(path: Path = INTENT_FILE) -> Intent:
    spec = read_yaml_mapping(path)
    try:
        externals = tuple(External(e["name"], ipaddress.ip_address(e["ip"])) for e in spec["externals"])
        pods = tuple(
            Workload(
                f"{p['kind']}/{p['namespace']}/{p['name']}",
                p["namespace"],
                dict(p["labels"]),
                {name: parse_port(text) for name, text in (p.get("named_ports") or {}).items()},
            )
            for p in spec["cluster_pods"]
        )
        allowed: dict[tuple[str, str], PortSet] = {}
        for flow in spec["allowed"]:
            key = (flow["from"], flow["to"])
            allowed[key] = allowed.get(key, PortSet()) | _ports(flow["ports"])
        return Intent(str(spec["part_of"]), externals, pods, allowed)
    except (KeyError, TypeError, ValueError) as exc:
        raise CitygateError(f"malformed reachability intent: {exc}", str(path)) from exc


def applies(analyzer: Analyzer, intent: Intent) -> bool:
    """Whether a bundle is one of our overlays (it defines a Namespace that is part of the platform)."""
    return any(labels.get(PART_OF_LABEL) == intent.part_of for labels in analyzer.namespace_labels.values())


def _finding(rule: str, title: str, severity: Severity, resource: str, message: str, bundle: str) -> Finding:
    return Finding(
        id=rule,
        title=title,
        severity=severity,
        status="fail",
        resource=resource,
        message=message,
        engine="reachability",
        controls=list(CONTROLS),
        file=bundle,
        fix="Change the NetworkPolicies (or workloads/reachability.yaml if the intent changed) so both agree.",
    )


def differences(matrix: ReachabilityMatrix, intent: Intent) -> list[Finding]:
    """Unintended open flows (CG_K8S_020) and intended flows that are blocked (CG_K8S_021).

    A finding names the flow's destination when the manifests define it, else its source.
    """

    def subject(source: str, destination: str) -> str:
        return destination if destination in matrix.own else source

    findings: list[Finding] = []
    known = set(matrix.endpoints)
    for flow in matrix.flows:
        wanted = intent.allowed.get((flow.source, flow.destination), PortSet())
        if (flow.ports & wanted) != flow.ports:
            findings.append(
                _finding(
                    "CG_K8S_020",
                    "Only the intended network flows are open",
                    Severity.HIGH,
                    subject(flow.source, flow.destination),
                    f"{flow.source} can reach {flow.destination} on {', '.join(flow.ports.describe())}; "
                    f"intended: {', '.join(wanted.describe()) or 'nothing'}",
                    matrix.bundle,
                )
            )
    for (source, destination), wanted in intent.allowed.items():
        if source not in known or destination not in known:
            continue
        open_ports = matrix.ports(source, destination)
        if (open_ports & wanted) != wanted:
            findings.append(
                _finding(
                    "CG_K8S_021",
                    "Every intended network flow is open",
                    Severity.MEDIUM,
                    subject(source, destination),
                    f"{source} must reach {destination} on {', '.join(wanted.describe())}; "
                    f"open: {', '.join(open_ports.describe()) or 'nothing'}",
                    matrix.bundle,
                )
            )
    return findings
