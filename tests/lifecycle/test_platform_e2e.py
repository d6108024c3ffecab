"""The whole platform on the embedded AWS: plan -> apply -> verify -> weaken -> verify -> destroy."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from citygate.embedded_aws import EMBEDDED_OVERRIDE
from citygate.live.clients import AwsClients
from citygate.live.deployed import DeployedResources
from citygate.live.verify import verify_deployment
from citygate.reporters.text import render_text

if TYPE_CHECKING:
    from conftest import AppliedAccount  # the root conftest's session fixture

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("env", ["local", "prod"])
def test_every_environment_plans_offline_against_the_embedded_aws(env: str, plan_for: Callable[[str], Path]) -> None:
    plan_json = plan_for(env)
    plan = json.loads(plan_json.read_text())
    creates = [c for c in plan["resource_changes"] if c["change"]["actions"] == ["create"]]
    assert len(creates) > 50
    assert (plan_json.parent / EMBEDDED_OVERRIDE).is_file()


def test_the_synthesized_stack_never_names_the_embedded_aws(synth_out: dict[str, Path]) -> None:
    for path in synth_out.values():
        text = path.read_text()
        assert "127.0.0.1" not in text and "localhost" not in text and '"test"' not in text


def test_the_platform_deploys_verifies_clean_and_a_weakened_bucket_fails(
    applied_for: Callable[[str], AppliedAccount],
) -> None:
    deployment, state = applied_for("local")
    deployed = DeployedResources(state)
    buckets = {str(b.get("bucket")) for b in deployed.of_type("aws_s3_bucket")}
    s3 = AwsClients(deployment.region, deployment.endpoint)("s3")
    try:
        report = verify_deployment(deployment)
        assert report.exit_code == 0, render_text(report)

        weakened_bucket = next(b for b in deployed.of_type("aws_s3_bucket") if b.address.endswith(".data_lake_raw"))
        s3.delete_bucket_encryption(Bucket=weakened_bucket.get("bucket"))
        weakened = verify_deployment(deployment)
        assert weakened.exit_code == 1
        assert [(f.id, f.resource) for f in weakened.failing()] == [("CG_LIVE_S3_001", weakened_bucket.address)]
    finally:
        destroyed = deployment.destroy()
    assert destroyed == len(deployed) - 1  # the encryption configuration was already removed out of band
    assert buckets.isdisjoint(b["Name"] for b in s3.list_buckets()["Buckets"])
