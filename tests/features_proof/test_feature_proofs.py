"""Every scenario in features/ can fail: each passes on its compliant fixture and fails on its
noncompliant one, at a requirement (a Then step), naming a resource of that fixture.

Scenarios are read from the feature files themselves, so a new scenario without a failing fixture
makes this test fail rather than slip through as a check that cannot fail.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from citygate.bdd.features import ConcreteScenario, expand, load_features
from citygate.bdd.runner import run_scenario
from citygate.model import Inventory
from citygate.paths import FEATURES

SCENARIOS = [scenario for feature in load_features(FEATURES) for scenario in expand(feature)]
FIXTURE_TAGS = ("workloads", "workflows", "live")


def fixture_family(scenario: ConcreteScenario) -> str:
    """The recorded inventory family a scenario is proven on, from its target tag."""
    return next((tag for tag in FIXTURE_TAGS if tag in scenario.tags), "terraform")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario_passes_on_compliant_fixture(scenario: ConcreteScenario, recorded: Callable[[str], Inventory]) -> None:
    outcome = run_scenario(scenario.scenario, recorded(f"{fixture_family(scenario)}-compliant"))
    assert outcome.status == "passed", f"{outcome.step}: {outcome.message}"
    last = outcome.evidence[-1]
    assert last["observations"], f"the last step checked nothing: {last}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario_fails_on_noncompliant_fixture(
    scenario: ConcreteScenario, recorded: Callable[[str], Inventory]
) -> None:
    inventory = recorded(f"{fixture_family(scenario)}-noncompliant")
    outcome = run_scenario(scenario.scenario, inventory)
    assert outcome.status == "failed", f"{outcome.status}: {outcome.step}: {outcome.message}"
    assert not outcome.step.startswith("Given"), f"failed before any requirement: {outcome.message}"
    named = [r.address for r in inventory.resources if f"{r.address}:" in outcome.message]
    assert named, f"the failure names no resource of the fixture: {outcome.message}"
