"""The staging-scale load test on the cluster: a master Job gating on the staging SLOs and the Locust
workers it waits for, wired through the loadtest-master Service, in staging only."""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest

from citygate.k8s import load_manifests, reachability_matrix
from citygate.k8s.ports import PortSet
from citygate.model import Inventory, Resource
from citygate.paths import WORKLOADS

MASTER, WORKERS = "Job/production/loadtest-master", "Job/production/loadtest-worker"
INFERENCE = "Deployment/production/inference"
MASTER_PORT = PortSet.of("TCP", 5557)


@cache
def staging() -> Inventory:
    return load_manifests(WORKLOADS / "overlays" / "staging", environment="staging")


def resource(address: str) -> Resource:
    (found,) = [r for r in staging().resources if r.address == address]
    return found


def pod_spec(address: str) -> dict[str, Any]:
    spec: dict[str, Any] = resource(address).values["spec"]["template"]["spec"]
    return spec


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_master_gates_on_the_staging_profile_with_every_worker() -> None:
    (master,) = pod_spec(MASTER)["containers"]
    command = master["command"]
    assert command[:3] == ["python", "main.py", "loadtest"]
    assert option(command, "--profile") == "staging"
    assert option(command, "--host") == "http://inference.production.svc"
    workers = resource(WORKERS).values["spec"]
    assert int(option(command, "--expect-workers")) == workers["parallelism"] == workers["completions"]
    assert workers["activeDeadlineSeconds"] <= resource(MASTER).values["spec"]["activeDeadlineSeconds"]
    assert pod_spec(MASTER)["restartPolicy"] == "Never"
    assert resource(MASTER).values["spec"]["backoffLimit"] == 0  # a breached SLO fails the Job, never retried


def test_workers_reach_the_master_through_its_service_with_the_same_image() -> None:
    (worker,) = pod_spec(WORKERS)["containers"]
    (master,) = pod_spec(MASTER)["containers"]
    assert worker["command"][:4] == ["locust", "-f", "loadtests/locustfile.py", "--worker"]
    assert option(worker["command"], "--master-host") == "loadtest-master"
    assert worker["image"] == master["image"]
    assert worker["image"].startswith("222222222222.dkr.ecr.eu-west-1.amazonaws.com/citygate/staging/loadtest@sha256:")
    service = resource("Service/production/loadtest-master").values["spec"]
    master_labels = resource(MASTER).values["spec"]["template"]["metadata"]["labels"]
    assert service["selector"].items() <= master_labels.items()
    assert [(p["protocol"], p["port"]) for p in service["ports"]] == [("TCP", 5557)]


def test_network_opens_exactly_the_load_test_flows() -> None:
    (matrix,) = reachability_matrix(staging())
    assert matrix.ports(WORKERS, MASTER) == MASTER_PORT
    assert matrix.ports(WORKERS, INFERENCE) == PortSet.of("TCP", 8080)
    assert matrix.ports(MASTER, INFERENCE) == PortSet.of("TCP", 8080)
    assert {f.source for f in matrix.flows if f.destination == MASTER} == {WORKERS}


@pytest.mark.parametrize("env", ["local", "dev", "prod"])
def test_only_staging_runs_the_load_test(env: str) -> None:
    inventory = load_manifests(WORKLOADS / "overlays" / env, environment=env)
    assert not [r.address for r in inventory.resources if "loadtest" in r.name]
