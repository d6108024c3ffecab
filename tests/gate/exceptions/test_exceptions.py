"""The exception register excepts what it names until an entry expires; expired and unused entries
are findings themselves; `citygate exceptions` lists the register with the days left."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from citygate.cli import main
from citygate.errors import CitygateError
from citygate.exceptions import EXPIRED_RULE, UNUSED_RULE, apply_exceptions, load_register
from citygate.findings import Finding, GateReport, Severity
from citygate.paths import EXCEPTIONS_FILE

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


def register_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "exceptions.yaml"
    path.write_text(body)
    return path


def entry(entry_id: str, target: str, resource: str, expires: str, created: str = "2026-11-01") -> str:
    return (
        f"  - id: {entry_id}\n    {target}\n    resource: '{resource}'\n    owner: platform-team\n"
        f"    approver: security-architecture\n    ticket: SEC-1\n    created: {created}\n"
        f"    reason: The log bucket cannot log to itself.\n    expires: {expires}\n"
    )


def register(*entries: str) -> str:
    return "exceptions:\n" + "".join(entries)


FINDINGS = [
    violation("CKV_AWS_18", "aws_s3_bucket.logs_eu"),
    violation("CKV_AWS_18", "aws_s3_bucket.raw"),
    violation("CG_DDB_002", "aws_dynamodb_table.events", ("CG-DP-3",)),
]


def test_a_live_entry_marks_matching_findings_excepted(tmp_path: Path) -> None:
    body = register(entry("EX-1", "rule: CKV_AWS_18", "aws_s3_bucket.logs*", "2026-12-31"))
    result = apply_exceptions(FINDINGS, register_file(tmp_path, body), TODAY)
    assert [(f.resource, f.resolution, f.exception) for f in result] == [
        ("aws_s3_bucket.logs_eu", "excepted", "EX-1"),
        ("aws_s3_bucket.raw", "", ""),
        ("aws_dynamodb_table.events", "", ""),
    ]
    assert result[0].reason == "EX-1: The log bucket cannot log to itself."
    assert GateReport(target="t", kind="terraform", findings=result[:1]).exit_code == 0


def test_a_control_entry_covers_every_rule_of_the_control(tmp_path: Path) -> None:
    body = register(entry("EX-2", "control: CG-DP-3", "aws_dynamodb_table.*", "2026-12-31"))
    result = apply_exceptions(FINDINGS, register_file(tmp_path, body), TODAY)
    assert [f.resolved for f in result] == [False, False, True]


def test_a_finding_already_dismissed_with_proof_needs_no_exception(tmp_path: Path) -> None:
    dismissed = Finding(**{**FINDINGS[0].__dict__, "resolution": "dismissed", "reason": "CG_S3_001: proof"})
    body = register(entry("EX-1", "rule: CKV_AWS_18", "aws_s3_bucket.logs_eu", "2026-12-31"))
    result = apply_exceptions([dismissed], register_file(tmp_path, body), TODAY)
    assert (result[0].resolution, [f.id for f in result[1:]]) == ("dismissed", [UNUSED_RULE])


def test_an_entry_holds_through_its_expiry_day(tmp_path: Path) -> None:
    body = register(entry("EX-1", "rule: CKV_AWS_18", "aws_s3_bucket.raw", TODAY.isoformat()))
    result = apply_exceptions(FINDINGS, register_file(tmp_path, body), TODAY)
    assert result[1].resolved and len(result) == len(FINDINGS)


def test_an_expired_entry_excepts_nothing_and_fails_the_gate(tmp_path: Path) -> None:
    body = register(entry("EX-OLD", "rule: CKV_AWS_18", "aws_s3_bucket.raw", "2026-11-26"))
    result = apply_exceptions(FINDINGS, register_file(tmp_path, body), TODAY)
    expired = [f for f in result if f.id == EXPIRED_RULE]
    assert not any(f.resolved for f in result)
    assert [(f.status, f.resource, f.engine) for f in expired] == [("fail", "Exception/EX-OLD", "exceptions")]
    assert "expired on 2026-11-26" in expired[0].message and "ticket SEC-1" in expired[0].message
    assert GateReport(target="t", kind="terraform", findings=expired).exit_code == 1


def test_an_unused_entry_is_a_warning(tmp_path: Path) -> None:
    body = register(entry("EX-GONE", "rule: CKV_AWS_999", "*", "2026-12-31"))
    result = apply_exceptions(FINDINGS, register_file(tmp_path, body), TODAY)
    unused = [f for f in result if f.id == UNUSED_RULE]
    assert [(f.status, f.resource) for f in unused] == [("warn", "Exception/EX-GONE")]
    assert GateReport(target="t", kind="terraform", findings=unused).exit_code == 0


def test_an_entry_for_resources_the_run_did_not_judge_is_not_unused(tmp_path: Path) -> None:
    body = register(entry("EX-PLAN", "rule: CKV_AWS_18", "aws_s3_bucket.logs*", "2026-12-31"))
    manifests_run = apply_exceptions([], register_file(tmp_path, body), TODAY, resources=["Deployment/production/api"])
    assert manifests_run == []
    plan_run = apply_exceptions([], register_file(tmp_path, body), TODAY, resources=["aws_s3_bucket.logs_eu"])
    assert [f.id for f in plan_run] == [UNUSED_RULE]


def test_no_register_changes_nothing() -> None:
    assert apply_exceptions(FINDINGS, None, TODAY) == FINDINGS


ONE = entry("EX-1", "rule: X", "*", "2026-12-31")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("exceptions: [", "cannot read the exception register"),
        ("[]", "is not of type .object."),
        ("", "None is not of type .object."),
        (register(ONE.replace("    owner: platform-team\n", "")), "owner"),
        (register(ONE.replace("    approver: security-architecture\n", "")), "approver"),
        (register(ONE.replace("    ticket: SEC-1\n", "")), "ticket"),
        (register(ONE.replace("    created: 2026-11-01\n", "")), "created"),
        (register(entry("EX-1", "rule: X\n    control: CG-DP-3", "*", "2026-12-31")), "exceptions/0"),
        (register(entry("EX-1", "owner2: x", "*", "2026-12-31")), "exceptions/0"),
        (register(entry("EX-1", "rule: X", "*", "2026-13-45")), "month must be in 1..12"),
        (register(entry("EX-1", "rule: X", "*", "'next week'")), "exceptions/0/expires"),
        (register(ONE, ONE), "duplicate exception ids: EX-1"),
        (register(entry("EX-1", "rule: X", "*", "2026-10-01")), "expiring before they were created: EX-1"),
        (register(ONE.replace("approver: security-architecture", "approver: platform-team")), "own owner: EX-1"),
    ],
    ids=[
        "not-yaml",
        "not-a-mapping",
        "empty",
        "no-owner",
        "no-approver",
        "no-ticket",
        "no-created",
        "rule-and-control",
        "unknown-key",
        "bad-date",
        "not-a-date",
        "dup",
        "backwards",
        "self-approved",
    ],
)
def test_a_malformed_register_fails_closed(tmp_path: Path, body: str, error: str) -> None:
    with pytest.raises(CitygateError, match=error):
        apply_exceptions(FINDINGS, register_file(tmp_path, body), TODAY)


def test_a_missing_register_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="cannot read the exception register"):
        apply_exceptions(FINDINGS, tmp_path / "absent.yaml", TODAY)


def test_the_project_register_is_valid_and_current() -> None:
    assert all(not e.expired(dt.date.today()) for e in load_register(EXCEPTIONS_FILE))


def test_the_listing_shows_days_left_and_fails_on_an_expired_entry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    current = register_file(tmp_path, register(entry("EX-NOW", "rule: X", "*", "2999-01-01")))
    assert main(["exceptions", "--file", str(current)]) == 0
    out = capsys.readouterr().out
    assert "EX-NOW" in out and "SEC-1" in out and "1 exceptions, 0 expired" in out
    expired = register_file(tmp_path, register(entry("EX-OLD", "rule: X", "*", "2026-11-02")))
    assert main(["exceptions", "--file", str(expired)]) == 1
    out = capsys.readouterr().out
    assert "days ago" in out and "1 expired: EX-OLD" in out
    assert main(["exceptions", "--file", str(tmp_path / "absent.yaml")]) == 2


def test_an_entry_naming_a_rule_by_its_former_id_still_holds(tmp_path: Path) -> None:
    finding = violation("CG_S3_001", "aws_s3_bucket.logs_eu")
    body = register(entry("EX-OLD-ID", "rule: CG-S3-001", "aws_s3_bucket.logs*", "2026-12-31"))
    (result,) = apply_exceptions([finding], register_file(tmp_path, body), TODAY)
    assert (result.resolution, result.exception) == ("excepted", "EX-OLD-ID")
