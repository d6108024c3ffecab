"""Least privilege proven on a recorded run: a workload's real calls on the embedded AWS, its role's policy.

The workload reads a model from S3 (listing the models prefix first) and one feature from DynamoDB,
assuming its role exactly as an IRSA pod does.  The same run is judged against three policies: one
missing an action it used (fail), one granting an action it never used (warn; fail with --unused fail)
and one granting exactly what it used (clean).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest

from citygate.cli import main
from citygate.leastpriv.calls import read_calls
from tests.leastpriv.conftest import ACCOUNT, REGION, Recording, plan_with_role

BUCKET = "citygate-leastpriv-models"
TABLE = "citygate-leastpriv-features"
TABLE_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{TABLE}"
READ_MODELS = {
    "Sid": "ReadModels",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": f"arn:aws:s3:::{BUCKET}/models/*",
}
LIST_MODELS = {
    "Sid": "ListModels",
    "Effect": "Allow",
    "Action": "s3:ListBucket",
    "Resource": f"arn:aws:s3:::{BUCKET}",
    "Condition": {"StringLike": {"s3:prefix": ["models/*"]}},
}
READ_FEATURE = {"Sid": "ReadFeatures", "Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE_ARN}


@pytest.fixture(scope="module")
def store(admin: Callable[[str], Any]) -> None:
    admin("s3").create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    admin("s3").put_object(Bucket=BUCKET, Key="models/traffic.json", Body=b"{}")
    admin("dynamodb").create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def run_workload(session: boto3.Session) -> None:
    """What the inference workload does: find the model, read it, read a feature."""
    s3 = session.client("s3")
    s3.list_objects_v2(Bucket=BUCKET, Prefix="models/")
    s3.get_object(Bucket=BUCKET, Key="models/traffic.json")["Body"].read()
    session.client("dynamodb").get_item(TableName=TABLE, Key={"id": {"S": "sensor-1"}})


@pytest.fixture
def recorded(
    store: None, recording: Recording, workload: Callable[[str], boto3.Session], request: pytest.FixtureRequest
) -> str:
    """The role name (one per test) whose workload ran once."""
    role = f"citygate-leastpriv-{request.node.name.split('[')[0].removeprefix('test_')[:40]}"
    run_workload(workload(role))
    return role


def check(
    capsys: pytest.CaptureFixture[str], plan: Path, record: Path, *extra: str
) -> tuple[int, list[dict[str, Any]]]:
    code = main(
        ["check", "--plan", str(plan), "--calls", str(record), "--engines", "leastpriv", "--format", "json", *extra]
    )
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    return code, [f for f in json.loads(out)["findings"] if f["engine"] == "leastpriv"]


def test_the_recorder_names_role_action_resource_and_condition_keys(recorded: str, recording: Recording) -> None:
    calls = [c for c in read_calls(recording.record) if c.principal and c.principal.endswith(f"/{recorded}")]
    assert [(c.action, c.resources, c.context, c.status) for c in calls] == [
        ("s3:ListBucket", (f"arn:aws:s3:::{BUCKET}",), {"s3:prefix": "models/"}, 200),
        ("s3:GetObject", (f"arn:aws:s3:::{BUCKET}/models/traffic.json",), {}, 200),
        ("dynamodb:GetItem", (TABLE_ARN,), {}, 200),
    ]
    assert {c.operation for c in calls} == {"ListObjectsV2", "GetObject", "GetItem"}
    assert all(c.key.startswith("ASIA") for c in calls), "temporary credentials issued by the embedded STS"


def test_a_call_the_policy_does_not_grant_fails(
    recorded: str, recording: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_with_role(tmp_path, recorded, READ_MODELS, LIST_MODELS)
    code, findings = check(capsys, plan, recording.record)
    assert code == 1
    assert [(f["id"], f["status"], f["severity"], f["resource"]) for f in findings] == [
        ("CG_IAM_005", "fail", "high", "aws_iam_role.workload")
    ]
    assert findings[0]["message"].startswith(f"dynamodb:GetItem on {TABLE_ARN} (1 call(s)): no statement allows it")


def test_a_granted_action_never_used_warns_and_fails_when_asked(
    recorded: str, recording: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write = {"Sid": "WriteFeatures", "Effect": "Allow", "Action": ["dynamodb:PutItem"], "Resource": TABLE_ARN}
    plan = plan_with_role(tmp_path, recorded, READ_MODELS, LIST_MODELS, READ_FEATURE, write)
    code, findings = check(capsys, plan, recording.record)
    assert code == 0
    assert [(f["id"], f["status"], f["severity"]) for f in findings] == [("CG_IAM_006", "warn", "low")]
    assert "WriteFeatures grants dynamodb:PutItem" in findings[0]["message"]
    code, findings = check(capsys, plan, recording.record, "--unused", "fail")
    assert (code, [f["status"] for f in findings]) == (1, ["fail"])


def test_exactly_what_the_workload_used_is_clean(
    recorded: str, recording: Recording, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = plan_with_role(tmp_path, recorded, READ_MODELS, LIST_MODELS, READ_FEATURE)
    assert check(capsys, plan, recording.record) == (0, [])


def test_a_prefix_the_condition_does_not_allow_fails(
    recorded: str,
    recording: Recording,
    workload: Callable[[str], boto3.Session],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    workload(recorded).client("s3").list_objects_v2(Bucket=BUCKET, Prefix="raw/")
    plan = plan_with_role(tmp_path, recorded, READ_MODELS, LIST_MODELS, READ_FEATURE)
    code, findings = check(capsys, plan, recording.record)
    assert code == 1
    assert [f["message"].split(" (")[0] for f in findings] == [f"s3:ListBucket on arn:aws:s3:::{BUCKET}"]
