"""CG-TLS-3 judged alike three ways: Rego's CG_S3_004 on a plan, our Checkov check CKV_CG_2 on the
same plan, and the live check's statement judge on the same policy documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citygate.bucket_tls import denies_plain_http
from citygate.engines.base import GateInput
from citygate.engines.checkov import CheckovEngine
from citygate.engines.rego import RegoEngine
from citygate.inputs import load_plan
from tests.fixtures.plans.generate import plan, policy, res
from tests.gate.engines_external.conftest import checkov_available

TIMEOUT = 120.0
TLS_ONLY = {
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
EVERYONE_AS_AWS = {"Principal": {"AWS": ["*"]}, "Action": ["*"], "Condition": {"Bool": {"aws:securetransport": False}}}
EXEMPTS_THE_ACCOUNT = {"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}
# case -> (what replaces the TLS-only statement's fields, whether the bucket refuses plain HTTP)
CASES: dict[str, tuple[dict[str, Any], bool]] = {
    "tls_only": ({}, True),
    "everyone_as_aws": (EVERYONE_AS_AWS, True),
    "one_role": ({"Principal": {"AWS": "arn:aws:iam::123456789012:role/ingest"}}, False),
    "one_action": ({"Action": "s3:PutObject"}, False),
    "objects_only": ({"Resource": "OBJECTS"}, False),
    "exempts_the_account": ({"Condition": {**TLS_ONLY["Condition"], **EXEMPTS_THE_ACCOUNT}}, False),
    "allows_instead": ({"Effect": "Allow"}, False),
}


def statement(case: str) -> dict[str, Any]:
    arn = f"arn:aws:s3:::{case.replace('_', '-')}"
    change, _ = CASES[case]
    resources = [f"{arn}/*"] if change.get("Resource") == "OBJECTS" else [arn, f"{arn}/*"]
    return {**TLS_ONLY, "Resource": resources, **{k: v for k, v in change.items() if k != "Resource"}}


def resources(case: str) -> list[dict[str, Any]]:
    bucket = f"aws_s3_bucket.{case}"
    return [
        res(bucket, {"bucket": case.replace("_", "-")}),
        res(f"aws_s3_bucket_policy.{case}", {"policy": policy(statement(case))}, {"bucket": [bucket]}),
    ]


@pytest.fixture(scope="module")
def refused(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bool]]:
    """engine -> case -> does the bucket refuse plain HTTP, as that engine judges it."""
    path: Path = tmp_path_factory.mktemp("tls") / "plan.json"
    path.write_text(json.dumps(plan([r for case in CASES for r in resources(case)])))
    gate_input = GateInput(inventory=load_plan(path), path=path)
    rego = {f.resource for f in RegoEngine().run(gate_input, TIMEOUT) if f.id == "CG_S3_004"}
    verdicts = {
        "rego": {case: f"aws_s3_bucket.{case}" not in rego for case in CASES},
        "live": {case: denies_plain_http(json.loads(policy(statement(case)))["Statement"][0]) for case in CASES},
    }
    if checkov_available():
        checkov = {f.resource for f in CheckovEngine().run(gate_input, TIMEOUT) if f.id == "CKV_CG_2"}
        verdicts["checkov"] = {case: f"aws_s3_bucket_policy.{case}" not in checkov for case in CASES}
    return verdicts


@pytest.mark.parametrize("engine", ["rego", "checkov", "live"])
def test_every_judge_refuses_plain_http_on_the_same_documents(refused: dict[str, dict[str, bool]], engine: str) -> None:
    if engine not in refused:
        pytest.skip("Checkov is not installed (make test installs it)")
    assert refused[engine] == {case: compliant for case, (_, compliant) in CASES.items()}
