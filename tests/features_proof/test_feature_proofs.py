"""Every scenario in features/ can fail: each passes on its compliant fixture and fails on its
noncompliant one, at a requirement (a Then step), naming a resource of that fixture.

A scenario tagged with a control that has catalogue cases is proven on those cases where they reach it
(`tests.cases.runner`): it passes on every compliant case it judges, and fails on a noncompliant one.
Where no case does, the recorded inventories of tests/fixtures/bdd prove it.

Scenarios are read from the feature files themselves, so a new scenario without a failing fixture
makes this test fail rather than slip through as a check that cannot fail.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from citygate.bdd.features import ConcreteScenario, expand, load_features
from citygate.bdd.runner import Outcome, run_scenario
from citygate.controls import load_catalogue
from citygate.model import Inventory
from citygate.paths import FEATURES
from tests.cases.runner import CaseRun, PlacedCase, all_cases, target

SCENARIOS = [scenario for feature in load_features(FEATURES) for scenario in expand(feature)]
FIXTURE_TAGS = ("workloads", "workflows", "live")
CASES = all_cases(load_catalogue())


def catalogue_cases(scenario: ConcreteScenario) -> list[PlacedCase]:
    """The cases of the controls a Terraform scenario is tagged with (not those it is known to misjudge)."""
    if any(tag in scenario.tags for tag in ("workloads", "workflows")):
        return []
    return [c for c in CASES if c.control.id in scenario.tags and "bdd" not in c.case.disagreements]


def _on_cases(scenario: ConcreteScenario, case_run: CaseRun) -> list[tuple[PlacedCase, Inventory, Outcome]]:
    """The scenario's outcome on each case whose resources it judged."""
    judged = []
    for placed in catalogue_cases(scenario):
        inventory = case_run.inventory(placed, target(scenario))
        if inventory is None:
            continue
        outcome = run_scenario(scenario.scenario, inventory)
        seen = {o["address"] for step in outcome.evidence for o in step["observations"]}
        if any(placed.owns(address) for address in seen):
            judged.append((placed, inventory, outcome))
    return judged


def fixture_family(scenario: ConcreteScenario) -> str:
    """The recorded inventory family a scenario is proven on, from its target tag."""
    return next((tag for tag in FIXTURE_TAGS if tag in scenario.tags), "terraform")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario_passes_on_compliant_fixture(
    scenario: ConcreteScenario, recorded: Callable[[str], Inventory], case_run: CaseRun
) -> None:
    compliant = [(placed, outcome) for placed, _, outcome in _on_cases(scenario, case_run) if placed.case.compliant]
    for placed, outcome in compliant:
        failed = [address for address in placed.addresses if f"{address}:" in outcome.message]
        assert outcome.status == "passed" or not failed, f"{placed.id}: {outcome.step}: {outcome.message}"
    if compliant:
        return
    outcome = run_scenario(scenario.scenario, recorded(f"{fixture_family(scenario)}-compliant"))
    assert outcome.status == "passed", f"{outcome.step}: {outcome.message}"
    last = outcome.evidence[-1]
    assert last["observations"], f"the last step checked nothing: {last}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario_fails_on_noncompliant_fixture(
    scenario: ConcreteScenario, recorded: Callable[[str], Inventory], case_run: CaseRun
) -> None:
    if any(_caught(placed, outcome) for placed, _, outcome in _on_cases(scenario, case_run)):
        return
    inventory = recorded(f"{fixture_family(scenario)}-noncompliant")
    outcome = run_scenario(scenario.scenario, inventory)
    assert outcome.status == "failed", f"{outcome.status}: {outcome.step}: {outcome.message}"
    assert not outcome.step.startswith("Given"), f"failed before any requirement: {outcome.message}"
    named = [r.address for r in inventory.resources if f"{r.address}:" in outcome.message]
    assert named, f"the failure names no resource of the fixture: {outcome.message}"


def _caught(placed: PlacedCase, outcome: Outcome) -> bool:
    """A noncompliant case failing the scenario at a requirement that names one of its resources."""
    return (
        not placed.case.compliant
        and outcome.status == "failed"
        and not outcome.step.startswith("Given")
        and any(f"{address}:" in outcome.message for address in placed.addresses)
    )
