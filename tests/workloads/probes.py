"""Helpers for the workload tests: probe pods and outside addresses, corpus and fixture paths."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Mapping
from pathlib import Path

from citygate.k8s import load_manifests
from citygate.k8s.reachability import Analyzer, External, Workload
from citygate.model import Resource
from tests.corpus import K8S

CORPUS = K8S
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "k8s"
# The project's recorded decisions (policies/exceptions.yaml) on its own workloads: (exception, rule, object).
EXCEPTED = {("EX-002", "CG_K8S_032", "DaemonSet/kube-system/fluent-bit")}


def corpus_file(prefix: str) -> Path:
    """The corpus file whose name starts with `prefix` (the recipe's number or the full stem)."""
    matches = sorted(p for p in CORPUS.glob(f"{prefix}*") if p.suffix == ".yaml")
    assert len(matches) == 1, f"{prefix}: {matches}"
    return matches[0]


def pod(name: str, namespace: str = "default", ports: Mapping[str, str] | None = None, **labels: str) -> Workload:
    """A probe pod: `pod("web", app="web")`; `ports={"http": "TCP/8080"}` declares named ports."""
    named = {k: (v.split("/")[0], int(v.split("/")[1])) for k, v in (ports or {}).items()}
    return Workload(f"Pod/{namespace}/{name}", namespace, labels, named)


# CoreDNS as every cluster runs it: the DNS egress recipes point at these labels.
KUBE_DNS = Workload("Deployment/kube-system/coredns", "kube-system", {"k8s-app": "kube-dns"})


def external(ip: str) -> External:
    return External(ip, ipaddress.ip_address(ip))


AnalyzerFactory = Callable[..., Analyzer]


def analyzer_of(
    *prefixes: str, pods: tuple[Workload, ...] = (), namespaces: Mapping[str, Mapping[str, str]] | None = None
) -> Analyzer:
    """Analyzer over corpus files plus probe pods and namespace labels."""
    resources: list[Resource] = [r for p in prefixes for r in load_manifests(corpus_file(p)).resources]
    return Analyzer(resources, extra_workloads=pods, namespace_labels=namespaces)
