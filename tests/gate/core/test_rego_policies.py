"""The Rego unit tests (`test_` rules) all pass, and their coverage is reported."""

from __future__ import annotations

import pytest

from citygate.engines.rego import run_tests
from citygate.paths import REGO_DIR


@pytest.mark.parametrize("folder", ["lib", "terraform"])
def test_every_rego_unit_test_passes_with_coverage_reported(folder: str) -> None:
    outcome = run_tests(under=REGO_DIR / folder)
    assert outcome.passed
    assert outcome.failed == []
    terraform = {path: share for path, share in outcome.coverage.items() if f"/{folder}/" in path}
    print(
        f"rego coverage: {outcome.total_coverage:.0%} overall; "
        + ", ".join(f"{p.split('/rego/')[-1]} {s:.0%}" for p, s in sorted(terraform.items()))
    )
    assert terraform and min(terraform.values()) > 0
