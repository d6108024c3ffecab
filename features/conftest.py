"""Runs every scenario against its targets, as `citygate.bdd.targets` decides from its tags: each
environment's synthesized stack and plan, the configuration only (`@config`), the live account after
apply (`@live`), the workload manifests (`@workloads`) or the CI/CD workflows (`@workflows`).

The step vocabulary and evidence recording come from `citygate.bdd.plugin`; the expensive session
fixtures (synth once, plan once per environment, one moto server) are the test suite's own.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from citygate.bdd.plugin import *  # noqa: F403  step definitions, `spec`, hooks
from citygate.bdd.targets import LIVE_STATE_VARIABLE, Target, targets_for
from citygate.model import Inventory
from citygate.paths import ROOT, WORKLOADS

WORKFLOWS = ROOT / ".github" / "workflows"


def _provided(module: str, attribute: str) -> Callable[..., Any]:
    """The function another part of the project provides, or a skip that says which is missing."""
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        pytest.skip(f"{module}.{attribute} is not available: this target cannot be judged yet")


def _load(target: Target, request: pytest.FixtureRequest) -> Inventory:
    env = target.environment
    if target.kind == "workloads":
        return _provided("citygate.k8s", "load_manifests")(WORKLOADS)
    if target.kind == "workflows":
        return _provided("citygate.workflows", "load_workflows")(WORKFLOWS)
    state = os.environ.get(LIVE_STATE_VARIABLE)
    if target.kind == "live" and state:
        return _provided("citygate.bdd.live", "recorded_state")(Path(state), env)
    _provided("stacks", "synthesize")
    synth_file: Path = request.getfixturevalue("synth_out")[env]
    if target.kind == "synth":
        return _provided("citygate.inputs", "load_synth")(synth_file, env)
    if target.kind == "plan":
        _provided("citygate.deployment", "plan_env")
        return _provided("citygate.inputs", "load_plan")(request.getfixturevalue("plan_for")(env), env)
    applied = request.getfixturevalue("applied_for")(env)
    state_inventory = _provided("citygate.bdd.live", "state_inventory")
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

    A target that could not be loaded (a skip, a failed apply) is remembered, so the next scenario
    reports the same outcome at once instead of trying again.
    """
    if target not in loaded_targets:
        try:
            loaded_targets[target] = _load(target, request)
        except (Exception, pytest.skip.Exception) as failure:
            loaded_targets[target] = failure
    loaded = loaded_targets[target]
    if isinstance(loaded, BaseException):
        raise loaded
    return loaded
