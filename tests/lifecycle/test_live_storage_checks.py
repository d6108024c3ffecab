"""Live checks on data at rest: each rule passes a compliant resource and fails a weakened one."""

from __future__ import annotations

import json

from live_support import problems

from citygate.live.clients import AwsClients


def cmk(aws: AwsClients) -> str:
    return str(aws("kms").create_key(Description="cmk")["KeyMetadata"]["Arn"])


def bucket(aws: AwsClients, name: str, hardened: bool) -> tuple[str, str, dict[str, str]]:
    s3 = aws("s3")
    s3.create_bucket(Bucket=name)
    if hardened:
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [
                    {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": cmk(aws)}}
                ]
            },
        )
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration=dict.fromkeys(
                ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
            ),
        )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        deny = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
        s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    return ("aws_s3_bucket", name.replace("-", "_"), {"bucket": name})


def test_s3_rules_pass_a_hardened_bucket_and_fail_a_bare_one(aws: AwsClients) -> None:
    good, bad = bucket(aws, "good-bucket", True), bucket(aws, "bare-bucket", False)
    expected = {
        "CG_LIVE_S3_001": "not SSE-KMS",
        "CG_LIVE_S3_002": "public access block flags off",
        "CG_LIVE_S3_003": "versioning is never enabled",
        "CG_LIVE_S3_004": "denies insecure transport",
    }
    for rule_id, message in expected.items():
        found = problems(aws, rule_id, good, bad)
        assert found["aws_s3_bucket.good_bucket"] == (), rule_id
        assert message in " ".join(found["aws_s3_bucket.bare_bucket"]), rule_id


