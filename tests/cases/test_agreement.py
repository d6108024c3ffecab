"""Every engine implementing a control judges the control's catalogue cases as the catalogue says.

Terraform cases are planned and applied once (`tests.cases.runner`); Kubernetes and CI/CD cases are
written to files and judged as written (`tests.cases.objects`).

A compliant case is flagged by no engine on its resources (and the live rules and scenarios did look
at them); a noncompliant case is flagged by every engine implementing the control.  A disagreement the
catalogue declares on a case (`disagreements`) is expected to fail, and fails the test once it agrees.  One test per
(control, case, engine): `pytest tests/cases -k CG-TLS-3` proves one control on every engine.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citygate.controls import Case, Control, load_catalogue
from tests.cases import objects
from tests.cases.objects import ObjectCase, ObjectRun, object_cases
from tests.cases.runner import CaseRun, PlacedCase, Verdict, all_cases, engines, implementing

CATALOGUE = load_catalogue()
PLACED = all_cases(CATALOGUE)
OBJECTS = object_cases(CATALOGUE, Path("."))  # ids and engines only: the session fixture writes them


def _judged(case: PlacedCase | ObjectCase, engine: str) -> Any:
    why = case.case.disagreements.get(engine)
    marks = [pytest.mark.xfail(reason=why, strict=True)] if why else []
    return pytest.param(case, engine, id=f"{case.id}/{engine}", marks=marks)


JUDGED = [_judged(placed, engine) for placed in PLACED for engine in engines(placed.control, placed.case)]
JUDGED_OBJECTS = [_judged(case, engine) for case in OBJECTS for engine in objects.implementing(case.control, case.case)]
WITH_CASES = [control for control in CATALOGUE if control.cases]
# Controls judged on a recorded run of the workloads (stage `recorded`) are proven by tests/leastpriv, not by cases.
RECORDED = {control.id for control in CATALOGUE if control.stages == ("recorded",)}
STATIC = [c for c in CATALOGUE if c.id not in RECORDED and (c.own_rules() or "static" in c.stages)]


# Rules about what a whole configuration lacks, which no case can break among the other cases' resources.
ABOUT_THE_WHOLE_PLAN = {
    "CG_CT_004": "a plan without any trail (audit_test.rego); the cases' plan holds CG-AUD-1's trails"
}


@pytest.mark.parametrize(("placed", "engine"), JUDGED)
def test_engine_judges_the_case_as_the_catalogue_says(case_run: CaseRun, placed: PlacedCase, engine: str) -> None:
    if engine == "checkov" and case_run.checkov is None:
        pytest.skip("Checkov is not installed (make test installs it)")
    _assert_as_the_catalogue_says(case_run.verdict(placed, engine), placed.case, engine, placed.addresses)


@pytest.mark.parametrize(("case", "engine"), JUDGED_OBJECTS)
def test_engine_judges_the_object_case_as_the_catalogue_says(
    object_run: ObjectRun, case: ObjectCase, engine: str
) -> None:
    if engine == "checkov" and not object_run.with_checkov:
        pytest.skip("Checkov is not installed (make test installs it)")
    written = object_run.case(case.id)
    _assert_as_the_catalogue_says(object_run.verdict(written, engine), case.case, engine, written.addresses)


def _assert_as_the_catalogue_says(verdict: Verdict, case: Case, engine: str, addresses: frozenset[str]) -> None:
    resources = ", ".join(sorted(addresses))
    if case.compliant:
        assert not verdict.failures, f"{engine} flags a compliant case: {verdict.failures}"
        assert verdict.judged, f"{engine} looked at none of {resources}"
    else:
        assert verdict.failures, f"{engine} flags none of {resources}"


@pytest.mark.parametrize("control", WITH_CASES, ids=lambda control: control.id)
def test_a_control_with_cases_can_pass_and_fail_on_an_engine(control: Control) -> None:
    kinds = {case.compliant for case in control.cases}
    assert kinds == {True, False}, "a control's cases need a compliant and a noncompliant one"
    for case in control.cases:
        judges = engines(control, case) if case.kind == "terraform" else objects.implementing(control, case)
        assert judges, f"no engine judges case {case.name}"


@pytest.mark.parametrize("control", STATIC, ids=lambda control: control.id)
def test_every_control_with_a_static_rule_has_cases(control: Control) -> None:
    """Our rules and the scanners' static checks are proven on examples, never on a rule's word alone."""
    kinds = {case.compliant for case in control.cases}
    assert kinds == {True, False}, f"{control.id} needs a compliant and a noncompliant case"


@pytest.mark.parametrize(
    "control", [c for c in STATIC if c.cases and c.cases[0].kind != "terraform"], ids=lambda control: control.id
)
def test_every_rule_of_ours_fails_on_a_noncompliant_object_case(object_run: ObjectRun, control: Control) -> None:
    unbroken = set(control.own_rules())
    for case in object_run.cases:
        if case.control.id == control.id and not case.case.compliant:
            for engine in objects.implementing(control, case.case):
                if engine not in ("bdd", "checkov"):
                    unbroken -= {
                        f.id for f in object_run.run(case, engine) if f.status == "fail" and case.owns(f.resource)
                    }
    assert not unbroken, f"no noncompliant case of {control.id} breaks {sorted(unbroken)}"


def test_every_rule_of_ours_fails_on_a_noncompliant_terraform_case(case_run: CaseRun) -> None:
    broken = {
        f.id
        for placed in PLACED
        if not placed.case.compliant
        for f in case_run.rego
        if f.status == "fail" and placed.owns(f.resource)
    }
    ours = {rule for placed in PLACED for rule in placed.control.own_rules()}
    aws = {
        rule
        for control in CATALOGUE
        if control.file.endswith("aws.yaml") and control.id not in RECORDED
        for rule in control.own_rules()
    }
    assert aws <= ours, f"AWS rules without cases: {sorted(aws - ours)}"
    unbroken = aws - broken - set(ABOUT_THE_WHOLE_PLAN)
    assert not unbroken, f"no noncompliant case breaks {sorted(unbroken)}"


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
