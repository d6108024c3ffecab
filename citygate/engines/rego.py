"""The embedded Rego engine: every policy evaluated in-process by regorus, in one query.

Policy files are read and classified once per process (`load_policy_set`) and compiled per run,
with the catalogue's control parameters as data (regorus engines cannot cross threads, and the
gate runs engines in threads).  The same module runs the `test_` rules with coverage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import regorus

from citygate.engines.base import GateInput
from citygate.engines.policyset import PolicySet, load_policy_set
from citygate.engines.rego_modules import compile_sources, regorus_error
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.model import Inventory
from citygate.paths import REGO_DIR


def compile_policies(policy_set: PolicySet, coverage: bool = False) -> regorus.Engine:
    """A regorus engine holding the policies and their data, for the calling thread only."""
    engine = compile_sources(policy_set.sources, coverage)
    engine.add_data_json(json.dumps(policy_set.data))
    return engine


def evaluate(policy_set: PolicySet, engine: regorus.Engine, rego_input: dict[str, Any]) -> dict[str, Any]:
    """`{rule path: [results]}` for every deny/warn/proof rule, from a single evaluation."""
    if not policy_set.rules:
        return {}
    engine.set_input_json(json.dumps(rego_input))
    try:
        result = json.loads(engine.eval_query_as_json(policy_set.query))
        results: dict[str, Any] = result["result"][0]["bindings"]["results"]
    except (RuntimeError, KeyError, IndexError) as exc:
        raise CitygateError(f"evaluation failed: {regorus_error(exc)}", "rego") from None
    return results


class RegoEngine:
    """`check --engines rego`: our policies, in-process."""

    name = "rego"
    ours = True

    def __init__(self, directory: Path = REGO_DIR) -> None:
        self.directory = directory

    def supports(self, inventory: Inventory) -> bool:
        return True  # policies exist for every input kind (terraform, kubernetes, github_workflows)

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        # regorus engines are bound to the thread that made them: compile here, in the engine's thread, and drop
        # the engine here too, also when evaluation fails (an error's traceback would carry it to another thread)
        policy_set = load_policy_set(self.directory)
        engine = compile_policies(policy_set)
        failure: CitygateError | None = None
        try:
            results = evaluate(policy_set, engine, gate_input.inventory.to_input())
        except CitygateError as exc:
            failure = exc.with_traceback(None)
            failure.__context__ = None
        del engine
        if failure is not None:
            raise failure
        files = {r.address: r.file for r in gate_input.inventory.resources}
        return policy_set.findings(results, self.name, files)


@dataclass
class TestRun:
    """The outcome of the `test_` rules: which passed, which failed, and line coverage per file."""

    passed: list[str]
    failed: list[str]
    coverage: dict[str, float]  # policy file -> covered fraction of its evaluable lines

    @property
    def total_coverage(self) -> float:
        return sum(self.coverage.values()) / len(self.coverage) if self.coverage else 0.0


def run_tests(directory: Path = REGO_DIR, under: Path | None = None) -> TestRun:
    """Evaluate the `test_` rules (of files under `under`, default all; true = pass) and report coverage."""
    policy_set = load_policy_set(directory, with_tests=True)
    engine = compile_policies(policy_set, coverage=True)
    passed: list[str] = []
    failed: list[str] = []
    for test, file in policy_set.tests.items():
        if under is not None and not Path(file).is_relative_to(under):
            continue
        try:
            ok = engine.eval_rule(test) is True
        except RuntimeError:
            ok = False
        (passed if ok else failed).append(test)
    report = json.loads(engine.get_coverage_report_as_json())
    coverage = {
        entry["path"]: len(entry["covered"]) / max(1, len(entry["covered"]) + len(entry["not_covered"]))
        for entry in report["files"]
        if not entry["path"].endswith("_test.rego")
    }
    return TestRun(passed=passed, failed=failed, coverage=coverage)
