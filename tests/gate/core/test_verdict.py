"""One verdict, blocking by default: a scanner finding stops failing only when the report can say
why — dismissed with our policy's proof, declared not applicable by the catalogue, or excepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate import gate
from citygate.controls import Catalogue, Control, NotApplicable, load_catalogue
from citygate.engines.base import Engine
from citygate.findings import Finding, Severity

OURS = {"rego", "schema", "reachability", "irsa"}
BUCKET, LOGS = "aws_s3_bucket.raw", "aws_s3_bucket.logs"


def control(control_id: str, *rules: str, twins: dict[str, str] | None = None) -> Control:
    return Control(control_id, "t", "d", Severity.HIGH, {}, rules, ("static",), twins=twins or {})


TRAIL = "aws_cloudtrail.main"
CATALOGUE = Catalogue(
    [
        control("CG-ENC-1", "CG_S3_001", "AWS-0132"),
        control("CG-LOG-2", "CG_S3_004", "AWS-0089"),
        control(
            "CG-AUD-1", "CG_CT_001", "CG_CT_003", "AWS-0014", "AWS-0015", "AWS-0162", twins={"AWS-0015": "CG_CT_003"}
        ),
    ],
    [NotApplicable(("CKV_AWS_144",), "The data lake's recovery objective is met in-region.")],
)


def finding(engine: str, rule: str, resource: str, controls: list[str], status: str = "fail") -> Finding:
    return Finding(rule, "t", Severity.HIGH, status, resource, "scanner message", engine, controls)


def proof(rule: str, resource: str, controls: list[str], evidence: str) -> Finding:
    return Finding(rule, "t", Severity.HIGH, "pass", resource, evidence, "rego", controls)


def verdicts(findings: list[Finding]) -> list[tuple[str, str, str, str]]:
    return [(f.id, f.resource, f.status, f.resolution) for f in gate.merge(findings, OURS, CATALOGUE)]


def test_a_scanner_finding_our_policy_proves_wrong_is_dismissed_with_the_evidence() -> None:
    evidence = "kms_master_key_id → aws_kms_key.data (a customer-managed key in this plan)"
    merged = gate.merge(
        [proof("CG_S3_001", BUCKET, ["CG-ENC-1"], evidence), finding("trivy", "AWS-0132", BUCKET, ["CG-ENC-1"])],
        OURS,
        CATALOGUE,
    )
    assert [(f.id, f.resolution, f.reason) for f in merged] == [("AWS-0132", "dismissed", f"CG_S3_001: {evidence}")]


def test_a_proof_is_about_one_resource_and_every_control_of_the_finding() -> None:
    elsewhere = proof("CG_S3_001", LOGS, ["CG-ENC-1"], "key")
    assert verdicts([elsewhere, finding("trivy", "AWS-0132", BUCKET, ["CG-ENC-1"])]) == [
        ("AWS-0132", BUCKET, "fail", "")
    ]
    half = proof("CG_S3_001", BUCKET, ["CG-ENC-1"], "key")
    both = finding("checkov", "CKV_X", BUCKET, ["CG-ENC-1", "CG-LOG-2"])
    assert verdicts([half, both]) == [("CKV_X", BUCKET, "fail", "")]


def test_on_a_control_with_several_rules_only_the_twin_rules_proof_dismisses() -> None:
    key = proof("CG_CT_003", TRAIL, ["CG-AUD-1"], "kms_key_id → aws_kms_key.audit")
    regions = proof("CG_CT_001", TRAIL, ["CG-AUD-1"], "is_multi_region_trail true")
    findings = [key, regions, *(finding("trivy", rule, TRAIL, ["CG-AUD-1"]) for rule in ("AWS-0015", "AWS-0162"))]
    assert verdicts(findings) == [("AWS-0015", TRAIL, "fail", "dismissed"), ("AWS-0162", TRAIL, "fail", "")]


def test_every_twin_pairs_a_scanner_rule_with_our_rule_of_the_same_control() -> None:
    for entry in load_catalogue():
        own, scanners = set(entry.own_rules()), set(entry.rules) - set(entry.own_rules())
        assert set(entry.twins) <= scanners and set(entry.twins.values()) <= own, entry.id


def test_an_unproved_scanner_finding_blocks_even_on_a_control_we_enforce() -> None:
    report = gate.merge([finding("trivy", "AWS-0132", BUCKET, ["CG-ENC-1"])], OURS, CATALOGUE)
    assert [(f.status, f.resolution, f.message) for f in report] == [("fail", "", "scanner message")]


def test_an_unmapped_scanner_finding_blocks_at_its_own_severity() -> None:
    unmapped = Finding("CKV_AWS_18", "t", Severity.MEDIUM, "fail", BUCKET, "m", "checkov", [])
    (merged,) = gate.merge([unmapped], OURS, CATALOGUE)
    assert (merged.status, merged.severity, merged.resolution) == ("fail", Severity.MEDIUM, "")


def test_a_rule_the_catalogue_declares_not_applicable_says_why() -> None:
    (merged,) = gate.merge([finding("checkov", "CKV_AWS_144", BUCKET, [])], OURS, CATALOGUE)
    assert (merged.resolution, merged.reason) == (
        "not_applicable",
        "The data lake's recovery objective is met in-region.",
    )


def test_a_scanner_repeating_our_failure_is_dropped_and_proofs_leave_the_report() -> None:
    ours = finding("rego", "CG_S3_001", BUCKET, ["CG-ENC-1"])
    repeat = finding("checkov", "CKV_AWS_145", BUCKET, ["CG-ENC-1"])
    evidence = proof("CG_S3_004", LOGS, ["CG-LOG-2"], "logging → aws_s3_bucket.access_logs")
    assert verdicts([ours, repeat, evidence]) == [("CG_S3_001", BUCKET, "fail", "")]


def test_without_our_engine_nothing_is_proved_and_scanner_findings_keep_failing() -> None:
    alone = finding("trivy", "AWS-0132", BUCKET, ["CG-ENC-1"])
    assert [f.status for f in gate.merge([alone], set(), CATALOGUE)] == ["fail"]


@pytest.mark.parametrize("name", list(gate.ENGINES))
def test_every_registered_engine_is_a_plugin_of_the_same_shape(name: str) -> None:
    engine: Engine = gate.make_engine(name)
    assert engine.name == name
    assert isinstance(engine.ours, bool) and callable(engine.supports) and callable(engine.run)
    assert engine.ours == (name not in {"checkov", "trivy"})


def test_a_run_records_engines_that_do_not_judge_the_input_as_skipped(compliant_plan: Path) -> None:
    from citygate.inputs import load_plan

    plan = compliant_plan
    report = gate.run_gate(load_plan(plan), plan, ("rego", "schema", "reachability", "irsa"))
    assert {e.engine: e.status for e in report.engines} == {
        "rego": "ok",
        "schema": "skipped",
        "reachability": "skipped",
        "irsa": "skipped",
    }
