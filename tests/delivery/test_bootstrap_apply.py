"""The bootstrap stack applied to an embedded AWS of its own, then read back through the AWS API.

Its own server, not the session's: bootstrap is applied once per account, and the catalogue cases may create a
GitHub OIDC provider of their own in the session's account. What an administrator relies on after the apply:
the GitHub provider, twelve CI roles each trusting one GitHub environment of this repository, and the state
buckets and lock tables of every remote environment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import stacks
from citygate.deployment import Deployment
from citygate.live.clients import AwsClients
from citygate.moto_server import MotoServer
from stacks.bootstrap import GITHUB_ISSUER, STS_AUDIENCE
from stacks.config import (
    CI_GITHUB_ENVIRONMENTS,
    CI_PURPOSES,
    ENVIRONMENTS,
    GITHUB_REPOSITORY,
    S3Backend,
    ci_role_name,
    environment,
)
from stacks.registry import promotion_pullers

pytestmark = pytest.mark.e2e

BACKENDS = [backend for env in CI_GITHUB_ENVIRONMENTS if isinstance(backend := environment(env).backend, S3Backend)]


@pytest.fixture(scope="module")
def aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsClients]:
    """Clients of an embedded account the bootstrap stack was just applied to."""
    root = tmp_path_factory.mktemp("bootstrap")
    synth = stacks.synthesize(["bootstrap"], root / "cdktf.out")["bootstrap"]
    with MotoServer(log_file=root / "moto.log") as server:
        deployment = Deployment("bootstrap", synth, root / "tf", server.endpoint, server_log=root / "moto.log")
        deployment.plan()
        deployment.apply()
        yield AwsClients(deployment.region, deployment.endpoint)


def github_provider(iam: Any) -> str:
    arns = [p["Arn"] for p in iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]]
    (arn,) = [arn for arn in arns if arn.endswith(f":oidc-provider/{GITHUB_ISSUER}")]
    return arn


def test_the_github_provider_serves_the_sts_audience(aws: AwsClients) -> None:
    provider = aws("iam").get_open_id_connect_provider(OpenIDConnectProviderArn=github_provider(aws("iam")))
    assert provider["Url"].removeprefix("https://") == GITHUB_ISSUER
    assert provider["ClientIDList"] == [STS_AUDIENCE]


def test_each_ci_role_trusts_one_github_environment(aws: AwsClients) -> None:
    iam = aws("iam")
    provider = github_provider(iam)
    created = {r["RoleName"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("citygate-ci-")}
    assert len(created) == 12
    for env, purposes in CI_GITHUB_ENVIRONMENTS.items():
        for purpose in CI_PURPOSES:
            role = iam.get_role(RoleName=ci_role_name(env, purpose))["Role"]
            trust = role["AssumeRolePolicyDocument"]
            (statement,) = (json.loads(trust) if isinstance(trust, str) else trust)["Statement"]
            assert statement["Principal"] == {"Federated": provider}
            assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
            assert statement["Condition"] == {
                "StringEquals": {
                    f"{GITHUB_ISSUER}:aud": STS_AUDIENCE,
                    f"{GITHUB_ISSUER}:sub": f"repo:{GITHUB_REPOSITORY}:environment:{purposes[purpose]}",
                }
            }
    # the role staging's repository policy lets pull (stacks/registry.py) is one bootstrap creates
    assert {arn.rpartition(":role/")[2] for arn in promotion_pullers(ENVIRONMENTS["staging"])} <= created


def test_state_buckets_are_versioned_encrypted_and_private(aws: AwsClients) -> None:
    s3 = aws("s3")
    for backend in BACKENDS:
        assert s3.get_bucket_versioning(Bucket=backend.bucket)["Status"] == "Enabled"
        (rule,) = s3.get_bucket_encryption(Bucket=backend.bucket)["ServerSideEncryptionConfiguration"]["Rules"]
        default = rule["ApplyServerSideEncryptionByDefault"]
        assert default["SSEAlgorithm"] == "aws:kms" and default["KMSMasterKeyID"]
        block = s3.get_public_access_block(Bucket=backend.bucket)["PublicAccessBlockConfiguration"]
        assert block == dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        )


def test_lock_tables_are_keyed_encrypted_and_recoverable(aws: AwsClients) -> None:
    dynamodb = aws("dynamodb")
    for backend in BACKENDS:
        table = dynamodb.describe_table(TableName=backend.dynamodb_table)["Table"]
        assert table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}]
        assert table["SSEDescription"]["Status"] == "ENABLED" and table["SSEDescription"]["SSEType"] == "KMS"
        backups = dynamodb.describe_continuous_backups(TableName=backend.dynamodb_table)["ContinuousBackupsDescription"]
        assert backups["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
