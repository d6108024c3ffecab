"""Our own workloads: every overlay passes every workload check (but for the recorded exceptions), and the
reachability matrix is the intended one (ALB -> web/api, web -> api, only api -> inference, nothing into
the pipeline, DNS for all)."""

from __future__ import annotations

import ipaddress
from functools import cache
from pathlib import Path

import pytest
from probes import EXCEPTED

from citygate.engines.base import EngineOptions
from citygate.environments import ENVIRONMENTS
from citygate.exceptions import except_findings, load_register
from citygate.gate import run_gate
from citygate.k8s import load_manifests, reachability_matrix
from citygate.k8s.intent import load_intent
from citygate.k8s.ports import PortSet
from citygate.k8s.reachability import ReachabilityMatrix
from citygate.model import Inventory
from citygate.paths import EXCEPTIONS_FILE, WORKLOADS

API, WEB, INFERENCE = (f"Deployment/production/{n}" for n in ("api", "web", "inference"))
COREDNS = "Deployment/kube-system/coredns"
AIRFLOW = [f"Deployment/data-pipeline/airflow-{c}" for c in ("scheduler", "dag-processor", "api-server", "triggerer")]
PIPELINE = [
    *AIRFLOW,
    *(f"CronJob/data-pipeline/{j}" for j in ("extract", "transform", "data-quality", "load", "feature-engineering")),
]
DNS = PortSet.of("UDP", 53) | PortSet.of("TCP", 53)
OWN_ENGINES = ("rego", "schema", "reachability", "irsa", "alb")


@cache
def overlay(env: str) -> Inventory:
    return load_manifests(WORKLOADS / "overlays" / env, environment=env)


@cache
def prod_matrix() -> ReachabilityMatrix:
    (matrix,) = reachability_matrix(overlay("prod"))
    return matrix


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_overlay_passes_every_workload_check(env: str, synth_out: dict[str, Path]) -> None:
    # The register's scanner-rule entries have nothing to match in a run of our engines alone, so the
    # recorded exceptions are applied as such (not as a gate run that would call those unused).
    report = run_gate(overlay(env), WORKLOADS, OWN_ENGINES, options=EngineOptions(synth_files=synth_out))
    judged, _ = except_findings(report.findings, load_register(EXCEPTIONS_FILE))
    assert [(f.id, f.resource, f.message) for f in judged if not f.resolved] == []
    assert {(f.exception, f.id, f.resource) for f in judged} == EXCEPTED


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_overlay_points_at_its_own_account(env: str) -> None:
    accounts = {"local": "123456789012", "dev": "111111111111", "staging": "222222222222", "prod": "333333333333"}
    inventory = overlay(env)
    images = {
        c["image"] for r in inventory.by_type("Deployment") for c in r.values["spec"]["template"]["spec"]["containers"]
    }
    assert all(
        i.startswith(f"{accounts[env]}.dkr.ecr.") and f"/citygate/{env}/" in i and "@sha256:" in i for i in images
    )
    annotations = [r.values["metadata"].get("annotations", {}) for r in inventory.by_type("ServiceAccount")]
    arns = {a["eks.amazonaws.com/role-arn"] for a in annotations if a.get("citygate.io/aws-access") != "none"}
    assert all(a.startswith(f"arn:aws:iam::{accounts[env]}:role/citygate-{env}-irsa-") for a in arns)
    assert all(r.values["metadata"]["labels"]["citygate.io/environment"] == env for r in inventory.resources)


def test_alb_reaches_web_and_api_only() -> None:
    m = prod_matrix()
    assert m.ports("alb", WEB) == PortSet.of("TCP", 8080)
    assert m.ports("alb", API) == PortSet.of("TCP", 8000)
    assert not m.ports("alb", INFERENCE)
    assert not m.ports("internet", WEB)  # only through the ALB


def test_web_reaches_api_but_no_database_and_no_inference() -> None:
    m = prod_matrix()
    assert m.ports(WEB, API) == PortSet.of("TCP", 8000)
    assert not m.ports(WEB, "aurora")
    assert not m.ports(WEB, INFERENCE)
    assert not m.ports(WEB, "internet")


def test_only_api_reaches_inference() -> None:
    m = prod_matrix()
    callers = {f.source for f in m.flows if f.destination == INFERENCE}
    assert callers == {API}
    assert m.ports(API, INFERENCE) == PortSet.of("TCP", 8080)


def test_nothing_reaches_the_pipeline_namespace() -> None:
    m = prod_matrix()
    assert [f.to_dict() for f in m.flows if f.destination in PIPELINE] == []


def test_pipeline_jobs_reach_aws_on_443_and_only_load_reaches_aurora() -> None:
    m = prod_matrix()
    for job in PIPELINE:
        assert m.ports(job, "vpc-endpoints") == PortSet.of("TCP", 443)
    assert {f.source for f in m.flows if f.destination == "aurora"} == {
        API,
        *AIRFLOW,
        "CronJob/data-pipeline/load",
    }


def test_every_workload_resolves_dns_through_kube_dns() -> None:
    m = prod_matrix()
    for workload in m.own:
        assert m.ports(workload, COREDNS) == DNS, workload


def test_matrix_is_json_for_the_report() -> None:
    data = prod_matrix().to_dict()
    assert {"bundle", "endpoints", "defined", "flows"} <= set(data)
    assert {"from": WEB, "to": API, "ports": ["TCP/8000"]} in data["flows"]


def test_network_policy_addresses_are_the_stacks_subnets() -> None:
    """The ALB, Aurora and VPC-endpoint CIDRs in the NetworkPolicies and the intent are the VPC's own."""
    from stacks.config import DATA_SUBNET_CIDRS, PRIVATE_SUBNET_CIDRS, PUBLIC_SUBNET_CIDRS, VPC_CIDR

    blocks = [
        peer["ipBlock"]
        for policy in overlay("prod").by_type("NetworkPolicy")
        for rule in [*policy.values["spec"].get("ingress", []), *policy.values["spec"].get("egress", [])]
        for peer in rule.get("from", rule.get("to", []))
        if "ipBlock" in peer
    ]
    assert {b["cidr"] for b in blocks} == {*PUBLIC_SUBNET_CIDRS, *PRIVATE_SUBNET_CIDRS, *DATA_SUBNET_CIDRS, "0.0.0.0/0"}
    assert {e for b in blocks for e in b.get("except", [])} == {VPC_CIDR}
    ingress_sources = {
        peer["ipBlock"]["cidr"]
        for policy in overlay("prod").by_type("NetworkPolicy")
        for rule in policy.values["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if "ipBlock" in peer
    }
    assert ingress_sources == set(PUBLIC_SUBNET_CIDRS)  # only the ALB's subnets reach pods from outside
    probes = {e.name: e.ip for e in load_intent().externals}
    for name, cidrs in (
        ("alb", PUBLIC_SUBNET_CIDRS),
        ("vpc-endpoints", PRIVATE_SUBNET_CIDRS),
        ("aurora", DATA_SUBNET_CIDRS),
    ):
        assert any(probes[name] in ipaddress.ip_network(c) for c in cidrs), name
    assert not ipaddress.ip_network(VPC_CIDR).overlaps(ipaddress.ip_network(f"{probes['internet']}/32"))
