"""References are wired to the right things: keys, subnets, buckets, the OIDC provider."""

from __future__ import annotations

import json

import pytest
from stack_json import Stack, ref, resource, resources

from citygate.exceptions import load_register
from stacks.config import ENVIRONMENTS, SERVICE_ACCOUNTS
from stacks.data import DATA_LAKE_ZONES
from stacks.security import ROTATED_BY_OPERATOR

ENVS = list(ENVIRONMENTS)


def excepted_resources(control: str) -> set[str]:
    return {entry.resource for entry in load_register() if entry.control == control}


@pytest.mark.parametrize("env", ENVS)
def test_data_lake_buckets_use_the_data_lake_cmk(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    for zone in DATA_LAKE_ZONES:
        name = f"data_lake_{zone}"
        sse = resource(stack, f"aws_s3_bucket_server_side_encryption_configuration.{name}")
        assert sse["bucket"] == ref(f"aws_s3_bucket.{name}", "id")
        default = sse["rule"][0]["apply_server_side_encryption_by_default"]
        assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": ref("aws_kms_key.data_lake", "arn")}
        logging = resource(stack, f"aws_s3_bucket_logging.{name}")
        assert logging["target_bucket"] == ref("aws_s3_bucket.access_logs", "bucket")  # a name known at plan time


@pytest.mark.parametrize("env", ENVS)
def test_bucket_policies_deny_insecure_transport(synthesized: dict[str, Stack], env: str) -> None:
    for name, policy in resources(synthesized[env], "aws_s3_bucket_policy").items():
        statements = json.loads(policy["policy"])["Statement"]
        deny = [s for s in statements if s["Effect"] == "Deny"]
        assert deny, name
        assert deny[0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
        assert deny[0]["Principal"] == "*"


@pytest.mark.parametrize("env", ENVS)
def test_every_kms_key_rotates_and_has_a_policy(synthesized: dict[str, Stack], env: str) -> None:
    keys = resources(synthesized[env], "aws_kms_key")
    assert len(keys) == 11
    for name, key in keys.items():
        assert key["enable_key_rotation"] is True, name
        assert json.loads(key["policy"])["Statement"], name


@pytest.mark.parametrize("env", ENVS)
def test_log_groups_are_encrypted_and_retained(synthesized: dict[str, Stack], env: str) -> None:
    groups = resources(synthesized[env], "aws_cloudwatch_log_group")
    assert {"vpc_flow_logs", "eks", "edge", "cloudtrail", "containers"} <= set(groups)
    for name, group in groups.items():
        assert group["kms_key_id"] == ref("aws_kms_key.logs", "arn"), name
        assert group["retention_in_days"] >= 365, name


@pytest.mark.parametrize("env", ENVS)
def test_eks_is_private_encrypted_and_logged(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    eks = resource(stack, "aws_eks_cluster.eks")
    assert eks["vpc_config"]["endpoint_public_access"] is False
    assert eks["vpc_config"]["endpoint_private_access"] is True
    assert eks["encryption_config"] == {
        "resources": ["secrets"],
        "provider": {"key_arn": ref("aws_kms_key.eks_secrets", "arn")},
    }
    assert set(eks["enabled_cluster_log_types"]) == {"api", "audit", "authenticator", "controllerManager", "scheduler"}
    private = [ref(f"aws_subnet.private_{i}", "id") for i in (0, 1)]
    assert eks["vpc_config"]["subnet_ids"] == private
    assert resource(stack, "aws_eks_node_group.nodes")["subnet_ids"] == private


@pytest.mark.parametrize("env", ENVS)
def test_node_launch_template_encrypts_and_requires_imdsv2(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    template = resource(stack, "aws_launch_template.nodes")
    ebs = template["block_device_mappings"][0]["ebs"]
    assert (ebs["volume_type"], ebs["encrypted"], ebs["kms_key_id"]) == ("gp3", "true", ref("aws_kms_key.ebs", "arn"))
    assert template["metadata_options"]["http_tokens"] == "required"
    assert template["metadata_options"]["http_put_response_hop_limit"] == 1
    group = resource(stack, "aws_eks_node_group.nodes")
    assert group["launch_template"]["id"] == ref("aws_launch_template.nodes", "id")


@pytest.mark.parametrize("env", ENVS)
def test_irsa_trust_pins_aud_and_one_service_account(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    roles = resources(stack, "aws_iam_role")
    host = "${local.eks_oidc_issuer_host}"
    assert stack["locals"]["eks_oidc_issuer_host"].startswith(
        "${replace(aws_eks_cluster.eks.identity[0].oidc[0].issuer"
    )
    for namespace, name in SERVICE_ACCOUNTS:
        trust = json.loads(roles[f"irsa_{namespace}_{name}".replace("-", "_")]["assume_role_policy"])
        (statement,) = trust["Statement"]
        assert statement["Principal"] == {"Federated": ref("aws_iam_openid_connect_provider.eks", "arn")}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        assert statement["Condition"] == {
            "StringEquals": {
                f"{host}:aud": "sts.amazonaws.com",
                f"{host}:sub": f"system:serviceaccount:{namespace}:{name}",
            }
        }


@pytest.mark.parametrize("env", ENVS)
def test_inference_reads_only_the_model_prefixes_and_the_feature_table(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    policy = json.loads(resource(stack, "aws_iam_role_policy.irsa_production_inference")["policy"])
    s3_resources = {r for s in policy["Statement"] for a in s["Action"] if a.startswith("s3:") for r in s["Resource"]}
    models = f"arn:aws:s3:::citygate-{env}-data-lake-models"
    assert s3_resources == {models, f"{models}/models/*", f"{models}/registry/*"}  # committed model, registry
    dynamodb = [s for s in policy["Statement"] if any(a.startswith("dynamodb:") for a in s["Action"])]
    assert [s["Resource"] for s in dynamodb] == [[ref("aws_dynamodb_table.feature_store", "arn")]]
    assert all(not a.endswith(("Put", "PutItem", "PutObject")) for s in policy["Statement"] for a in s["Action"])


@pytest.mark.parametrize("env", ENVS)
def test_no_policy_grants_admin_or_passrole_on_everything(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    documents = [p["policy"] for p in resources(stack, "aws_iam_role_policy").values()]
    assert documents
    for document in documents:
        for statement in json.loads(document)["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            assert "*" not in actions and "*:*" not in actions
            if "*" in statement["Resource"]:  # only reads (or resource-less generators) may be unscoped
                assert all(a.split(":")[1].startswith(("Describe", "List", "Get")) for a in actions), statement
            assert "iam:PassRole" not in actions


@pytest.mark.parametrize("env", ENVS)
def test_only_the_alb_accepts_the_internet_and_only_on_80_443(synthesized: dict[str, Stack], env: str) -> None:
    rules = resources(synthesized[env], "aws_security_group_rule")
    open_rules = {n: r for n, r in rules.items() if r["type"] == "ingress" and "0.0.0.0/0" in r.get("cidr_blocks", [])}
    assert set(open_rules) == {"alb_in_443", "alb_in_80"}
    assert {(r["from_port"], r["to_port"]) for r in open_rules.values()} == {(443, 443), (80, 80)}
    assert resource(synthesized[env], "aws_default_security_group.main").keys() <= {"//", "vpc_id", "tags"}


@pytest.mark.parametrize("env", ENVS)
def test_data_tier_is_isolated(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    routes = resources(stack, "aws_route")
    data_table = ref("aws_route_table.data", "id")
    assert not [r for r in routes.values() if r["route_table_id"] == data_table]
    acl = resource(stack, "aws_network_acl.data")
    assert {rule["cidr_block"] for rule in acl["ingress"]} == {"10.0.10.0/24", "10.0.11.0/24"}
    assert all(rule["cidr_block"] != "0.0.0.0/0" for rule in acl["egress"])


@pytest.mark.parametrize("env", ENVS)
def test_edge_is_https_only_behind_the_waf(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    alb = resource(stack, "aws_lb.alb")
    assert alb["drop_invalid_header_fields"] is True
    assert alb["access_logs"]["enabled"] is True
    https = resource(stack, "aws_lb_listener.https")
    assert https["protocol"] == "HTTPS" and https["ssl_policy"].startswith("ELBSecurityPolicy-TLS13")
    (redirect,) = resource(stack, "aws_lb_listener.http_redirect")["default_action"]
    assert redirect["type"] == "redirect" and redirect["redirect"]["protocol"] == "HTTPS"
    association = resource(stack, "aws_wafv2_web_acl_association.alb")
    assert association == {
        **association,
        "resource_arn": ref("aws_lb.alb", "arn"),
        "web_acl_arn": ref("aws_wafv2_web_acl.edge", "arn"),
    }
    acl = resource(stack, "aws_wafv2_web_acl.edge")
    statements = [rule["statement"] for rule in acl["rule"]]
    managed = {s["managed_rule_group_statement"]["name"] for s in statements if "managed_rule_group_statement" in s}
    assert "AWSManagedRulesCommonRuleSet" in managed
    assert any("rate_based_statement" in s for s in statements)


@pytest.mark.parametrize("env", ENVS)
def test_audit_trail_and_detectors(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    trail = resource(stack, "aws_cloudtrail.cloudtrail")
    assert trail["is_multi_region_trail"] and trail["enable_log_file_validation"]
    assert trail["kms_key_id"] == ref("aws_kms_key.audit", "arn")
    assert trail["s3_bucket_name"] == ref("aws_s3_bucket.audit", "id")
    feature = resource(stack, "aws_guardduty_detector_feature.eks_audit_logs")
    assert (feature["name"], feature["status"]) == ("EKS_AUDIT_LOGS", "ENABLED")
    assert resource(stack, "aws_config_configuration_recorder_status.config")["is_enabled"] is True
    assert resource(stack, "aws_ebs_encryption_by_default.account")["enabled"] is True


@pytest.mark.parametrize("env", ENVS)
def test_stores_are_encrypted_with_their_domain_keys(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    table = resource(stack, "aws_dynamodb_table.feature_store")
    assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": ref("aws_kms_key.feature_store", "arn")}
    assert table["point_in_time_recovery"] == {"enabled": True}
    stream = resource(stack, "aws_kinesis_stream.iot_sensors")
    assert (stream["encryption_type"], stream["kms_key_id"]) == ("KMS", ref("aws_kms_key.streaming", "arn"))
    aurora = resource(stack, "aws_rds_cluster.aurora")
    assert aurora["storage_encrypted"] and aurora["iam_database_authentication_enabled"]
    assert aurora["kms_key_id"] == ref("aws_kms_key.database", "arn")
    assert aurora["db_subnet_group_name"] == ref("aws_db_subnet_group.aurora", "name")
    subnets = resource(stack, "aws_db_subnet_group.aurora")["subnet_ids"]
    assert subnets == [ref(f"aws_subnet.data_{i}", "id") for i in (0, 1)]
    for instance in resources(stack, "aws_rds_cluster_instance").values():
        assert instance["publicly_accessible"] is False
    for name, repo in resources(stack, "aws_ecr_repository").items():
        assert repo["image_tag_mutability"] == "IMMUTABLE", name
        assert repo["image_scanning_configuration"] == {"scan_on_push": True}
        assert repo["encryption_configuration"] == [
            {"encryption_type": "KMS", "kms_key": ref("aws_kms_key.registry", "arn")}
        ]
    rotations = resources(stack, "aws_secretsmanager_secret_rotation")
    for name, secret in resources(stack, "aws_secretsmanager_secret").items():
        assert secret["kms_key_id"] == ref("aws_kms_key.secrets", "arn"), name
        if name in ROTATED_BY_OPERATOR:  # excepted from CG-IAM-5 in the register (EX-016), never silently
            assert name not in rotations and f"aws_secretsmanager_secret.{name}" in excepted_resources("CG-IAM-5")
            continue
        assert rotations[name]["secret_id"] == ref(f"aws_secretsmanager_secret.{name}", "id")


@pytest.mark.parametrize("env", ENVS)
def test_secret_rotation_function_is_private_and_scoped(synthesized: dict[str, Stack], env: str) -> None:
    stack = synthesized[env]
    function = resource(stack, "aws_lambda_function.secret_rotation")
    assert function["vpc_config"]["subnet_ids"] == [ref(f"aws_subnet.private_{i}", "id") for i in (0, 1)]
    assert function["filename"].startswith("assets/") and function["source_code_hash"]
    permission = resource(stack, "aws_lambda_permission.secret_rotation")
    assert permission["principal"] == "secretsmanager.amazonaws.com"
    assert permission["source_arn"].endswith(f":secret:citygate-{env}/*")
    for name in resources(stack, "aws_secretsmanager_secret_rotation"):
        rotation = resource(stack, f"aws_secretsmanager_secret_rotation.{name}")
        assert rotation["rotation_lambda_arn"] == ref("aws_lambda_function.secret_rotation", "arn")
