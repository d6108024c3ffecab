"""The embedded Rego engine: every policy evaluated in-process by regorus, in one query.

The policies are parsed once per process; each run clones the prepared engine (cheap) so
concurrent runs never share an input.  The same module runs the `test_` rules with coverage.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import regorus

from citygate.engines.base import GateInput
from citygate.engines.policyset import PolicySet, load_policy_set
from citygate.errors import CitygateError
from citygate.findings import Finding
from citygate.paths import REGO_DIR


def _engine(policy_set: PolicySet, coverage: bool = False) -> regorus.Engine:
    engine = regorus.Engine()
    engine.set_enable_coverage(coverage)
    for path, text in policy_set.sources.items():
        try:
            engine.add_policy(path, text)
        except RuntimeError as exc:
            raise CitygateError(f"policy does not compile: {str(exc).splitlines()[0]}", path) from None
    return engine


@cache
def _prepared(directory: Path) -> tuple[PolicySet, regorus.Engine]:
    policy_set = load_policy_set(directory)
    return policy_set, _engine(policy_set)


def evaluate(policy_set: PolicySet, engine: regorus.Engine, rego_input: dict[str, Any]) -> dict[str, Any]:
    """`{rule path: [results]}` for every deny/warn rule, from a single evaluation."""
    if not policy_set.verdict_rules:
        return {}
    engine.set_input_json(json.dumps(rego_input))
    try:
        result = json.loads(engine.eval_query_as_json(policy_set.query))
        verdicts: dict[str, Any] = result["result"][0]["bindings"]["verdicts"]
    except (RuntimeError, KeyError, IndexError) as exc:
        raise CitygateError(f"evaluation failed: {str(exc).splitlines()[0] if str(exc) else exc!r}", "rego") from None
    return verdicts


class RegoEngine:
    """`check --engines rego`: our policies, in-process."""

    name = "rego"

    def __init__(self, directory: Path = REGO_DIR) -> None:
        self.directory = directory

    def run(self, gate_input: GateInput, timeout: float) -> list[Finding]:
        policy_set, prepared = _prepared(self.directory)
        verdicts = evaluate(policy_set, prepared.clone(), gate_input.inventory.to_input())
        files = {r.address: r.file for r in gate_input.inventory.resources}
        return policy_set.findings(verdicts, self.name, files)


@dataclass
class TestRun:
    """The outcome of the `test_` rules: which passed, which failed, and line coverage per file."""

    passed: list[str]
    failed: list[str]
    coverage: dict[str, float]  # policy file -> covered fraction of its evaluable lines

    @property
    def total_coverage(self) -> float:
        return sum(self.coverage.values()) / len(self.coverage) if self.coverage else 0.0


def run_tests(directory: Path = REGO_DIR) -> TestRun:
    """Evaluate every `test_` rule (true = pass) and report coverage of the non-test files."""
    policy_set = load_policy_set(directory, with_tests=True)
    engine = _engine(policy_set, coverage=True)
    passed: list[str] = []
    failed: list[str] = []
    for test in policy_set.tests:
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
