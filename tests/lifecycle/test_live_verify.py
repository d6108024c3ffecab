"""The live run as a whole: controls from the catalogue, waivers honoured, unreadable accounts fail closed."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_support import state

from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from citygate.live.checks import RULES
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.rules import LiveContext
from citygate.live.verify import controls_of, verify_account

BARE_BUCKET = ("aws_s3_bucket", "bare", {"bucket": "bare"})
WAIVER = """
waivers:
  - id: W-TEST
    control: CG-ENC-1
    resource: aws_s3_bucket.bare
    owner: platform-security
    reason: A bucket kept bare on purpose to prove that live findings can be waived.
    expires: 2999-12-31
"""


def bare_bucket_context(aws: AwsClients) -> LiveContext:
    aws("s3").create_bucket(Bucket="bare")
    return LiveContext(aws, DeployedResources(state(BARE_BUCKET)))


def test_every_live_rule_enforces_a_catalogue_control() -> None:
    catalogue = load_catalogue()
    unmapped = {rule for rule in RULES if not controls_of(rule, catalogue)}
    assert not unmapped, "map the live rule (or its static twin CG-X) in policies/controls/"


def test_a_violation_fails_with_its_control(aws: AwsClients) -> None:
    report = verify_account(bare_bucket_context(aws), "t", catalogue=load_catalogue(), rules=[RULES["CG-LIVE-S3-001"]])
    (finding,) = report.findings
    assert (finding.status, finding.controls, finding.engine) == ("fail", ["CG-ENC-1"], "live")
    assert report.exit_code == 1


def test_a_waived_violation_is_reported_but_does_not_fail(aws: AwsClients, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text(WAIVER)
    report = verify_account(
        bare_bucket_context(aws), "t", load_catalogue(), rules=[RULES["CG-LIVE-S3-001"]], waivers=waivers
    )
    (finding,) = report.findings
    assert finding.waived and finding.waiver == "W-TEST"
    assert report.exit_code == 0


def test_an_unreachable_account_fails_closed() -> None:
    ctx = LiveContext(AwsClients("us-east-1", "http://127.0.0.1:9"), DeployedResources(state(BARE_BUCKET)))
    with pytest.raises(CitygateError) as caught:
        verify_account(ctx, "t", rules=[RULES["CG-LIVE-S3-001"]])
    assert caught.value.where == "verify CG-LIVE-S3-001"


def test_an_empty_state_is_an_error() -> None:
    with pytest.raises(CitygateError, match="nothing is deployed"):
        DeployedResources({})
