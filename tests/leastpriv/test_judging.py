"""How requests become IAM calls and how a role's statements judge them, without a server: the edge
cases a recorded run rarely shows, and the ways the stage fails closed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from citygate.cli import main
from citygate.engines.base import EngineOptions, GateInput, NothingToJudge
from citygate.errors import CitygateError
from citygate.inputs import load_plan
from citygate.leastpriv.calls import Call
from citygate.leastpriv.engine import LeastPrivilegeEngine
from citygate.leastpriv.iam import evaluate, statements
from citygate.leastpriv.requests import Request, describe
from tests.leastpriv.conftest import plan_with_role, role_arn

SIGNED = "AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/20261130/eu-central-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
TABLE = "arn:aws:dynamodb:eu-central-1:123456789012:table/features"


def signed(service: str, **headers: str) -> dict[str, str]:
    return {"authorization": SIGNED.format(service=service), **headers}


def test_json_protocols_name_the_operation_in_their_target_and_the_resources_in_their_body() -> None:
    body = json.dumps({"RequestItems": {"features": {}, "models": {}}}).encode()
    headers = signed(
        "dynamodb", **{"x-amz-target": "DynamoDB_20120810.BatchGetItem", "content-type": "application/x-amz-json-1.0"}
    )
    described = describe(Request("POST", "/", "", headers, body))
    assert described is not None
    assert (described.key, described.action) == ("ASIAEXAMPLE", "dynamodb:BatchGetItem")
    assert described.resources == (TABLE, TABLE.replace("features", "models"))


def test_query_protocols_post_their_action_and_rest_services_are_matched_by_botocore_routes() -> None:
    form = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    query = describe(Request("POST", "/", "", signed("sts", **form), b"Action=GetCallerIdentity&Version=2011-06-15"))
    rest = describe(Request("POST", "/2015-03-31/functions/rotate/invocations", "", signed("lambda")))
    assert query is not None and query.action == "sts:GetCallerIdentity"
    assert rest is not None and (rest.operation, rest.action) == ("Invoke", "lambda:InvokeFunction")


def test_an_unsigned_request_is_no_call() -> None:
    assert describe(Request("POST", "/", "", {}, b"Action=AssumeRoleWithWebIdentity")) is None


def call(action: str, *resources: str, **context: str) -> Call:
    return Call("ASIAEXAMPLE", role_arn("r"), action, action.split(":")[1], resources, context)


def test_an_explicit_deny_wins_over_an_allow() -> None:
    policy = statements(
        {
            "Statement": [
                {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
                {"Sid": "NoWrites", "Effect": "Deny", "Action": "dynamodb:Put*", "Resource": TABLE},
            ]
        },
        "p",
    )
    assert evaluate(call("dynamodb:GetItem", TABLE), policy).granted
    denied = evaluate(call("dynamodb:PutItem", TABLE), policy)
    assert (denied.granted, denied.reason) == (False, "denied by p/NoWrites")


def test_an_allow_under_a_condition_the_request_does_not_show_does_not_count() -> None:
    policy = statements(
        {
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "kms:CreateGrant",
                    "Resource": "*",
                    "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}},
                }
            ]
        },
        "p",
    )
    decision = evaluate(call("kms:CreateGrant", "arn:aws:kms:eu-central-1:123456789012:key/k"), policy)
    assert not decision.granted
    assert "conditions the request does not show (kms:GrantIsForAWSResource)" in decision.reason


def test_a_call_not_granted_by_the_plan_s_policies_cannot_be_proven_denied_beside_an_unknown_managed_policy() -> None:
    decision = evaluate(
        call("ec2:DescribeVolumes"), [], unreadable=("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",)
    )
    assert not decision.granted and "cannot be verified" in decision.reason


def test_a_malformed_record_fails_closed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = plan_with_role(tmp_path, "r", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    record = tmp_path / "calls.jsonl"
    record.write_text('{"key": "ASIA", "action": "s3:GetObject"}\nnot json\n')
    code = main(["check", "--plan", str(plan), "--calls", str(record), "--engines", "leastpriv"])
    assert code == 2
    assert f"{record}:2: not a recorded call" in capsys.readouterr().err


def test_a_record_no_role_of_the_plan_made_judged_nothing(tmp_path: Path) -> None:
    plan = plan_with_role(tmp_path, "r", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    record = tmp_path / "calls.jsonl"
    record.write_text(Call("AKIA", None, "s3:GetObject", "GetObject").to_json() + "\n")
    engine = LeastPrivilegeEngine()
    with pytest.raises(NothingToJudge, match="none of the 1 recorded calls"):
        engine.run(GateInput(load_plan(plan), plan, EngineOptions(calls=record)), 10)
    with pytest.raises(NothingToJudge, match="no record of AWS calls"):
        engine.run(GateInput(load_plan(plan), plan, EngineOptions()), 10)


def test_a_policy_known_only_after_apply_fails_closed(tmp_path: Path) -> None:
    plan = plan_with_role(tmp_path, "r")
    data = json.loads(plan.read_text())
    del data["planned_values"]["root_module"]["resources"][1]["values"]["policy"]
    plan.write_text(json.dumps(data))
    record = tmp_path / "calls.jsonl"
    record.write_text(call("s3:GetObject").to_json() + "\n")
    with pytest.raises(CitygateError, match="known only after apply"):
        LeastPrivilegeEngine().run(GateInput(load_plan(plan), plan, EngineOptions(calls=record)), 10)
