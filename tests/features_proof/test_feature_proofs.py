"""Every scenario in features/ can fail: each passes on its compliant fixture and fails on its
noncompliant one, at a requirement (a Then step), naming a resource of that fixture.

A scenario tagged with a control that has catalogue cases is proven on those cases where they reach it
(`tests.cases.runner` for Terraform, `tests.cases.objects` for workloads and workflows): it passes on
every compliant case it judges, and fails on a noncompliant one.  A workload or workflow scenario has
only the cases; a Terraform one no case reaches is proven on the recorded inventories of tests/fixtures/bdd
(a `@recorded` one on a plan and the AWS calls recorded under its roles, there too).

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
from tests.cases.objects import FAMILY, ObjectCase, ObjectRun
from tests.cases.runner import CaseRun, PlacedCase, all_cases, target

SCENARIOS = [scenario for feature in load_features(FEATURES) for scenario in expand(feature)]
OBJECT_KINDS = {family: kind for kind, family in FAMILY.items()}  # scenario tag -> input kind of its cases
CASES = all_cases(load_catalogue())
Judged = PlacedCase | ObjectCase


def object_kind(scenario: ConcreteScenario) -> str | None:
    """The input kind of a workload or workflow scenario; None for one about Terraform."""
    return next((kind for tag, kind in OBJECT_KINDS.items() if tag in scenario.tags), None)


def _read(scenario: ConcreteScenario, request: pytest.FixtureRequest) -> list[tuple[Judged, Inventory]]:
    """What the scenario reads of each case of the controls it is tagged with (not those it is known to misjudge)."""
    kind = object_kind(scenario)
    if kind is not None:
        object_run: ObjectRun = request.getfixturevalue("object_run")
        cases = [c for c in object_run.cases if c.kind == kind and c.control.id in scenario.tags]
        return [(c, c.inventory) for c in cases if "bdd" not in c.case.disagreements]
    placed = [c for c in CASES if c.control.id in scenario.tags and "bdd" not in c.case.disagreements]
    if not placed:  # a control without Terraform cases (CG-IAM-9, judged on recorded calls): no apply needed
        return []
    case_run: CaseRun = request.getfixturevalue("case_run")
    read = [(c, case_run.inventory(c, target(scenario))) for c in placed]
    return [(c, inventory) for c, inventory in read if inventory is not None]


def _on_cases(scenario: ConcreteScenario, request: pytest.FixtureRequest) -> list[tuple[Judged, Outcome]]:
    """The scenario's outcome on each case whose resources it judged."""
    judged = []
    for case, inventory in _read(scenario, request):
        outcome = run_scenario(scenario.scenario, inventory)
        seen = {o["address"] for step in outcome.evidence for o in step["observations"]}
        if any(case.owns(address) for address in seen):
            judged.append((case, outcome))
    return judged


def fixture_family(scenario: ConcreteScenario) -> str:
    """The recorded inventory family a Terraform scenario no case reaches is proven on, from its target tag."""
    return next((tag for tag in ("live", "recorded") if tag in scenario.tags), "terraform")


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario_passes_on_compliant_fixture(
    scenario: ConcreteScenario, recorded: Callable[[str], Inventory], request: pytest.FixtureRequest
) -> None:
    compliant = [(case, outcome) for case, outcome in _on_cases(scenario, request) if case.case.compliant]
    for case, outcome in compliant:
        failed = [address for address in case.addresses if f"{address}:" in outcome.message]
        assert outcome.status == "passed" or not failed, f"{case.id}: {outcome.step}: {outcome.message}"
    if compliant:
        return
    assert object_kind(scenario) is None, "no compliant catalogue case of the scenario's controls reaches it"
    outcome = run_scenario(scenario.scenario, recorded(f"{fixture_family(scenario)}-compliant"))
    assert outcome.status == "passed", f"{outcome.step}: {outcome.message}"
    last = outcome.evidence[-1]
    assert last["observations"], f"the last step checked nothing: {last}"


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.key for s in SCENARIOS])
def test_scenario_fails_on_noncompliant_fixture(
    scenario: ConcreteScenario, recorded: Callable[[str], Inventory], request: pytest.FixtureRequest
) -> None:
    if any(_caught(case, outcome) for case, outcome in _on_cases(scenario, request)):
        return
    assert object_kind(scenario) is None, "no noncompliant catalogue case of the scenario's controls fails it"
    inventory = recorded(f"{fixture_family(scenario)}-noncompliant")
    outcome = run_scenario(scenario.scenario, inventory)
    assert outcome.status == "failed", f"{outcome.status}: {outcome.step}: {outcome.message}"
    assert not outcome.step.startswith("Given"), f"failed before any requirement: {outcome.message}"
    named = [r.address for r in inventory.resources if f"{r.address}:" in outcome.message]
    assert named, f"the failure names no resource of the fixture: {outcome.message}"


def _caught(case: Judged, outcome: Outcome) -> bool:
    """A noncompliant case failing the scenario at a requirement that names one of its resources."""
    return (
        not case.case.compliant
        and outcome.status == "failed"
        and not outcome.step.startswith("Given")
        and any(f"{address}:" in outcome.message for address in case.addresses)
    )
