"""A gate report with every kind of outcome, shared by the reporter tests."""

from __future__ import annotations

import pytest

from citygate.findings import EngineRun, Finding, GateReport, Severity


def finding(**overrides: object) -> Finding:
    base: dict[str, object] = {
        "id": "CG_S3_001",
        "title": "S3 bucket encrypted with a customer-managed key",
        "severity": Severity.HIGH,
        "status": "fail",
        "resource": "aws_s3_bucket.raw",
        "message": "bucket has no SSE-KMS default encryption",
        "engine": "rego",
        "controls": ["CG-ENC-1"],
        "file": "tests/gate/engines_external/data/plan.json",
        "fix": "Add aws_s3_bucket_server_side_encryption_configuration with sse_algorithm aws:kms.",
    }
    base.update(overrides)
    return Finding(**base)  # type: ignore[arg-type]


@pytest.fixture
def mixed_report() -> GateReport:
    """Failing, below-threshold, warning, excepted, dismissed and unmapped findings from three engines."""
    return GateReport(
        target="plan.json",
        kind="terraform",
        resources=16,
        fail_on=Severity.MEDIUM,
        seconds=4.2,
        engines=[
            EngineRun("rego", 0.03, 2),
            EngineRun("checkov", 4.1, 2),
            EngineRun("trivy", 1.2, 1),
        ],
        findings=[
            finding(),
            finding(id="CKV_AWS_145", engine="checkov", message="S3 bucket | not KMS encrypted", fix=""),
            finding(id="AWS-0089", engine="trivy", severity=Severity.LOW, controls=[], title="S3 Bucket Logging"),
            finding(id="CG_DDB_002", resource="aws_dynamodb_table.events", controls=["CG-DP-3"], status="warn"),
            finding(
                id="CKV_AWS_18",
                engine="checkov",
                controls=[],
                severity=Severity.MEDIUM,
                resource="aws_s3_bucket.logs",
                resolution="excepted",
                exception="EX-001",
                reason="EX-001: the access-log bucket cannot log to itself",
            ),
            finding(
                id="AWS-0132",
                engine="trivy",
                resolution="dismissed",
                reason="CG_S3_001: kms_master_key_id → aws_kms_key.data",
            ),
        ],
    )


@pytest.fixture
def clean_report() -> GateReport:
    return GateReport(
        target="plan.json",
        kind="terraform",
        resources=3,
        engines=[EngineRun("rego", 0.01, 0), EngineRun("checkov", 4.0, 0)],
        findings=[],
    )
