"""Every format renders the same report faithfully; SARIF is valid against the official schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

from citygate.errors import CitygateError
from citygate.findings import EngineRun, GateReport
from citygate.reporters import FORMATS, render

SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
FINDING_KEYS = {
    *("id", "title", "severity", "status", "resource", "file", "message", "controls", "engine"),
    *("resolution", "reason", "exception", "aliases"),
}


def test_json_has_the_documented_shape(mixed_report: GateReport) -> None:
    document = json.loads(render(mixed_report, "json"))
    summary = document["summary"]
    assert summary["result"] == "fail" and summary["exit_code"] == 1
    assert summary["counts"] == {
        **{"total": 6, "failing": 2, "below_threshold": 1, "warn": 1},
        **{"dismissed": 1, "excepted": 1, "not_applicable": 0},
    }
    assert [e["engine"] for e in summary["engines"]] == ["rego", "checkov", "trivy"]
    assert all(set(f) >= FINDING_KEYS for f in document["findings"])
    assert document["findings"][4]["exception"] == "EX-001"
    assert document["findings"][5]["reason"] == "CG_S3_001: kms_master_key_id → aws_kms_key.data"


def test_sarif_is_valid_sarif_2_1_0(mixed_report: GateReport, clean_report: GateReport) -> None:
    schema = json.loads(SARIF_SCHEMA.read_text())
    for report in (mixed_report, clean_report):
        jsonschema.Draft4Validator(schema).validate(json.loads(render(report, "sarif")))


def test_sarif_rules_carry_control_metadata(mixed_report: GateReport) -> None:
    run = json.loads(render(mixed_report, "sarif"))["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["CG_S3_001"]["deprecatedIds"] == ["CG-S3-001"]  # the former id, for one release
    encryption = rules["CG_S3_001"]["properties"]
    assert "CG-ENC-1" in encryption["tags"]
    assert encryption["security-severity"] == "8.0"
    assert encryption["controls"][0]["id"] == "CG-ENC-1"
    assert any(tag.startswith("nist_800_53:") for tag in encryption["tags"])
    suppressed = {r["ruleId"]: r["suppressions"][0] for r in run["results"] if "suppressions" in r}
    assert set(suppressed) == {"CKV_AWS_18", "AWS-0132"}
    assert suppressed["AWS-0132"]["justification"].startswith("dismissed: CG_S3_001: kms_master_key_id")
    assert all(run["results"][i]["ruleIndex"] == list(rules).index(r["ruleId"]) for i, r in enumerate(run["results"]))


def test_junit_fails_violations_and_skips_resolved_findings(mixed_report: GateReport, tmp_path: Path) -> None:
    path = tmp_path / "report.xml"
    path.write_text(render(mixed_report, "junit"))
    cases = [case for suite in JUnitXml.fromfile(str(path)) for case in suite]
    outcomes = {case.name: type(case.result[0]) if case.result else None for case in cases}
    assert outcomes["CG_S3_001 aws_s3_bucket.raw"] is Failure
    assert outcomes["CKV_AWS_18 aws_s3_bucket.logs"] is Skipped
    assert outcomes["AWS-0132 aws_s3_bucket.raw"] is Skipped
    assert outcomes["CG_DDB_002 aws_dynamodb_table.events"] is None  # a warning passes
    assert outcomes["AWS-0089 aws_s3_bucket.raw"] is None  # below --fail-on medium
    assert outcomes["engine checkov ran"] is None


def test_junit_reports_a_failed_engine_as_an_error(clean_report: GateReport, tmp_path: Path) -> None:
    clean_report.engines.append(EngineRun("trivy", 0.2, 0, status="error", detail="timed out"))
    path = tmp_path / "report.xml"
    path.write_text(render(clean_report, "junit"))
    cases = [case for suite in JUnitXml.fromfile(str(path)) for case in suite]
    assert [type(c.result[0]) for c in cases if c.result] == [Error]


def test_text_groups_by_control_with_fixes_and_no_escape_codes(mixed_report: GateReport) -> None:
    text = render(mixed_report, "text")
    assert text.startswith("citygate gate FAIL: plan.json")
    assert "\x1b[" not in text
    assert text.index("CG-ENC-1") < text.index("unmapped")
    assert "sse_algorithm aws:kms" in text
    assert "excepted (EX-001)" in text
    assert "AWS-0132" not in text  # dismissed with proof: counted, listed in JSON/SARIF only
    assert "1 dismissed with proof, 1 excepted, 0 not applicable" in text


def test_text_never_reads_addresses_or_messages_as_markup(mixed_report: GateReport) -> None:
    mixed_report.findings[0].resource = 'module.m["k"].aws_s3_bucket.b[0]'
    mixed_report.findings[0].message = "set [bold]kms_key_id[/bold]"
    text = render(mixed_report, "text")
    assert 'module.m["k"].aws_s3_bucket.b[0]' in text
    assert "set [bold]kms_key_id[/bold]" in text


def test_text_colors_only_when_asked(mixed_report: GateReport) -> None:
    assert "\x1b[" in render(mixed_report, "text", color=True)


def test_markdown_is_a_readable_summary(mixed_report: GateReport, clean_report: GateReport) -> None:
    markdown = render(mixed_report, "markdown")
    assert markdown.startswith("## :x: citygate gate FAIL")
    assert "### CG-ENC-1: S3 buckets are encrypted with a customer-managed KMS key (high)" in markdown
    assert "S3 bucket \\| not KMS encrypted" in markdown  # a pipe in a message cannot break the table
    assert render(clean_report, "markdown").startswith("## :white_check_mark: citygate gate PASS")


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_clean_report(clean_report: GateReport, fmt: str) -> None:
    assert render(clean_report, fmt).strip()


def test_an_unknown_format_fails_closed(clean_report: GateReport) -> None:
    with pytest.raises(CitygateError, match="unknown report format"):
        render(clean_report, "pdf")
