"""The lifecycle commands end to end on a small stack: gate refusal, kept server, verify, destroy."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3
import pytest

from citygate import account, deployment
from citygate.cli import main
from citygate.commands import lifecycle as commands
from citygate.findings import Finding, GateReport, Severity
from citygate.moto_server import KeptServer

FIXTURE = Path(__file__).parent / "fixtures" / "minimal" / "cdk.tf.json"
BUCKET = "citygate-minimal-raw"

pytestmark = pytest.mark.e2e


def gate_with(*findings: Finding) -> object:
    def judge(plan: Path, env: str) -> GateReport:
        assert json.loads(plan.read_text())["resource_changes"]
        return GateReport(target=str(plan), kind="terraform", findings=list(findings))

    return judge


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Commands work in a private .work/ and deploy the small fixture stack instead of a synth."""
    monkeypatch.setattr(account, "WORK", tmp_path)
    monkeypatch.setattr(commands, "stack_file", lambda env, no_synth: FIXTURE)
    return tmp_path


def test_apply_is_refused_when_the_gate_finds_violations(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    violation = Finding("CG_S3_001", "S3 encrypted", Severity.HIGH, "fail", "aws_s3_bucket.x", "no CMK", "rego")
    monkeypatch.setattr(commands, "gate", gate_with(violation))
    assert main(["apply", "--env", "local", "--keep-running"]) == 1
    assert "apply refused" in capsys.readouterr().out
    assert not (work / "local" / deployment.STATE_FILE).exists()
    assert not (work / "local" / account.MOTO_RECORD).exists()  # nothing deployed, nothing kept


def test_apply_fails_closed_without_the_gate(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "citygate.gate", None)  # makes `import citygate.gate` raise ImportError
    assert main(["apply", "--env", "local"]) == 2


def test_verify_without_a_running_deployment_is_an_error(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "--env", "local"]) == 2
    assert "run apply first" in capsys.readouterr().err


def test_apply_keep_running_then_verify_then_destroy(
    work: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(commands, "gate", gate_with())
    record = work / "local" / account.MOTO_RECORD
    try:
        assert main(["apply", "--env", "local", "--keep-running"]) == 0
        kept = KeptServer.find(record)
        assert kept is not None

        def bucket_results() -> dict[str, str]:
            capsys.readouterr()
            main(["verify", "--env", "local", "--format", "json"])
            report = json.loads(capsys.readouterr().out)
            assert report["summary"]["resources"] == 6
            return {f["id"]: f["status"] for f in report["findings"] if f["resource"] == "aws_s3_bucket.data_lake_raw"}

        assert set(bucket_results().values()) == {"pass"}
        s3 = boto3.client(
            "s3", endpoint_url=kept.endpoint, region_name="eu-west-1", aws_access_key_id="t", aws_secret_access_key="t"
        )
        s3.delete_bucket_encryption(Bucket=BUCKET)
        s3.delete_public_access_block(Bucket=BUCKET)
        weakened = bucket_results()
        assert weakened["CG_LIVE_S3_001"] == weakened["CG_LIVE_S3_002"] == "fail"
        assert main(["verify", "--env", "local"]) == 1

        capsys.readouterr()
        assert main(["destroy", "--env", "local"]) == 0
        # six deployed, two of them (encryption, public access block) already removed out of band
        assert "destroyed 4 resources" in capsys.readouterr().out
        assert KeptServer.find(record) is None
        assert json.loads((work / "local" / deployment.STATE_FILE).read_text())["resources"] == []
    finally:
        account.stop_kept_server("local")
