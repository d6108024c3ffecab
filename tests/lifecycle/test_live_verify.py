"""The live run as a whole: facts from the mirrored static rules, exceptions honoured, unreadable accounts fail closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_support import state

from citygate.controls import load_catalogue
from citygate.engines.policyset import load_policy_set
from citygate.errors import CitygateError
from citygate.live.checks import RULES
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.rules import LiveContext
from citygate.live.verify import verify_account

BARE_BUCKET = ("aws_s3_bucket", "bare", {"bucket": "bare"})
REGISTER = """
exceptions:
  - id: EX-TEST
    control: CG-ENC-1
    resource: aws_s3_bucket.bare
    owner: platform-security
    approver: security-architecture
    ticket: SEC-1
    created: 2026-01-01
    reason: A bucket kept bare on purpose to prove that live findings can be excepted.
    expires: 2999-12-31
"""


def bare_bucket_context(aws: AwsClients) -> LiveContext:
    aws("s3").create_bucket(Bucket="bare")
    return LiveContext(aws, DeployedResources(state(BARE_BUCKET)))


def test_a_violation_fails_with_the_facts_of_the_static_rule_it_mirrors(aws: AwsClients) -> None:
    report = verify_account(bare_bucket_context(aws), "t", catalogue=load_catalogue(), rules=[RULES["CG_LIVE_S3_001"]])
    (finding,) = report.findings
    static = load_policy_set().metadata["CG_S3_001"]
    assert (finding.status, finding.controls, finding.engine) == ("fail", ["CG-ENC-1"], "live")
    assert (finding.title, finding.severity, finding.fix) == (static.title, static.severity, static.fix)
    assert report.exit_code == 1


def test_an_excepted_violation_is_reported_but_does_not_fail(aws: AwsClients, tmp_path: Path) -> None:
    exceptions = tmp_path / "exceptions.yaml"
    exceptions.write_text(REGISTER)
    report = verify_account(
        bare_bucket_context(aws), "t", load_catalogue(), rules=[RULES["CG_LIVE_S3_001"]], exceptions=exceptions
    )
    (finding,) = report.findings
    assert (finding.resolution, finding.exception) == ("excepted", "EX-TEST")
    assert report.exit_code == 0


def test_an_unreachable_account_fails_closed() -> None:
    ctx = LiveContext(AwsClients("us-east-1", "http://127.0.0.1:9"), DeployedResources(state(BARE_BUCKET)))
    with pytest.raises(CitygateError) as caught:
        verify_account(ctx, "t", rules=[RULES["CG_LIVE_S3_001"]])
    assert caught.value.where == "verify CG_LIVE_S3_001"


def test_an_empty_state_is_an_error() -> None:
    with pytest.raises(CitygateError, match="nothing is deployed"):
        DeployedResources({})
