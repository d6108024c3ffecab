"""Every component of the platform is present, under its stable address, in every environment."""

from __future__ import annotations

import re

import pytest
from stack_json import Stack, resource, resources

from stacks.audit import CONFIG_RULES
from stacks.config import ENVIRONMENTS, IMAGES, SERVICE_ACCOUNTS
from stacks.data import DATA_LAKE_ZONES

ADDRESSES = [
    # network
    "aws_vpc.main",
    "aws_internet_gateway.main",
    "aws_default_security_group.main",
    *(f"aws_subnet.{tier}_{i}" for tier in ("public", "private", "data") for i in (0, 1)),
    "aws_route_table.public",
    "aws_route_table.data",
    "aws_route_table.private_0",
    "aws_route_table.private_1",
    "aws_network_acl.public",
    "aws_network_acl.private",
    "aws_network_acl.data",
    "aws_flow_log.vpc_flow_logs",
    "aws_cloudwatch_log_group.vpc_flow_logs",
    *(f"aws_vpc_endpoint.{name}" for name in ("s3", "dynamodb", "ecr_api", "ecr_dkr", "sts", "secretsmanager")),
    # security and audit
    *(
        f"aws_kms_key.{domain}"
        for domain in (
            "data_lake",
            "database",
            "feature_store",
            "streaming",
            "eks_secrets",
            "registry",
            "secrets",
            "logs",
            "audit",
            "ebs",
        )
    ),
    "aws_cloudtrail.cloudtrail",
    "aws_guardduty_detector.main",
    "aws_guardduty_detector_feature.eks_audit_logs",
    "aws_config_configuration_recorder.config",
    "aws_config_delivery_channel.config",
    "aws_config_configuration_recorder_status.config",
    "aws_ebs_encryption_by_default.account",
    "aws_ebs_default_kms_key.account",
    "aws_secretsmanager_secret.inference_api_key",
    "aws_secretsmanager_secret.web_session_key",
    "aws_secretsmanager_secret_rotation.inference_api_key",
    "aws_lambda_function.secret_rotation",
    "aws_lambda_permission.secret_rotation",
    "aws_ssm_parameter.param_cluster_name",
    "aws_wafv2_web_acl.edge",
    "aws_wafv2_web_acl_logging_configuration.edge",
    "aws_cloudwatch_log_group.edge",
    # cluster
    "aws_eks_cluster.eks",
    "aws_iam_openid_connect_provider.eks",
    "aws_cloudwatch_log_group.eks",
    "aws_launch_template.nodes",
    "aws_eks_node_group.nodes",
    # data
    *(f"aws_s3_bucket.data_lake_{zone}" for zone in DATA_LAKE_ZONES),
    "aws_s3_bucket.audit",
    "aws_s3_bucket.access_logs",
    "aws_rds_cluster.aurora",
    "aws_rds_cluster_instance.aurora_0",
    "aws_dynamodb_table.feature_store",
    "aws_kinesis_stream.iot_sensors",
    # registry
    *(f"aws_ecr_repository.ecr_{image}" for image in IMAGES),
    *(f"aws_ecr_lifecycle_policy.ecr_{image}" for image in IMAGES),
    # edge
    "aws_lb.alb",
    "aws_lb_listener.https",
    "aws_lb_listener.http_redirect",
    "aws_wafv2_web_acl_association.alb",
]

BUCKET_CONTROLS = (
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_lifecycle_configuration",
)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_component_is_present(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    for address in ADDRESSES:
        resource(stack, address)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_bucket_carries_every_bucket_control(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    buckets = set(resources(stack, "aws_s3_bucket"))
    assert len(buckets) == len(DATA_LAKE_ZONES) + 2
    for control in BUCKET_CONTROLS:
        assert set(resources(stack, control)) == buckets, control
    # Every bucket but the access-log target itself sends its access logs there.
    assert set(resources(stack, "aws_s3_bucket_logging")) == buckets - {"access_logs"}


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_service_account_has_one_irsa_role(synthesized: dict[str, Stack], env: str) -> None:
    roles = resources(synthesized[env], "aws_iam_role")
    for namespace, name in SERVICE_ACCOUNTS:
        logical_id = f"irsa_{namespace}_{name}".replace("-", "_")
        assert logical_id in roles, logical_id


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_config_rules_mirror_the_controls(synthesized: dict[str, Stack], env: str) -> None:
    rules = resources(synthesized[env], "aws_config_config_rule")
    identifiers = {rule["source"]["source_identifier"] for rule in rules.values()}
    assert identifiers == set(CONFIG_RULES.values())
    assert all(rule["depends_on"] for rule in rules.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_logical_ids_are_readable(synthesized: dict[str, Stack], env: str) -> None:
    """No CDKTF hash suffix (`_1A2B3C4D`) anywhere: addresses are what policies and reviewers use."""
    stack = synthesized[env]
    hashed = re.compile(r"_[0-9A-F]{8}$")
    names = [name for block in ("resource", "data") for typed in stack[block].values() for name in typed]
    names += list(stack["output"])
    assert names
    assert not [name for name in names if hashed.search(name)]