def test_s3_encryption_with_the_aws_managed_key_fails(aws: AwsClients) -> None:
    aws("s3").create_bucket(Bucket="aes")
    aws("s3").put_bucket_encryption(
        Bucket="aes",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    assert problems(aws, "CG_LIVE_S3_001", ("aws_s3_bucket", "aes", {"bucket": "aes"})) == {
        "aws_s3_bucket.aes": ("default encryption is not SSE-KMS",)
    }


def test_a_deleted_bucket_is_reported_missing(aws: AwsClients) -> None:
    found = problems(aws, "CG_LIVE_S3_001", ("aws_s3_bucket", "gone", {"bucket": "gone"}))
    assert "not in the account" in found["aws_s3_bucket.gone"][0]


def test_kms_rotation(aws: AwsClients) -> None:
    kms = aws("kms")
    rotated, plain = kms.create_key()["KeyMetadata"]["KeyId"], kms.create_key()["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=rotated)
    found = problems(
        aws,
        "CG_LIVE_KMS_001",
        ("aws_kms_key", "rotated", {"key_id": rotated}),
        ("aws_kms_key", "plain", {"key_id": plain}),
    )
    assert found == {"aws_kms_key.rotated": (), "aws_kms_key.plain": ("automatic rotation is off",)}


def test_dynamodb_encryption_and_pitr(aws: AwsClients) -> None:
    ddb = aws("dynamodb")
    table = {
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    ddb.create_table(
        TableName="good", SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": cmk(aws)}, **table
    )
    ddb.update_continuous_backups(
        TableName="good", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    ddb.create_table(TableName="bad", **table)
    tables = (("aws_dynamodb_table", "good", {"name": "good"}), ("aws_dynamodb_table", "bad", {"name": "bad"}))
    encryption, pitr = problems(aws, "CG_LIVE_DDB_001", *tables), problems(aws, "CG_LIVE_DDB_002", *tables)
    assert encryption["aws_dynamodb_table.good"] == () and encryption["aws_dynamodb_table.bad"]
    assert pitr["aws_dynamodb_table.good"] == () and pitr["aws_dynamodb_table.bad"]


def test_log_group_encryption(aws: AwsClients) -> None:
    logs = aws("logs")
    logs.create_log_group(logGroupName="/good", kmsKeyId=cmk(aws))
    logs.create_log_group(logGroupName="/bad")
    found = problems(
        aws,
        "CG_LIVE_LOG_001",
        ("aws_cloudwatch_log_group", "good", {"name": "/good"}),
        ("aws_cloudwatch_log_group", "bad", {"name": "/bad"}),
    )
    assert found == {
        "aws_cloudwatch_log_group.good": (),
        "aws_cloudwatch_log_group.bad": ("log group encryption is not encrypted with a KMS key",),
    }


def test_kinesis_encryption(aws: AwsClients) -> None:
    kinesis = aws("kinesis")
    kinesis.create_stream(StreamName="good", ShardCount=1)
    kinesis.start_stream_encryption(StreamName="good", EncryptionType="KMS", KeyId=cmk(aws))
    kinesis.create_stream(StreamName="bad", ShardCount=1)
    found = problems(
        aws,
        "CG_LIVE_KIN_001",
        ("aws_kinesis_stream", "good", {"name": "good"}),
        ("aws_kinesis_stream", "bad", {"name": "bad"}),
    )
    assert found == {"aws_kinesis_stream.good": (), "aws_kinesis_stream.bad": ("server-side encryption is off",)}


def test_secret_encryption(aws: AwsClients) -> None:
    secrets = aws("secretsmanager")
    good = secrets.create_secret(Name="good", KmsKeyId=cmk(aws), SecretString="x")["ARN"]
    bad = secrets.create_secret(Name="bad", SecretString="x")["ARN"]
    resources = (
        ("aws_secretsmanager_secret", "good", {"arn": good, "name": "good"}),
        ("aws_secretsmanager_secret", "bad", {"arn": bad, "name": "bad"}),
    )
    found = problems(aws, "CG_LIVE_SM_001", *resources)
    assert found["aws_secretsmanager_secret.good"] == () and found["aws_secretsmanager_secret.bad"]
    rotation = problems(aws, "CG_LIVE_SM_002", *resources)
    assert rotation["aws_secretsmanager_secret.bad"] == ("rotation is off",)


def test_aurora_encryption(aws: AwsClients) -> None:
    rds = aws("rds")
    common = {"Engine": "aurora-postgresql", "MasterUsername": "admin", "MasterUserPassword": "password123"}
    rds.create_db_cluster(DBClusterIdentifier="good", StorageEncrypted=True, KmsKeyId=cmk(aws), **common)
    rds.create_db_cluster(DBClusterIdentifier="bad", StorageEncrypted=False, **common)
    found = problems(
        aws,
        "CG_LIVE_RDS_001",
        ("aws_rds_cluster", "good", {"cluster_identifier": "good"}),
        ("aws_rds_cluster", "bad", {"cluster_identifier": "bad"}),
    )
    assert found == {"aws_rds_cluster.good": (), "aws_rds_cluster.bad": ("storage is not encrypted",)}


def test_s3_tls_deny_for_one_role_fails(aws: AwsClients) -> None:
    aws("s3").create_bucket(Bucket="one-role")
    deny = {
        "Effect": "Deny",
        "Principal": {"AWS": "arn:aws:iam::123456789012:role/ingest"},
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::one-role", "arn:aws:s3:::one-role/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    aws("s3").put_bucket_policy(Bucket="one-role", Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]}))
    found = problems(aws, "CG_LIVE_S3_004", ("aws_s3_bucket", "one_role", {"bucket": "one-role"}))
    assert found == {"aws_s3_bucket.one_role": ("no bucket policy statement denies insecure transport",)}


def test_kms_key_policy_open_to_every_account_fails(aws: AwsClients) -> None:
    kms = aws("kms")

    def key(*statements: dict[str, object]) -> str:
        document = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
        return str(kms.create_key(Policy=document)["KeyMetadata"]["KeyId"])

    admin = {
        "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
        "Action": "kms:*",
        "Resource": "*",
    }
    pinned = {**admin, "Principal": "*", "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}
    keys = {
        "named": key(admin, pinned),
        "open": key(admin, {**admin, "Principal": {"AWS": "*"}, "Action": ["kms:Decrypt", "kms:Encrypt"]}),
    }
    found = problems(aws, "CG_LIVE_KMS_002", *(("aws_kms_key", name, {"key_id": k}) for name, k in keys.items()))
    assert found == {
        "aws_kms_key.named": (),
        "aws_kms_key.open": (
            'key policy allows kms:Decrypt, kms:Encrypt to Principal "*" with no condition pinning the caller',
        ),
    }
