"""`check --k8s` on the workload controls' catalogue cases, written to files: a noncompliant case exits
1 naming one of its control's rules on one of its objects; a compliant case draws no finding of its
control's rules; our overlays exit 0; unreadable manifests exit 2.  Which engine finds what on each case
is proven in tests/cases; this is the command a developer runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from probes import EXCEPTED, FIXTURES

from citygate import cli
from citygate.controls import load_catalogue
from citygate.k8s import irsa
from citygate.paths import WORKLOADS
from tests.cases.objects import ObjectRun, object_cases

WORKLOAD_CASES = [case for case in object_cases(load_catalogue(), Path(".")) if case.kind == "kubernetes"]


@pytest.fixture
def stacks_synthesized(synth_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The IRSA cross-check reads the session's synthesized stacks instead of synthesizing again."""
    monkeypatch.setattr(irsa, "SYNTH_OUT", synth_dir)


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    code = cli.main(["check", "--k8s", str(path), "--engines", "rego,schema,reachability,irsa,alb", "--format", "json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if code in (0, 1) else {}


@pytest.mark.usefixtures("stacks_synthesized")
@pytest.mark.parametrize("case_id", [c.id for c in WORKLOAD_CASES if not c.case.compliant])
def test_a_noncompliant_case_fails_the_gate(
    object_run: ObjectRun, case_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    case = object_run.case(case_id)
    rules = set(case.case.rules or case.control.own_rules())
    code, report = check(case.path, capsys)
    assert code == 1
    failing = [f for f in report["findings"] if f["status"] == "fail" and f["id"] in rules]
    assert any(case.owns(f["resource"]) and case.control.id in f["controls"] for f in failing), report["findings"]


@pytest.mark.usefixtures("stacks_synthesized")
@pytest.mark.parametrize("case_id", [c.id for c in WORKLOAD_CASES if c.case.compliant])
def test_a_compliant_case_draws_no_finding_of_its_control(
    object_run: ObjectRun, case_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    case = object_run.case(case_id)
    code, report = check(case.path, capsys)
    assert code in (0, 1)
    rules = set(case.control.own_rules())
    assert [f for f in report["findings"] if f["status"] == "fail" and f["id"] in rules] == []


@pytest.mark.usefixtures("stacks_synthesized")
def test_our_workloads_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check(WORKLOADS, capsys)
    unresolved = [f for f in report["findings"] if f["status"] in ("fail", "warn") and not f["resolution"]]
    assert (code, unresolved) == (0, [])
    excepted = {(f["exception"], f["id"], f["resource"]) for f in report["findings"] if f["resolution"] == "excepted"}
    assert excepted == EXCEPTED


@pytest.mark.parametrize("name", ["unparseable.yaml", "not-an-object.yaml"])
def test_unreadable_manifests_are_an_error(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["check", "--k8s", str(FIXTURES / "invalid" / name), "--engines", "rego"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and name in err
