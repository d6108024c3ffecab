"""Every engine implementing a control judges the control's catalogue cases as the catalogue says.

A compliant case is flagged by no engine on its resources (and the live rules and scenarios did look
at them); a noncompliant case is flagged by every engine implementing the control.  A disagreement the
catalogue declares on a case (`disagreements`) is expected to fail, and fails the test once it agrees.  One test per
(control, case, engine): `pytest tests/cases -k CG-TLS-3` proves one control on every engine.
"""

from __future__ import annotations

import pytest

from citygate.controls import Control, load_catalogue
from tests.cases.runner import CaseRun, PlacedCase, all_cases, engines, implementing

CATALOGUE = load_catalogue()
PLACED = all_cases(CATALOGUE)
JUDGED = [
    pytest.param(
        placed,
        engine,
        id=f"{placed.id}/{engine}",
        marks=[pytest.mark.xfail(reason=why, strict=True) for why in [placed.case.disagreements.get(engine)] if why],
    )
    for placed in PLACED
    for engine in engines(placed.control, placed.case)
]
WITH_CASES = [control for control in CATALOGUE if control.cases]


@pytest.mark.parametrize(("placed", "engine"), JUDGED)
def test_engine_judges_the_case_as_the_catalogue_says(case_run: CaseRun, placed: PlacedCase, engine: str) -> None:
    if engine == "checkov" and case_run.checkov is None:
        pytest.skip("Checkov is not installed (make test installs it)")
    verdict = case_run.verdict(placed, engine)
    resources = ", ".join(sorted(placed.addresses))
    if placed.case.compliant:
        assert not verdict.failures, f"{engine} flags a compliant case: {verdict.failures}"
        assert verdict.judged, f"{engine} looked at none of {resources}"
    else:
        assert verdict.failures, f"{engine} flags none of {resources}"


@pytest.mark.parametrize("control", WITH_CASES, ids=lambda control: control.id)
def test_a_control_with_cases_can_pass_and_fail_on_an_engine(control: Control) -> None:
    kinds = {case.compliant for case in control.cases}
    assert kinds == {True, False}, "a control's cases need a compliant and a noncompliant one"
    for case in control.cases:
        assert engines(control, case), f"no engine judges case {case.name}"


def test_every_aws_control_several_engines_implement_has_cases() -> None:
    """Rego with a live rule or a Checkov check of ours: where engines could disagree, cases prove they do not."""
    uncovered = [
        control.id
        for control in CATALOGUE
        if control.file.endswith("aws.yaml") and len(set(implementing(control)) - {"bdd"}) > 1 and not control.cases
    ]
    assert not uncovered, f"controls implemented by several engines without cases: {uncovered}"


def test_each_engine_runs_once_for_every_case(case_run: CaseRun) -> None:
    expected = {"plan", "rego", "apply", "live"} | ({"checkov"} if case_run.checkov is not None else set())
    assert set(case_run.seconds) == expected
    print(" ".join(f"{step}={seconds:.1f}s" for step, seconds in case_run.seconds.items()))
