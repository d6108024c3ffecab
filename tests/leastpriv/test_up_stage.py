"""`up`'s least-privilege stage on a small record, and the IRSA identity each platform step runs as."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citygate.commands.up import APPLIED_PLAN_FILE, CALLS_FILE, least_privilege, recorded_variables
from citygate.errors import CitygateError
from citygate.leastpriv.calls import Call
from citygate.localcity.identities import STEP_SERVICE_ACCOUNTS, step_identities  # puts the workloads on sys.path
from tests.leastpriv.conftest import role_arn

from citysense_pipeline.config import Resources  # isort: skip
from citysense_pipeline.demo import STATIC_KEYS, step_environment  # isort: skip

ROLE = "citygate-local-irsa-production-inference"
BUCKET = "arn:aws:s3:::models"
READ_MODELS = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{BUCKET}/models/*"]}
UNUSED_GRANT = {"Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": ["arn:aws:dynamodb:*:*:table/f"]}


def applied_state(*statements: dict[str, Any]) -> dict[str, Any]:
    """A Terraform state (format 4) of one role, its inline policy and the role map output."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    resources = [
        {"mode": "managed", "type": "aws_iam_role", "name": "inference", "instances": [
            {"attributes": {"name": ROLE, "arn": role_arn(ROLE), "id": ROLE}}]},
        {"mode": "managed", "type": "aws_iam_role_policy", "name": "inference", "instances": [
            {"attributes": {"name": "least-privilege", "role": ROLE, "policy": policy}}]},
    ]  # fmt: skip
    arns = {account: role_arn(ROLE) for account in STEP_SERVICE_ACCOUNTS.values()}
    return {"version": 4, "resources": resources, "outputs": {"irsa_role_arns": {"value": arns}}}


def record(reports: Path, *calls: Call) -> None:
    reports.mkdir(parents=True, exist_ok=True)
    (reports / CALLS_FILE).write_text("".join(call.to_json() + "\n" for call in calls), encoding="utf-8")


def model_read(key: str = "models/m.json") -> Call:
    return Call("ASIA1", role_arn(ROLE), "s3:GetObject", "GetObject", (f"{BUCKET}/{key}",), status=200)


def test_a_step_runs_under_its_role_with_a_token_file_and_no_static_keys(tmp_path: Path) -> None:
    state = applied_state()
    identities = step_identities(state, tmp_path / "work")
    assert set(identities) == {"dag", "training", "promote", "inference", "api"}
    identity = identities["dag"]
    assert identity["AWS_ROLE_ARN"] == role_arn(ROLE)
    assert Path(identity["AWS_WEB_IDENTITY_TOKEN_FILE"]).read_text().count(".") == 2  # JWT-shaped
    values = step_environment(Resources.for_env("local", "http://127.0.0.1:1"), identity)
    assert all(values[name] is None for name in STATIC_KEYS)  # unset: static keys would win over the role
    assert values["AWS_ROLE_ARN"] == role_arn(ROLE)
    assert values["AWS_ENDPOINT_URL"] == "http://127.0.0.1:1"


def test_without_the_role_map_the_identities_fail_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="irsa_role_arns"):
        step_identities({"outputs": {}}, tmp_path)


def test_granted_calls_pass_the_stage_and_unused_grants_warn(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    record(reports, model_read(), Call("AKIDTEST", None, "s3:CreateBucket", "CreateBucket", (BUCKET,)))
    assert least_privilege(applied_state(READ_MODELS, UNUSED_GRANT), reports)
    gate = json.loads((reports / "leastpriv-gate.json").read_text())
    assert gate["summary"]["result"] == "pass"
    assert [f["status"] for f in gate["findings"]] == ["warn"]  # dynamodb:GetItem, never used
    assert recorded_variables(reports) == {
        "CITYGATE_BDD_CALLS": str((reports / CALLS_FILE).resolve()),
        "CITYGATE_BDD_CALLS_PLAN": str((reports / APPLIED_PLAN_FILE).resolve()),
    }


def test_a_call_the_role_does_not_grant_stops_the_run(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    record(reports, model_read(), model_read("secrets/other.json"))
    assert not least_privilege(applied_state(READ_MODELS), reports)
    gate = json.loads((reports / "leastpriv-gate.json").read_text())
    assert [f["id"] for f in gate["findings"] if f["status"] == "fail"] == ["CG_IAM_005"]


def test_a_run_that_recorded_nothing_is_skipped_not_passed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    reports = tmp_path / "reports"
    record(reports)
    assert least_privilege(applied_state(READ_MODELS), reports)
    assert "leastpriv: skipped" in capsys.readouterr().out
    assert not (reports / "leastpriv-gate.json").exists()
    assert recorded_variables(reports) == {}
