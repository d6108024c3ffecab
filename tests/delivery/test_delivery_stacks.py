"""What the delivery path needs from the stacks: remote state, CI roles pinned to this repository, the deployer.

The bootstrap stack is synthesized here (the session's `synth_out` holds the environments only); the in-VPC
deployer is read from the environments' stacks.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import stacks
from citygate.controls import load_catalogue
from stacks.bootstrap import GITHUB_ISSUER, PROMOTED_FROM
from stacks.config import CI_GITHUB_ENVIRONMENTS, CI_PURPOSES, ENVIRONMENTS, GITHUB_REPOSITORY, S3Backend

Stack = dict[str, Any]
REMOTE = list(CI_GITHUB_ENVIRONMENTS)


def of_type(stack: Stack, rtype: str) -> dict[str, dict[str, Any]]:
    return dict(stack.get("resource", {}).get(rtype, {}))


@pytest.fixture(scope="module")
def bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Stack:
    path = stacks.synthesize(["bootstrap"], tmp_path_factory.mktemp("bootstrap"))["bootstrap"]
    stack: Stack = json.loads(path.read_text())
    return stack


@pytest.fixture(scope="module")
def platform(synth_out: dict[str, Path]) -> dict[str, Stack]:
    return {env: json.loads(path.read_text()) for env, path in synth_out.items()}


def test_the_ci_roles_trust_one_github_environment_of_this_repository(bootstrap: Stack) -> None:
    roles = of_type(bootstrap, "aws_iam_role")
    provider = of_type(bootstrap, "aws_iam_openid_connect_provider")["github"]
    assert provider["url"] == f"https://{GITHUB_ISSUER}" and provider["client_id_list"] == ["sts.amazonaws.com"]
    for env in REMOTE:
        for purpose in CI_PURPOSES:
            role = roles[f"ci_{env}_{purpose}"]
            assert role["name"] == f"citygate-ci-{env}-{purpose}"
            (statement,) = json.loads(role["assume_role_policy"])["Statement"]
            assert statement["Principal"] == {"Federated": "${aws_iam_openid_connect_provider.github.arn}"}
            github_env = CI_GITHUB_ENVIRONMENTS[env][purpose]
            assert statement["Condition"] == {
                "StringEquals": {
                    f"{GITHUB_ISSUER}:aud": "sts.amazonaws.com",
                    f"{GITHUB_ISSUER}:sub": f"repo:{GITHUB_REPOSITORY}:environment:{github_env}",
                }
            }


def test_the_control_judges_the_repository_the_stacks_trust() -> None:
    (control,) = [c for c in load_catalogue() if c.id == "CG-IAM-8"]
    assert control.parameters["repository"] == GITHUB_REPOSITORY


def test_each_environment_has_its_encrypted_state_and_lock(bootstrap: Stack) -> None:
    buckets = of_type(bootstrap, "aws_s3_bucket")
    encryption = of_type(bootstrap, "aws_s3_bucket_server_side_encryption_configuration")
    logging = of_type(bootstrap, "aws_s3_bucket_logging")
    tables = of_type(bootstrap, "aws_dynamodb_table")
    for env in REMOTE:
        backend = stacks.config.environment(env).backend
        assert isinstance(backend, S3Backend)
        name = backend.bucket.removeprefix("citygate-").replace("-", "_")
        assert buckets[name]["bucket"] == backend.bucket
        (rule,) = encryption[name]["rule"]
        default = rule["apply_server_side_encryption_by_default"]
        assert default == {"sse_algorithm": "aws:kms", "kms_master_key_id": "${aws_kms_key.tfstate.arn}"}
        assert logging[name]["target_bucket"] == "${aws_s3_bucket.access_logs.bucket}"
        table = tables[backend.dynamodb_table.removeprefix("citygate-").replace("-", "_")]
        assert table["name"] == backend.dynamodb_table and table["hash_key"] == "LockID"
        assert table["server_side_encryption"] == {"enabled": True, "kms_key_arn": "${aws_kms_key.tfstate.arn}"}
        assert table["point_in_time_recovery"] == {"enabled": True}


def statements(stack: Stack, group: str) -> dict[str, dict[str, Any]]:
    policy = of_type(stack, "aws_iam_role_policy")[group]["policy"]
    return {s["Sid"]: s for s in json.loads(policy)["Statement"]}


def test_ci_roles_do_only_their_purpose(bootstrap: Stack) -> None:
    attachments = of_type(bootstrap, "aws_iam_role_policy_attachment")
    for env in REMOTE:
        push = statements(bootstrap, f"ci_{env}_push")
        assert push["PushEnvironmentImages"]["Resource"].endswith(f":repository/citygate/{env}/*")
        source = PROMOTED_FROM.get(env)
        pulls = push.get("PullPromotedImages", {}).get("Resource", "")
        if source:  # in the source's account, whose repository policy lets this role in (stacks/registry.py)
            origin = ENVIRONMENTS[source]
            assert pulls == f"arn:aws:ecr:{origin.region}:{origin.account_id}:repository/citygate/{source}/*"
        else:
            assert not pulls
        assert "s3:PutObject" not in statements(bootstrap, f"ci_{env}_plan")["TerraformState"]["Action"]
        assert "s3:PutObject" in statements(bootstrap, f"ci_{env}_apply")["TerraformState"]["Action"]
        deploy = statements(bootstrap, f"ci_{env}_deploy")
        assert deploy["RunDeployer"]["Resource"].endswith(f":project/citygate-{env}-deployer")
        assert {a for s in deploy.values() for a in s["Action"]} == {
            "eks:DescribeCluster",
            "codebuild:StartBuild",
            "codebuild:BatchGetBuilds",
            "logs:GetLogEvents",
        }
        readers = {name for name, a in attachments.items() if a["policy_arn"].endswith("/ReadOnlyAccess")}
        assert {f"ci_{env}_plan", f"ci_{env}_apply"} <= readers
        assert not {f"ci_{env}_push", f"ci_{env}_deploy"} & readers
    for group in of_type(bootstrap, "aws_iam_role_policy"):
        for statement in statements(bootstrap, group).values():
            assert "iam:PassRole" not in statement["Action"] or statement["Resource"] != "*"
            assert not ({"*", "*:*"} & set(statement["Action"]))


@pytest.mark.parametrize("env", list(ENVIRONMENTS))
def test_only_the_in_vpc_deployer_reaches_the_cluster(platform: dict[str, Stack], env: str) -> None:
    stack = platform[env]
    entries = of_type(stack, "aws_eks_access_entry")
    if not stacks.config.environment(env).in_vpc_deployer:  # the embedded AWS has no access-entry API
        assert not entries and not of_type(stack, "aws_codebuild_project")
        return
    assert entries["deployer"]["principal_arn"] == "${aws_iam_role.deployer.arn}"
    cluster = of_type(stack, "aws_eks_cluster")["eks"]
    assert cluster["access_config"] == {"authentication_mode": "API_AND_CONFIG_MAP"}
    assert cluster["vpc_config"]["endpoint_public_access"] is False
    project = of_type(stack, "aws_codebuild_project")["deployer"]
    assert project["vpc_config"]["subnets"] == cluster["vpc_config"]["subnet_ids"]  # the private tier
    assert project["environment"]["privileged_mode"] is False
    assert project["logs_config"]["cloudwatch_logs"]["status"] == "ENABLED"
    assert "main.py deploy" in project["source"]["buildspec"]
    trust = json.loads(of_type(stack, "aws_iam_role")["deployer"]["assume_role_policy"])["Statement"][0]
    assert trust["Principal"] == {"Service": ["codebuild.amazonaws.com"]}
    assert trust["Condition"]["StringEquals"]["aws:SourceArn"].endswith(f":project/citygate-{env}-deployer")
    rules = of_type(stack, "aws_security_group_rule")
    deployer_rules = {name: r for name, r in rules.items() if name.startswith("deployer_")}
    assert [(r["type"], r["from_port"], r["to_port"]) for r in deployer_rules.values()] == [("egress", 443, 443)]
