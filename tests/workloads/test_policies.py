"""The workload Rego policies' own unit tests (`test_` rules in policies/rego/kubernetes), with coverage."""

from __future__ import annotations

from citygate.engines.rego import run_tests
from citygate.paths import REGO_DIR


def test_rego_unit_tests_pass_and_cover_the_policies() -> None:
    run = run_tests(REGO_DIR / "kubernetes")
    assert run.failed == []
    assert len(run.passed) >= 20
    low = {path: share for path, share in run.coverage.items() if share < 0.9}
    assert low == {}, f"policy files with less than 90% line coverage: {low}"
