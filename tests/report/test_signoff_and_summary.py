"""Accountability: the page hash ignores only its volatile parts, a sign-off for another hash is stale,
the sign-off format is enforced, and `--since` finds new, closed and changed findings and exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from citygate.errors import CitygateError
from citygate.livingdoc.provenance import collect, git_commit, page_hash
from citygate.livingdoc.signoff import SignOffCheck, load_signoff
from citygate.livingdoc.summary import diff, read_summary

HASH = "a" * 64


def test_the_hash_ignores_volatile_parts_only() -> None:
    page = '<p>Generated <span data-volatile="generated">{t}</span></p><p>{body}</p>'
    same = page_hash(page.format(t="10:00", body="x")) == page_hash(page.format(t="11:00", body="x"))
    assert same
    assert page_hash(page.format(t="10:00", body="x")) != page_hash(page.format(t="10:00", body="y"))


def _signoff(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "signoff.yaml"
    path.write_text(text)
    return path


def test_a_signoff_for_another_report_is_stale(tmp_path: Path) -> None:
    signoff = load_signoff(
        _signoff(tmp_path, f"reviewer: Ada Reviewer\ndecision: approved\nreport_hash: {HASH}\ndate: 2026-11-30\n")
    )
    assert SignOffCheck(signoff, HASH).matches
    stale = SignOffCheck(signoff, "b" * 64)
    assert not stale.matches
    assert stale.warning().startswith("warning: the sign-off in") and "does not cover this report" in stale.warning()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"reviewer: Ada\ndecision: maybe\nreport_hash: {HASH}\ndate: 2026-11-30\n", "decision"),
        (f"reviewer: Ada\ndecision: conditional\nreport_hash: {HASH}\ndate: 2026-11-30\n", "conditions"),
        ("reviewer: Ada\ndecision: approved\nreport_hash: abc\ndate: 2026-11-30\n", "report_hash"),
        (f"reviewer: Ada\ndecision: approved\nreport_hash: {HASH}\ndate: yesterday\n", "date"),
    ],
)
def test_an_invalid_signoff_fails_closed(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CitygateError, match=message):
        load_signoff(_signoff(tmp_path, text))


def test_a_conditional_signoff_keeps_its_conditions(tmp_path: Path) -> None:
    text = f"reviewer: Ada\ndecision: conditional\nconditions: [close REQ-IAM-4 by Q1]\nreport_hash: {HASH}\ndate: 2026-11-30\n"
    assert load_signoff(_signoff(tmp_path, text)).conditions == ("close REQ-IAM-4 by Q1",)


def _finding(rule: str, status: str, env: str = "dev") -> tuple[str, dict[str, str]]:
    key = f"{rule}|aws_s3_bucket.raw|{env}"
    return key, {"rule": rule, "resource": "aws_s3_bucket.raw", "env": env, "source": "gate", "status": status}


def _summary(findings: list[tuple[str, dict[str, str]]], exceptions: dict[str, Any]) -> dict[str, Any]:
    return {"report_hash": HASH, "findings": dict(findings), "exceptions": exceptions}


def test_since_finds_new_closed_and_changed_findings_and_exceptions() -> None:
    previous = _summary(
        [_finding("CKV_AWS_1", "failing"), _finding("CKV_AWS_2", "failing"), _finding("CKV_AWS_3", "failing")],
        {"EX-1": {"id": "EX-1", "expires": "2027-01-01"}, "EX-2": {"id": "EX-2", "expires": "2027-01-01"}},
    )
    current = _summary(
        [_finding("CKV_AWS_2", "failing"), _finding("CKV_AWS_3", "excepted"), _finding("CKV_AWS_1", "failing", "prod")],
        {"EX-1": {"id": "EX-1", "expires": "2027-06-01"}, "EX-3": {"id": "EX-3", "expires": "2027-01-01"}},
    )
    changes = diff(previous, current, "old/report.json")
    assert [(f["rule"], f["env"]) for f in changes.new] == [("CKV_AWS_1", "prod")]
    assert [(f["rule"], f["env"]) for f in changes.closed] == [("CKV_AWS_1", "dev")]
    assert [(f["rule"], before) for f, before in changes.changed] == [("CKV_AWS_3", "failing")]
    assert (changes.exceptions_added, changes.exceptions_removed, changes.exceptions_changed) == (
        ["EX-3"],
        ["EX-2"],
        ["EX-1"],
    )
    assert not changes.empty and changes.line().startswith("since old/report.json: 1 new, 1 closed, 1 changed")
    assert diff(current, current, "same").empty


def test_a_file_that_is_not_a_summary_fails_closed(tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    path.write_text('{"summary": {}}')
    with pytest.raises(CitygateError, match="not a report summary"):
        read_summary(path)


def test_outside_a_checkout_the_commit_says_so(tmp_path: Path) -> None:
    assert git_commit(tmp_path) == "not a git checkout"


def test_tool_versions_are_named() -> None:
    tools = collect().tools
    assert list(tools) == ["Terraform", "AWS provider", "Checkov", "Trivy", "regorus"]
    assert tools["AWS provider"] == "5.100.0" and tools["regorus"] != "not found"
