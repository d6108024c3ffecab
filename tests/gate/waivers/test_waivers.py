"""Waivers waive what they name until they expire; expired and unused waivers are findings themselves."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.findings import Finding, GateReport, Severity
from citygate.paths import WAIVERS_FILE
from citygate.waivers import EXPIRED_RULE, UNUSED_RULE, apply_waivers, load_waivers

TODAY = dt.date(2026, 11, 27)


def violation(rule: str, resource: str, controls: tuple[str, ...] = ()) -> Finding:
    return Finding(
        id=rule,
        title=rule,
        severity=Severity.HIGH,
        status="fail",
        resource=resource,
        message="violation",
        engine="checkov",
        controls=list(controls),
    )


def waiver_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "waivers.yaml"
    path.write_text(body)
    return path


def entry(waiver_id: str, target: str, resource: str, expires: str) -> str:
    return (
        f"  - id: {waiver_id}\n    {target}\n    resource: '{resource}'\n    owner: platform-team\n"
        f"    reason: The log bucket cannot log to itself.\n    expires: {expires}\n"
    )


FINDINGS = [
    violation("CKV_AWS_18", "aws_s3_bucket.logs_eu"),
    violation("CKV_AWS_18", "aws_s3_bucket.raw"),
    violation("CG-DDB-002", "aws_dynamodb_table.events", ("CG-DP-3",)),
]


def test_a_live_waiver_marks_matching_findings_waived(tmp_path: Path) -> None:
    body = "waivers:\n" + entry("W-1", "rule: CKV_AWS_18", "aws_s3_bucket.logs*", "2026-12-31")
    result = apply_waivers(FINDINGS, waiver_file(tmp_path, body), TODAY)
    assert [(f.resource, f.waived, f.waiver) for f in result] == [
        ("aws_s3_bucket.logs_eu", True, "W-1"),
        ("aws_s3_bucket.raw", False, ""),
        ("aws_dynamodb_table.events", False, ""),
    ]


def test_a_control_waiver_covers_every_rule_of_the_control(tmp_path: Path) -> None:
    body = "waivers:\n" + entry("W-2", "control: CG-DP-3", "aws_dynamodb_table.*", "2026-12-31")
    result = apply_waivers(FINDINGS, waiver_file(tmp_path, body), TODAY)
    assert [f.waived for f in result] == [False, False, True]


def test_a_waiver_holds_through_its_expiry_day(tmp_path: Path) -> None:
    body = "waivers:\n" + entry("W-1", "rule: CKV_AWS_18", "aws_s3_bucket.raw", TODAY.isoformat())
    result = apply_waivers(FINDINGS, waiver_file(tmp_path, body), TODAY)
    assert result[1].waived and len(result) == len(FINDINGS)


def test_an_expired_waiver_waives_nothing_and_fails_the_gate(tmp_path: Path) -> None:
    body = "waivers:\n" + entry("W-OLD", "rule: CKV_AWS_18", "aws_s3_bucket.raw", "2026-11-26")
    result = apply_waivers(FINDINGS, waiver_file(tmp_path, body), TODAY)
    expired = [f for f in result if f.id == EXPIRED_RULE]
    assert not any(f.waived for f in result)
    assert [(f.status, f.resource, f.engine) for f in expired] == [("fail", "Waiver/W-OLD", "waivers")]
    assert "expired on 2026-11-26" in expired[0].message
    report = GateReport(target="t", kind="terraform", findings=[f for f in result if f.id == EXPIRED_RULE])
    assert report.exit_code == 1


def test_an_unused_waiver_is_a_warning(tmp_path: Path) -> None:
    body = "waivers:\n" + entry("W-GONE", "rule: CKV_AWS_999", "*", "2026-12-31")
    result = apply_waivers(FINDINGS, waiver_file(tmp_path, body), TODAY)
    unused = [f for f in result if f.id == UNUSED_RULE]
    assert [(f.status, f.resource) for f in unused] == [("warn", "Waiver/W-GONE")]
    assert GateReport(target="t", kind="terraform", findings=unused).exit_code == 0


def test_a_waiver_for_resources_the_run_did_not_judge_is_not_unused(tmp_path: Path) -> None:
    body = "waivers:\n" + entry("W-PLAN", "rule: CKV_AWS_18", "aws_s3_bucket.logs*", "2026-12-31")
    manifests_run = apply_waivers([], waiver_file(tmp_path, body), TODAY, resources=["Deployment/production/api"])
    assert manifests_run == []
    plan_run = apply_waivers([], waiver_file(tmp_path, body), TODAY, resources=["aws_s3_bucket.logs_eu"])
    assert [f.id for f in plan_run] == [UNUSED_RULE]


def test_no_waiver_file_changes_nothing() -> None:
    assert apply_waivers(FINDINGS, None, TODAY) == FINDINGS


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("waivers: [", "cannot read waivers"),
        ("[]", "is not of type .object."),
        ("", "None is not of type .object."),
        ("waivers:\n" + entry("W-1", "rule: X", "*", "2026-12-31").replace("    owner: platform-team\n", ""), "owner"),
        ("waivers:\n" + entry("W-1", "rule: X\n    control: CG-DP-3", "*", "2026-12-31"), "waivers/0"),
        ("waivers:\n" + entry("W-1", "owner2: x", "*", "2026-12-31"), "waivers/0"),
        ("waivers:\n" + entry("W-1", "rule: X", "*", "2026-13-45"), "month must be in 1..12"),
        ("waivers:\n" + entry("W-1", "rule: X", "*", "'next week'"), "waivers/0/expires"),
        ("waivers:\n" + entry("W-1", "rule: X", "*", "2026-12-31") * 2, "duplicate waiver ids: W-1"),
    ],
    ids=[
        "not-yaml",
        "not-a-mapping",
        "empty",
        "no-owner",
        "rule-and-control",
        "unknown-key",
        "bad-date",
        "not-a-date",
        "dup",
    ],
)
def test_a_malformed_waiver_file_fails_closed(tmp_path: Path, body: str, error: str) -> None:
    with pytest.raises(CitygateError, match=error):
        apply_waivers(FINDINGS, waiver_file(tmp_path, body), TODAY)


def test_a_missing_waiver_file_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="cannot read waivers"):
        apply_waivers(FINDINGS, tmp_path / "absent.yaml", TODAY)


def test_the_project_waivers_file_is_valid_and_current() -> None:
    assert all(not w.expired(dt.date.today()) for w in load_waivers(WAIVERS_FILE))
