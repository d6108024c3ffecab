"""NetworkPolicy reachability: which workloads (and outside endpoints) can open which ports on which.

Semantics follow the Kubernetes API (networking.k8s.io/v1):
- a pod is isolated for a direction once any policy in its namespace selects it with that policy
  type; it then gets only the union of what those policies allow (no policy order, no deny rules);
- `policyTypes` defaults to Ingress, plus Egress when the policy has egress rules;
- a rule with no `from`/`to` (or an empty list) matches every peer, one with no `ports` every port;
- a peer's `podSelector` alone means pods of the policy's namespace, `namespaceSelector` alone every
  pod of the matching namespaces, both together the AND of the two; `ipBlock` matches addresses
  outside the cluster (pod IPs are not modelled as ipBlock members);
- named ports resolve against the destination pod's container ports;
- a connection needs the source's egress AND the destination's ingress to allow it.
Two objects with the same address replace each other in file order, as `kubectl apply` does.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from citygate.k8s.kinds import containers, pod_spec, pod_template_metadata
from citygate.k8s.ports import MAX_PORT, PortSet
from citygate.k8s.selectors import matches
from citygate.model import Resource

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Workload:
    """The pods one controller (or bare Pod) runs, as NetworkPolicies see them."""

    address: str
    namespace: str
    labels: Mapping[str, str]
    named_ports: Mapping[str, tuple[str, int]] = field(default_factory=dict)  # name -> (protocol, port)

    @property
    def name(self) -> str:
        return self.address


@dataclass(frozen=True)
class External:
    """An address outside the cluster: a load balancer subnet, a database, the Internet."""

    name: str
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address


Endpoint = Workload | External


@dataclass(frozen=True)
class Peer:
    pod_selector: Mapping[str, Any] | None
    namespace_selector: Mapping[str, Any] | None
    ip_block: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, tuple[Any, ...]] | None


@dataclass(frozen=True)
class Rule:
    peers: tuple[Peer, ...] | None  # None: every peer
    ports: tuple[Mapping[str, Any], ...] | None  # None: every port


@dataclass(frozen=True)
class Policy:
    namespace: str
    selector: Mapping[str, Any]
    ingress: tuple[Rule, ...] | None  # None: the policy does not isolate ingress
    egress: tuple[Rule, ...] | None


def _peer(raw: Mapping[str, Any]) -> Peer:
    block = raw.get("ipBlock")
    ip_block = None
    if block:
        ip_block = (
            ipaddress.ip_network(block["cidr"], strict=False),
            tuple(ipaddress.ip_network(e, strict=False) for e in block.get("except") or []),
        )
    # A present-but-null selector (`podSelector: {matchLabels: null}` or `{}`) selects everything.
    pod = raw.get("podSelector") or {} if "podSelector" in raw else None
    namespace = raw.get("namespaceSelector") or {} if "namespaceSelector" in raw else None
    return Peer(pod, namespace, ip_block)


def _rules(raw_rules: Any, peer_key: str) -> tuple[Rule, ...]:
    rules = []
    for raw in raw_rules or []:
        raw = raw or {}
        peers = tuple(_peer(p) for p in raw.get(peer_key) or []) or None
        ports = tuple(raw.get("ports") or []) or None
        rules.append(Rule(peers, ports))
    return tuple(rules)


def parse_policy(manifest: Mapping[str, Any]) -> Policy:
    spec = manifest.get("spec") or {}
    types = spec.get("policyTypes") or (["Ingress", "Egress"] if "egress" in spec else ["Ingress"])
    return Policy(
        namespace=manifest["metadata"]["namespace"],
        selector=spec.get("podSelector") or {},
        ingress=_rules(spec.get("ingress"), "from") if "Ingress" in types else None,
        egress=_rules(spec.get("egress"), "to") if "Egress" in types else None,
    )


def workload_from(resource: Resource) -> Workload | None:
    spec = pod_spec(resource.values)
    if spec is None:
        return None
    named: dict[str, tuple[str, int]] = {}
    for container in containers(spec):
        for port in container.get("ports") or []:
            if port.get("name"):
                named[str(port["name"])] = (str(port.get("protocol", "TCP")), int(port["containerPort"]))
    labels = {str(k): str(v) for k, v in (pod_template_metadata(resource.values).get("labels") or {}).items()}
    return Workload(resource.address, resource.values["metadata"]["namespace"], labels, named)


class Analyzer:
    """Reachability over one bundle of manifests (one environment's overlay, or one file)."""

    def __init__(
        self,
        resources: Iterable[Resource],
        externals: Sequence[External] = (),
        extra_workloads: Sequence[Workload] = (),
        namespace_labels: Mapping[str, Mapping[str, str]] | None = None,
    ) -> None:
        latest = {r.address: r for r in resources}  # a later object with the same address replaces the earlier
        self.workloads: list[Workload] = [w for r in latest.values() if (w := workload_from(r))]
        self.own = {w.address for w in self.workloads}  # defined by the manifests, not assumed in the cluster
        self.workloads.extend(w for w in extra_workloads if w.address not in self.own)
        self.externals = list(externals)
        self.policies = [parse_policy(r.values) for r in latest.values() if r.type == "NetworkPolicy"]
        self.namespace_labels: dict[str, dict[str, str]] = {}
        for r in latest.values():
            if r.type == "Namespace":
                self.namespace_labels[r.name] = {
                    str(k): str(v) for k, v in (r.values["metadata"].get("labels") or {}).items()
                }
        for name, labels in (namespace_labels or {}).items():
            self.namespace_labels[name] = dict(labels)

    def labels_of_namespace(self, namespace: str) -> dict[str, str]:
        return {**self.namespace_labels.get(namespace, {}), NAMESPACE_NAME_LABEL: namespace}

    @property
    def endpoints(self) -> list[Endpoint]:
        return [*self.workloads, *self.externals]

    def _peer_matches(self, peer: Peer, policy_namespace: str, endpoint: Endpoint) -> bool:
        if isinstance(endpoint, External):
            if peer.ip_block is None:
                return False
            cidr, excepts = peer.ip_block
            return endpoint.ip in cidr and not any(endpoint.ip in e for e in excepts)
        if peer.ip_block is not None:
            return False
        if peer.namespace_selector is None:
            namespace_ok = endpoint.namespace == policy_namespace
        else:
            namespace_ok = matches(peer.namespace_selector, self.labels_of_namespace(endpoint.namespace))
        return namespace_ok and matches(peer.pod_selector, endpoint.labels)

    @staticmethod
    def _rule_ports(rule: Rule, destination: Endpoint) -> PortSet:
        if rule.ports is None:
            return PortSet.everything()
        allowed = PortSet()
        for spec in rule.ports:
            protocol = str(spec.get("protocol", "TCP"))
            port = spec.get("port")
            if port is None:
                allowed |= PortSet.of(protocol, 1, MAX_PORT)
            elif isinstance(port, int):
                allowed |= PortSet.of(protocol, port, int(spec.get("endPort", port)))
            elif isinstance(destination, Workload) and destination.named_ports.get(str(port), ("", 0))[0] == protocol:
                allowed |= PortSet.of(protocol, destination.named_ports[str(port)][1])
        return allowed

    def selecting(self, workload: Workload, direction: str) -> list[Policy]:
        """The policies that isolate `workload` in a direction ("ingress" or "egress")."""
        return [
            p
            for p in self.policies
            if p.namespace == workload.namespace
            and getattr(p, direction) is not None
            and matches(p.selector, workload.labels)
        ]

    def _allowed(self, subject: Workload, other: Endpoint, destination: Endpoint, direction: str) -> PortSet:
        """Ports `subject`'s policies open towards/from `other` in one direction (everything if not isolated)."""
        selecting = self.selecting(subject, direction)
        if not selecting:
            return PortSet.everything()
        allowed = PortSet()
        for policy in selecting:
            for rule in getattr(policy, direction):
                if rule.peers is None or any(self._peer_matches(peer, policy.namespace, other) for peer in rule.peers):
                    allowed |= self._rule_ports(rule, destination)
        return allowed

    def ports(self, source: Endpoint, destination: Endpoint) -> PortSet:
        """Every (protocol, port) on which `source` can open a connection to `destination`."""
        allowed = PortSet.everything()
        if isinstance(source, Workload):
            allowed &= self._allowed(source, destination, destination, "egress")
        if isinstance(destination, Workload):
            allowed &= self._allowed(destination, source, destination, "ingress")
        return allowed

    def can_reach(self, source: Endpoint, destination: Endpoint, port: int, protocol: str = "TCP") -> bool:
        return (protocol, port) in self.ports(source, destination)

    def endpoint(self, name: str) -> Endpoint:
        for candidate in self.endpoints:
            if candidate.name == name:
                return candidate
        raise KeyError(name)


@dataclass(frozen=True)
class Flow:
    source: str
    destination: str
    ports: PortSet

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.source, "to": self.destination, "ports": self.ports.describe()}


