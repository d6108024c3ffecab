"""Every AWS control is enforced: its noncompliant fixture plan fails the gate naming it and the resource
(a control with catalogue cases is proven by them too, in tests/cases)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.plans.generate import expected
from tests.gate.core.conftest import CONFIGURATION_PLAN

EXPECTED = expected()


def test_the_compliant_platform_passes_without_warnings(
    check_json: Callable[..., tuple[int, dict[str, Any]]], compliant_plan: Path
) -> None:
    code, report = check_json("--plan", str(compliant_plan))
    assert code == 0
    assert report["findings"] == []


@pytest.mark.parametrize("fixture", sorted(EXPECTED), ids=[EXPECTED[f]["control"] for f in sorted(EXPECTED)])
def test_noncompliant_fixture_is_blocked(
    fixture: str, check_json: Callable[..., tuple[int, dict[str, Any]]], fixture_plans: Path
) -> None:
    wanted = EXPECTED[fixture]
    code, report = check_json("--plan", str(fixture_plans / fixture))
    assert code == 1
    failing = [(f["id"], f["resource"], f["controls"]) for f in report["findings"] if f["status"] == "fail"]
    assert (wanted["rule"], wanted["resource"], [wanted["control"]]) in failing


def _rotation_known_only_after_apply(compliant_plan: Path, tmp_path: Path, with_configuration: bool) -> Path:
    plan = json.loads(compliant_plan.read_text())
    key = next(c for c in plan["resource_changes"] if c["address"] == "aws_kms_key.data")
    del key["change"]["after"]["enable_key_rotation"]
    key["change"]["after_unknown"]["enable_key_rotation"] = True
    if not with_configuration:  # the plan does not describe the key's configuration
        described = plan["configuration"]["root_module"]["resources"]
        described[:] = [r for r in described if r["address"] != "aws_kms_key.data"]
    (tmp_path / "plan.json").write_text(json.dumps(plan))
    return tmp_path / "plan.json"


def _rego_failures(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["id"], f["resource"], f["message"]) for f in report["findings"] if f["status"] == "fail"]


def test_an_unwritten_setting_known_only_after_apply_is_judged_by_the_provider_default(
    check_json: Callable[..., tuple[int, dict[str, Any]]], compliant_plan: Path, tmp_path: Path
) -> None:
    # the key's configuration never writes enable_key_rotation: AWS leaves rotation off
    plan = _rotation_known_only_after_apply(compliant_plan, tmp_path, True)
    code, report = check_json("--plan", str(plan), "--engines", "rego")
    assert code == 1
    assert _rego_failures(report) == [("CG_KMS_001", "aws_kms_key.data", "automatic key rotation is not enabled")]


def test_a_value_nothing_resolves_before_apply_is_denied(
    check_json: Callable[..., tuple[int, dict[str, Any]]], compliant_plan: Path, tmp_path: Path
) -> None:
    plan = _rotation_known_only_after_apply(compliant_plan, tmp_path, False)
    code, report = check_json("--plan", str(plan), "--engines", "rego")
    assert code == 1
    failures = _rego_failures(report)
    assert [(rule, resource) for rule, resource, _ in failures] == [("CG_KMS_001", "aws_kms_key.data")]
    assert "cannot be verified before apply" in failures[0][2]


# the rules this fixture is about; rules of other domains may judge its resources too
CONFIGURATION_RULES = {"CG_DDB_001", "CG_DDB_002", "CG_KMS_001", "CG_IAM_003"}


def test_values_known_only_after_apply_are_judged_through_the_configuration(
    check_json: Callable[..., tuple[int, dict[str, Any]]],
) -> None:
    """A real plan (tests/fixtures/plans/configuration): references, unwritten settings, templates."""
    code, report = check_json("--plan", str(CONFIGURATION_PLAN), "--engines", "rego")
    assert code == 1
    failures = {(rule, resource): message for rule, resource, message in _rego_failures(report)}
    assert {k for k in failures if k[0] in CONFIGURATION_RULES} == {
        ("CG_DDB_001", "aws_dynamodb_table.unwritten"),  # never written: an AWS-owned key
        ("CG_IAM_003", "aws_iam_role.encoded"),  # jsonencode() of values known only after apply
        ("CG_IAM_003", "aws_iam_role.template_without_subject"),
        ("CG_IAM_003", "aws_iam_role.template_wrong_audience"),
        ("CG_IAM_003", "aws_iam_role.template_wildcard"),
    }
    assert "cannot be verified before apply" in failures[("CG_IAM_003", "aws_iam_role.encoded")]
    assert "cannot be verified" not in failures[("CG_DDB_001", "aws_dynamodb_table.unwritten")]
