"""The embedded AWS server: starts on a free port, resets, can be kept running and found again."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from citygate.errors import CitygateError
from citygate.live.clients import AwsClients
from citygate.moto_server import KeptServer, MotoServer, is_serving, reset


def test_server_serves_on_localhost_and_stops_on_exit() -> None:
    with MotoServer() as server:
        assert server.endpoint.startswith("http://127.0.0.1:")
        s3 = aws_client(server.endpoint, "s3")
        s3.create_bucket(Bucket="reset-me")
        reset(server.endpoint)
        assert s3.list_buckets()["Buckets"] == []
    assert not is_serving(server.endpoint)


def test_a_detached_server_is_found_by_its_record_and_stopped(tmp_path: Path) -> None:
    record = tmp_path / "moto.json"
    with MotoServer() as server:
        server.detach(record)
    kept = KeptServer.find(record)
    assert kept is not None and kept.endpoint == server.endpoint
    kept.stop()
    assert not is_serving(server.endpoint)
    assert not record.exists()


def test_a_record_of_a_dead_process_is_ignored_and_removed(tmp_path: Path) -> None:
    record = tmp_path / "moto.json"
    record.write_text('{"endpoint": "http://127.0.0.1:9", "pid": 999999999}')
    assert KeptServer.find(record) is None
    assert not record.exists()
    assert KeptServer.find(tmp_path / "absent.json") is None


def test_a_live_process_that_is_not_moto_is_an_error(tmp_path: Path) -> None:
    record = tmp_path / "moto.json"
    record.write_text(json.dumps({"endpoint": "http://127.0.0.1:9", "pid": os.getpid()}))
    with pytest.raises(CitygateError, match="does not answer"):
        KeptServer.find(record, timeout=0.1)


def aws_client(endpoint: str, service: str):  # type: ignore[no-untyped-def]
    return AwsClients("us-east-1", endpoint)(service)


def logs_policy(*statements: dict[str, object]) -> str:
    deny_plain_http = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return json.dumps({"Version": "2012-10-17", "Statement": [deny_plain_http, *statements]})


def test_access_logging_follows_the_target_bucket_policy_grant(aws: AwsClients) -> None:
    grant = {
        "Effect": "Allow",
        "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"],
        "Resource": ["arn:aws:s3:::logs/s3/*"],
    }
    logging = {"LoggingEnabled": {"TargetBucket": "logs", "TargetPrefix": "s3/data/"}}
    s3 = aws("s3")
    s3.create_bucket(Bucket="logs")
    s3.create_bucket(Bucket="data")
    s3.put_bucket_policy(Bucket="logs", Policy=logs_policy())
    with pytest.raises(s3.exceptions.ClientError, match="InvalidTargetBucketForLogging"):
        s3.put_bucket_logging(Bucket="data", BucketLoggingStatus=logging)
    s3.put_bucket_policy(Bucket="logs", Policy=logs_policy(grant))
    s3.put_bucket_logging(Bucket="data", BucketLoggingStatus=logging)
    assert s3.get_bucket_logging(Bucket="data")["LoggingEnabled"]["TargetPrefix"] == "s3/data/"


def test_rotation_of_a_secret_without_a_value_is_recorded(aws: AwsClients) -> None:
    role = aws("iam").create_role(RoleName="rotation", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    code = {"ZipFile": b"PK\x05\x06" + b"\x00" * 18}  # an empty zip archive
    function = aws("lambda").create_function(
        FunctionName="rotate", Runtime="python3.12", Role=role, Handler="index.handler", Code=code
    )["FunctionArn"]
    secrets = aws("secretsmanager")
    arn = secrets.create_secret(Name="db")["ARN"]
    secrets.rotate_secret(SecretId=arn, RotationLambdaARN=function, RotationRules={"AutomaticallyAfterDays": 30})
    described = secrets.describe_secret(SecretId=arn)
    assert described["RotationEnabled"] and described["RotationLambdaARN"] == function


def test_the_default_ebs_key_can_be_set_read_and_reset(aws: AwsClients) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/abc"
    ec2 = aws("ec2")
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"
    ec2.modify_ebs_default_kms_key_id(KmsKeyId=key)
    assert ec2.get_ebs_default_kms_key_id()["KmsKeyId"] == key
    assert ec2.reset_ebs_default_kms_key_id()["KmsKeyId"] == "alias/aws/ebs"


def test_aws_managed_policies_exist_as_in_a_real_account(aws: AwsClients) -> None:
    policy = aws("iam").get_policy(PolicyArn="arn:aws:iam::aws:policy/service-role/AWS_ConfigRole")
    assert policy["Policy"]["PolicyName"] == "AWS_ConfigRole"


def test_guardduty_features_are_updated_one_by_one(aws: AwsClients) -> None:
    guardduty = aws("guardduty")
    detector = guardduty.create_detector(Enable=True)["DetectorId"]
    for feature in ("EKS_AUDIT_LOGS", "S3_DATA_EVENTS"):
        guardduty.update_detector(DetectorId=detector, Features=[{"Name": feature, "Status": "ENABLED"}])
    features = guardduty.get_detector(DetectorId=detector)["Features"]
    assert {f["Name"]: f["Status"] for f in features} == {"EKS_AUDIT_LOGS": "ENABLED", "S3_DATA_EVENTS": "ENABLED"}
