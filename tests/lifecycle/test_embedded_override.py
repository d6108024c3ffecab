"""The override that points a synthesized stack at the embedded AWS, and the mode decision."""

from __future__ import annotations

from pathlib import Path

import pytest

from citygate.embedded_aws import (
    ALWAYS_ENDPOINTS,
    embedded_override,
    real_credentials_present,
    service_of,
    uses_embedded,
)
from citygate.stack_json import read_stack, stack_region

FIXTURE = Path(__file__).parent / "fixtures" / "minimal" / "cdk.tf.json"
ENDPOINT = "http://127.0.0.1:4566"


def test_every_service_the_stack_uses_points_at_the_embedded_aws(tmp_path: Path) -> None:
    override = embedded_override(read_stack(FIXTURE), ENDPOINT, tmp_path / "terraform.tfstate")
    (provider,) = override["provider"]["aws"]
    (endpoints,) = provider["endpoints"]
    assert set(endpoints) == {"s3", "kms", *ALWAYS_ENDPOINTS}
    assert set(endpoints.values()) == {ENDPOINT}


def test_override_sets_test_credentials_and_moto_flags(tmp_path: Path) -> None:
    (provider,) = embedded_override(read_stack(FIXTURE), ENDPOINT, tmp_path / "s")["provider"]["aws"]
    assert provider["access_key"] == provider["secret_key"] == "test"
    for flag in (
        "skip_credentials_validation",
        "skip_requesting_account_id",
        "skip_metadata_api_check",
        "s3_use_path_style",
    ):
        assert provider[flag] is True
    assert "region" not in provider  # the stack's own region stays
    assert provider["max_retries"] == 2  # a 500 from the embedded AWS is a defect: fail fast, never retry for minutes


def test_override_replaces_the_backend_with_local_state(tmp_path: Path) -> None:
    stack = {"terraform": {"backend": {"s3": {"bucket": "real-state"}}}, "resource": {}}
    override = embedded_override(stack, ENDPOINT, tmp_path / "terraform.tfstate")
    assert override["terraform"]["backend"] == {"local": {"path": str(tmp_path / "terraform.tfstate")}}


def test_every_aliased_provider_is_overridden(tmp_path: Path) -> None:
    stack = {"provider": {"aws": [{"region": "eu-west-1"}, {"alias": "global", "region": "us-east-1"}]}}
    providers = embedded_override(stack, ENDPOINT, tmp_path / "s")["provider"]["aws"]
    assert [p.get("alias") for p in providers] == [None, "global"]
    assert all(p["endpoints"][0]["sts"] == ENDPOINT for p in providers)


def test_a_stack_without_region_gets_a_default(tmp_path: Path) -> None:
    (provider,) = embedded_override({"resource": {}}, ENDPOINT, tmp_path / "s")["provider"]["aws"]
    assert provider["region"] == "us-east-1"
    assert stack_region(read_stack(FIXTURE)) == "eu-west-1"


@pytest.mark.parametrize(
    ("resource_type", "service"),
    [
        ("aws_cloudwatch_log_group", "logs"),
        ("aws_cloudwatch_metric_alarm", "cloudwatch"),
        ("aws_kinesis_firehose_delivery_stream", "firehose"),
        ("aws_kinesis_stream", "kinesis"),
        ("aws_route_table_association", "ec2"),
        ("aws_config_configuration_recorder", "configservice"),
        ("aws_lb_listener", "elbv2"),
        ("aws_unheard_of_service", None),
    ],
)
def test_resource_types_map_to_their_service(resource_type: str, service: str | None) -> None:
    assert service_of(resource_type) == service


def test_real_aws_only_with_credentials_and_never_for_local() -> None:
    real = {"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/run/token"}
    assert real_credentials_present(real)
    assert not real_credentials_present({})
    assert not uses_embedded("prod", embedded=False, environ=real)
    assert uses_embedded("prod", embedded=True, environ=real)
    assert uses_embedded("prod", embedded=False, environ={})
    assert uses_embedded("local", embedded=False, environ=real)
