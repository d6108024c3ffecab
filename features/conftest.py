"""Runs every scenario against its targets, as `citygate.bdd.targets` decides from its tags: each
environment's synthesized stack and plan, the configuration only (`@config`), the live account after
apply (`@live`), the workload manifests (`@workloads`), the CI/CD workflows (`@workflows`) or a record
of the workloads' AWS calls (`@recorded`).

The step vocabulary and evidence recording come from `citygate.bdd.plugin`; the expensive session
fixtures (synth once, plan once per environment, one moto server) are the test suite's own.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from citygate.bdd.live import recorded_state, state_inventory
from citygate.bdd.plugin import *  # noqa: F403  step definitions, `spec`, hooks
from citygate.bdd.targets import CALLS_PLAN_VARIABLE, CALLS_VARIABLE, LIVE_STATE_VARIABLE, Target, targets_for
from citygate.inputs import load_plan, load_synth
from citygate.k8s import load_manifests
from citygate.leastpriv.inventory import recorded_inventory
from citygate.model import Inventory
from citygate.paths import ROOT, WORKLOADS
from citygate.workflows import load_workflows

WORKFLOWS = ROOT / ".github" / "workflows"


def _load(target: Target, request: pytest.FixtureRequest) -> Inventory:
    """The inventory a target names; every part of the project it needs is imported above, so a
    missing one is an error of the run, never a skip."""
    env = target.environment
    if target.kind == "workloads":
        return load_manifests(WORKLOADS)
    if target.kind == "workflows":
        return load_workflows(WORKFLOWS)
    if target.kind == "recorded":
        calls, plan = os.environ.get(CALLS_VARIABLE), os.environ.get(CALLS_PLAN_VARIABLE)
        if calls and plan:
            return recorded_inventory(Path(plan), Path(calls))
        return Inventory(
            "terraform", "recorded", [], f"no record of AWS calls ({CALLS_VARIABLE}, {CALLS_PLAN_VARIABLE})"
        )
    state = os.environ.get(LIVE_STATE_VARIABLE)
    if target.kind == "live" and state:
        return recorded_state(Path(state), env)
    synth_file: Path = request.getfixturevalue("synth_out")[env]
    if target.kind == "synth":
        return load_synth(synth_file, env)
    if target.kind == "plan":
        return load_plan(request.getfixturevalue("plan_for")(env), env)
    applied = request.getfixturevalue("applied_for")(env)
    return state_inventory(applied.state, env, str(applied.deployment.state_path))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "target" in metafunc.fixturenames:
        tags = {mark.name for mark in metafunc.definition.iter_markers()}
        targets = targets_for(tags)
        metafunc.parametrize("target", targets, ids=[t.id for t in targets])


@pytest.fixture(scope="session")
def loaded_targets() -> dict[Target, Inventory | BaseException]:
    return {}


@pytest.fixture(autouse=True)
def inventory(
    target: Target, loaded_targets: dict[Target, Inventory | BaseException], request: pytest.FixtureRequest
) -> Inventory:
    """What this run of the scenario judges (autouse, so `target` parametrizes every scenario).

    A target that could not be loaded (a failed synth, plan or apply) is remembered, so the next
    scenario reports the same error at once instead of trying again.
    """
    if target not in loaded_targets:
        try:
            loaded_targets[target] = _load(target, request)
        except Exception as failure:
            loaded_targets[target] = failure
    loaded = loaded_targets[target]
    if isinstance(loaded, BaseException):
        raise loaded
    return loaded
