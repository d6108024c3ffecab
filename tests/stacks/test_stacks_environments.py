"""Same controls everywhere; sizes, counts and safety nets differ per environment as configured."""

from __future__ import annotations

import json

import pytest
from stack_json import Stack, resource, resources

from citygate import environments
from citygate.controls import load_catalogue
from citygate.errors import CitygateError
from stacks.config import ENVIRONMENTS, S3Backend, environment

ENVS = list(ENVIRONMENTS)


def test_the_stacks_configure_exactly_the_environments_the_commands_know() -> None:
    assert tuple(ENVIRONMENTS) == environments.ENVIRONMENTS


@pytest.mark.parametrize("env", ENVS)
def test_counts_follow_the_environment(synthesized: dict[str, Stack], env: str) -> None:
    stack, cfg = synthesized[env], ENVIRONMENTS[env]
    assert len(resources(stack, "aws_nat_gateway")) == cfg.nat_gateways
    assert len(resources(stack, "aws_rds_cluster_instance")) == cfg.aurora_instances
    scaling = resource(stack, "aws_eks_node_group.nodes")["scaling_config"]
    assert (scaling["min_size"], scaling["desired_size"], scaling["max_size"]) == (
        cfg.node_min,
        cfg.node_desired,
        cfg.node_max,
    )
    assert len(resources(stack, "aws_eks_addon")) == len(cfg.eks_addons)
    assert resource(stack, "aws_kinesis_stream.iot_sensors")["shard_count"] == cfg.kinesis_shards


@pytest.mark.parametrize("env", ENVS)
def test_the_waf_rate_limit_lies_within_the_catalogue_bounds(env: str) -> None:
    bounds = load_catalogue().controls["CG-WAF-1"].parameters
    assert bounds["rate_limit_min"] <= ENVIRONMENTS[env].waf_rate_limit <= bounds["rate_limit_max"]


def test_sizes_grow_towards_prod(synthesized: dict[str, Stack]) -> None:
    instances = [len(resources(synthesized[env], "aws_rds_cluster_instance")) for env in ENVS]
    nodes = [resource(synthesized[env], "aws_eks_node_group.nodes")["scaling_config"]["max_size"] for env in ENVS]
    assert instances == sorted(instances) and instances[0] < instances[-1]
    assert nodes == sorted(nodes) and nodes[0] < nodes[-1]


@pytest.mark.parametrize("env", ENVS)
def test_deletion_protection_is_off_only_in_local(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    protected = env != "local"
    aurora = resource(stack, "aws_rds_cluster.aurora")
    assert aurora["deletion_protection"] is protected
    assert aurora["skip_final_snapshot"] is not protected
    assert resource(stack, "aws_dynamodb_table.feature_store")["deletion_protection_enabled"] is protected
    assert resource(stack, "aws_lb.alb")["enable_deletion_protection"] is protected
    assert all(b["force_destroy"] is not protected for b in resources(stack, "aws_s3_bucket").values())


@pytest.mark.parametrize("env", ENVS)
def test_backend_per_environment(synthesized: dict[str, Stack], env: str) -> None:
    backend = synthesized[env]["terraform"]["backend"]
    configured = ENVIRONMENTS[env].backend
    if isinstance(configured, S3Backend):
        assert backend == {
            "s3": {
                "bucket": configured.bucket,
                "key": configured.key,
                "region": configured.region,
                "dynamodb_table": configured.dynamodb_table,
                "encrypt": True,
            }
        }
    else:
        assert env == "local" and list(backend) == ["local"]


@pytest.mark.parametrize("env", ENVS)
def test_provider_is_pinned_and_knows_no_endpoint(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    assert stack["terraform"]["required_providers"] == {"aws": {"source": "hashicorp/aws", "version": "5.100.0"}}
    (provider,) = stack["provider"]["aws"]
    assert provider["region"] == ENVIRONMENTS[env].region
    assert set(provider) == {"region", "default_tags"}
    text = json.dumps(stack)
    for embedded in ("127.0.0.1", "localhost", '"endpoints"', "skip_credentials_validation", '"test"'):
        assert embedded not in text, embedded


def test_outputs_give_other_parts_what_they_need(synthesized: dict[str, Stack]) -> None:
    outputs = synthesized["local"]["output"]
    assert {"irsa_role_arns", "waf_acl_arn", "data_lake_buckets", "cluster_name", "ecr_repository_urls"} <= set(outputs)
    assert set(outputs["irsa_role_arns"]["value"]) == {
        "production/api",
        "production/web",
        "production/inference",
        "data-pipeline/pipeline",
        "data-pipeline/airflow",
        "kube-system/aws-load-balancer-controller",
        "kube-system/ebs-csi-controller-sa",
        "kube-system/efs-csi-controller-sa",
        "kube-system/fluent-bit",
        "amazon-cloudwatch/cloudwatch-agent",
    }


def test_unknown_environment_fails_closed() -> None:
    with pytest.raises(CitygateError, match="unknown environment 'qa'"):
        environment("qa")
