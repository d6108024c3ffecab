"""A scanner with nothing to judge in a valid input is a `skipped` run, never an error; a scanner
that judged nothing where it must have (a workload, a plan) still fails closed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from citygate import gate
from citygate.cli import main
from citygate.engines import checkov, trivy
from citygate.engines.base import GateInput, NothingToJudge
from citygate.engines.external import empty_report
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.k8s import load_manifests
from tests.gate.engines_external.conftest import DATA, gate_input

SINGLE_KIND = DATA / "single-kind"
EMPTY_REPORTS = {
    checkov: ('echo \'{"passed": 0, "failed": 0, "resource_count": 0}\'', checkov.CheckovEngine),
    trivy: ('echo \'{"SchemaVersion": 2, "Results": null}\'', trivy.TrivyEngine),
}


def test_an_empty_report_on_manifests_without_pods_is_nothing_to_judge() -> None:
    inventory = load_manifests(SINGLE_KIND / "namespace.yaml")
    assert isinstance(empty_report("checkov", inventory, "found nothing"), NothingToJudge)
    assert "Namespace" in str(empty_report("checkov", inventory, "found nothing"))


@pytest.mark.parametrize("kind", ["k8s", "plan"])
def test_an_empty_report_on_workloads_or_plans_fails_closed(kind: str) -> None:
    failure = empty_report("checkov", gate_input(kind).inventory, "found nothing")
    assert isinstance(failure, CitygateError) and "found nothing" in str(failure)


@pytest.mark.parametrize("module", list(EMPTY_REPORTS), ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_scanners_skip_a_single_namespace(
    monkeypatch: pytest.MonkeyPatch, fake_tool: Callable[[str], Path], module: Any
) -> None:
    body, engine = EMPTY_REPORTS[module]
    monkeypatch.setenv(module.BIN_ENV, str(fake_tool(body)))
    path = SINGLE_KIND / "namespace.yaml"
    with pytest.raises(NothingToJudge, match="Namespace"):
        engine().run(GateInput(load_manifests(path), path), timeout=5.0)
    with pytest.raises(CitygateError, match="found nothing it could scan"):
        engine().run(gate_input("k8s"), timeout=5.0)


class _NothingToJudge:
    name = "checkov"
    ours = False

    def supports(self, inventory: object) -> bool:
        return True

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        raise NothingToJudge("no check for the kinds in the input (Namespace)")


def test_the_gate_records_a_skipped_run_but_fails_when_nothing_judged(monkeypatch: pytest.MonkeyPatch) -> None:
    real = gate.make_engine
    monkeypatch.setattr(gate, "make_engine", lambda name: _NothingToJudge() if name == "checkov" else real(name))
    path = SINGLE_KIND / "namespace.yaml"
    report = gate.run_gate(load_manifests(path), path, engines=("rego", "checkov"))
    skipped = [run for run in report.engines if run.engine == "checkov"]
    assert [(run.status, run.detail) for run in skipped] == [
        ("skipped", "no check for the kinds in the input (Namespace)")
    ]
    with pytest.raises(CitygateError, match="no requested engine had anything to judge"):
        gate.run_gate(load_manifests(path), path, engines=("checkov",))


@pytest.mark.parametrize(("name", "code"), [("namespace.yaml", 1), ("network-policy.yaml", 0)])
def test_single_kind_manifests_are_judged_by_the_cli(name: str, code: int, capsys: pytest.CaptureFixture[str]) -> None:
    """With the real scanners: the Namespace lacks its default-deny policy (exit 1), the policy alone is clean."""
    exit_code = main(["check", "--k8s", str(SINGLE_KIND / name), "--format", "json"])
    out, err = capsys.readouterr()
    assert exit_code == code, err
    engines = {run["engine"]: run for run in json.loads(out)["summary"]["engines"]}
    assert {engine: run["status"] for engine, run in engines.items()} == {
        "rego": "ok",
        "schema": "ok",
        "reachability": "ok",
        "irsa": "ok",
        "alb": "skipped",
        "checkov": "skipped",
        "trivy": "ok",
    }
    assert engines["checkov"]["detail"].startswith("no check for the kinds in the input")
