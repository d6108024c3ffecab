"""Every AWS control is enforced: its noncompliant fixture plan fails the gate naming it and the resource."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from tests.gate.core.conftest import FIXTURES

EXPECTED: dict[str, dict[str, str]] = yaml.safe_load((FIXTURES / "expected.yaml").read_text())


def test_the_compliant_platform_passes_without_warnings(check_json: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    code, report = check_json("--plan", str(FIXTURES / "compliant-platform.json"))
    assert code == 0
    assert report["findings"] == []


@pytest.mark.parametrize("fixture", sorted(EXPECTED), ids=[EXPECTED[f]["control"] for f in sorted(EXPECTED)])
def test_noncompliant_fixture_is_blocked(fixture: str, check_json: Callable[..., tuple[int, dict[str, Any]]]) -> None:
    expected = EXPECTED[fixture]
    code, report = check_json("--plan", str(FIXTURES / fixture))
    assert code == 1
    failing = [(f["id"], f["resource"], f["controls"]) for f in report["findings"] if f["status"] == "fail"]
    assert (expected["rule"], expected["resource"], [expected["control"]]) in failing


def test_unknown_boolean_warns_instead_of_passing_silently(
    check_json: Callable[..., tuple[int, dict[str, Any]]], tmp_path: Any
) -> None:
    import json

    plan = json.loads((FIXTURES / "compliant-platform.json").read_text())
    key = next(c for c in plan["resource_changes"] if c["address"] == "aws_kms_key.data")
    del key["change"]["after"]["enable_key_rotation"]
    key["change"]["after_unknown"]["enable_key_rotation"] = True
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    code, report = check_json("--plan", str(tmp_path / "plan.json"))
    assert code == 0
    assert [(f["id"], f["status"], f["resource"]) for f in report["findings"]] == [
        ("CG-KMS-001", "warn", "aws_kms_key.data")
    ]
    assert "cannot be verified before apply" in report["findings"][0]["message"]
