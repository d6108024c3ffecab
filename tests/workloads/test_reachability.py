"""The analyzer's building blocks: port sets, selectors, named ports, replacement, the intent file."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from probes import external, pod

from citygate.errors import CitygateError
from citygate.k8s.intent import load_intent
from citygate.k8s.ports import PortSet
from citygate.k8s.reachability import Analyzer
from citygate.k8s.selectors import matches
from citygate.model import Resource

ports = st.lists(st.tuples(st.sampled_from(["TCP", "UDP"]), st.integers(1, 100), st.integers(0, 20)), max_size=5)


def port_set(spec: list[tuple[str, int, int]]) -> PortSet:
    result = PortSet()
    for protocol, lo, width in spec:
        result |= PortSet.of(protocol, lo, lo + width)
    return result


@given(ports, ports, st.sampled_from(["TCP", "UDP"]), st.integers(1, 130))
def test_port_set_algebra_matches_membership(a: list, b: list, protocol: str, port: int) -> None:
    left, right = port_set(a), port_set(b)
    item = (protocol, port)
    assert (item in (left | right)) == (item in left or item in right)
    assert (item in (left & right)) == (item in left and item in right)


def test_port_set_describe() -> None:
    assert PortSet.everything().describe() == ["any"]
    assert (PortSet.of("TCP", 80) | PortSet.of("TCP", 81, 90)).describe() == ["TCP/80-90"]
    assert PortSet.of("UDP", 1, 65535).describe() == ["UDP/any port"]
    assert not PortSet()


def test_selectors() -> None:
    labels = {"app": "web", "tier": "front"}
    assert matches(None, labels) and matches({}, labels)
    assert matches(
        {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["front"]}]},
        labels,
    )
    assert matches(
        {
            "matchExpressions": [
                {"key": "env", "operator": "DoesNotExist"},
                {"key": "app", "operator": "NotIn", "values": ["db"]},
            ]
        },
        labels,
    )
    assert not matches({"matchExpressions": [{"key": "env", "operator": "Exists"}]}, labels)
    with pytest.raises(CitygateError, match="unknown label selector operator"):
        matches({"matchExpressions": [{"key": "app", "operator": "Gt", "values": ["1"]}]}, labels)


def policy(name: str, spec: dict) -> Resource:
    values = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": "default"},
        "spec": spec,
    }
    return Resource(f"NetworkPolicy/default/{name}", "NetworkPolicy", name, values)


def test_named_ports_resolve_on_the_destination() -> None:
    api = pod("api", ports={"http": "TCP/8000"}, app="api")
    worker = pod("worker", ports={"metrics": "TCP/9000"}, app="worker")
    client = pod("client", app="client")
    allow = policy("allow-http", {"podSelector": {}, "ingress": [{"ports": [{"port": "http"}]}]})
    a = Analyzer([allow], extra_workloads=(api, worker, client))
    assert a.ports(client, api) == PortSet.of("TCP", 8000)
    assert not a.ports(client, worker)  # it has no port named http


def test_later_object_with_the_same_address_replaces_the_earlier() -> None:
    web, client = pod("web", app="web"), pod("client")
    deny = policy("web", {"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Ingress"]})
    allow = policy("web", {"podSelector": {"matchLabels": {"app": "web"}}, "ingress": [{}]})
    assert not Analyzer([allow, deny], extra_workloads=(web, client)).ports(client, web)
    assert Analyzer([deny, allow], extra_workloads=(web, client)).ports(client, web)


def test_egress_needs_both_ends() -> None:
    web, db = pod("web", app="web"), pod("db", app="db")
    egress_only_to_db = policy(
        "web-egress",
        {
            "podSelector": {"matchLabels": {"app": "web"}},
            "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "db"}}}]}],
        },
    )
    db_closed = policy("db", {"podSelector": {"matchLabels": {"app": "db"}}, "ingress": []})
    assert Analyzer([egress_only_to_db], extra_workloads=(web, db)).ports(web, db) == PortSet.everything()
    assert not Analyzer([egress_only_to_db, db_closed], extra_workloads=(web, db)).ports(web, db)
    assert not Analyzer([egress_only_to_db], extra_workloads=(web, db)).ports(web, external("8.8.8.8"))


def test_malformed_intent_is_an_error(tmp_path: Path) -> None:
    intent = tmp_path / "reachability.yaml"
    intent.write_text("part_of: citygate\nexternals: []\ncluster_pods: []\nallowed: [{from: a, to: b, ports: [TCP]}]\n")
    with pytest.raises(CitygateError, match="malformed reachability intent"):
        load_intent(intent)