@dataclass
class ReachabilityMatrix:
    """Who can reach whom in one bundle: every endpoint, and every open (source, destination) pair."""

    bundle: str
    endpoints: list[str]
    flows: list[Flow]
    own: list[str] = field(default_factory=list)  # endpoints the manifests define (the rest are assumed)

    def ports(self, source: str, destination: str) -> PortSet:
        for flow in self.flows:
            if (flow.source, flow.destination) == (source, destination):
                return flow.ports
        return PortSet()

    def to_dict(self) -> dict[str, Any]:
        return {
            "bundle": self.bundle,
            "endpoints": self.endpoints,
            "defined": self.own,
            "flows": [f.to_dict() for f in self.flows],
        }


def matrix(analyzer: Analyzer, bundle: str) -> ReachabilityMatrix:
    """All open pairs with at least one end defined by the manifests (not CoreDNS to the Internet)."""
    flows = []
    for source in analyzer.endpoints:
        for destination in analyzer.endpoints:
            if source is destination or not {source.name, destination.name} & analyzer.own:
                continue
            ports = analyzer.ports(source, destination)
            if ports:
                flows.append(Flow(source.name, destination.name, ports))
    return ReachabilityMatrix(bundle, [e.name for e in analyzer.endpoints], flows, sorted(analyzer.own))
