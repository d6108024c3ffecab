"""A recording embedded AWS, workloads that reach it as IRSA pods do, plans holding one role, and the
scenario of CG-IAM-9 that judges such records."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import boto3
import pytest

from citygate.bdd.features import ConcreteScenario, expand, load_features
from citygate.leastpriv.calls import RECORD_ENV
from citygate.moto_server import MotoServer
from citygate.paths import FEATURES

ACCOUNT = "123456789012"
REGION = "eu-central-1"
ADMIN_KEYS = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}


class Recording(NamedTuple):
    endpoint: str
    record: Path


@pytest.fixture(scope="session")
def recording(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recording]:
    """An embedded AWS recording every call into one JSONL file for the session."""
    folder = tmp_path_factory.mktemp("recording")
    record = folder / "calls.jsonl"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(RECORD_ENV, str(record))
        server = MotoServer(log_file=folder / "moto.log").start()
    try:
        yield Recording(server.endpoint, record)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def admin(recording: Recording) -> Callable[[str], Any]:
    """A client of the account's administrator (long-lived keys: its calls name no role)."""
    return lambda service: boto3.client(service, endpoint_url=recording.endpoint, region_name=REGION, **ADMIN_KEYS)


@pytest.fixture
def workload(recording: Recording, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[str], boto3.Session]:
    """A boto3 session configured as an IRSA pod's: a role ARN and a web identity token file; boto3
    itself assumes the role with sts:AssumeRoleWithWebIdentity on the embedded AWS.  The process's
    default session is a fresh one too (restored after the test), as the workload's own code uses it."""

    def session(role: str) -> boto3.Session:
        token = tmp_path / f"{role}.token"
        token.write_text("eyJ.service-account-token.sig", encoding="utf-8")
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("AWS_ROLE_ARN", role_arn(role))
        monkeypatch.setenv("AWS_WEB_IDENTITY_TOKEN_FILE", str(token))
        monkeypatch.setenv("AWS_ENDPOINT_URL", recording.endpoint)
        monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
        # A pod's process starts with no credentials resolved. boto3's default session keeps those it
        # resolved first: after an earlier test ran the inference service under the test keys (the
        # pipeline's `forecast`), `boto3.client()` would sign with them and the call would name no role.
        monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
        return boto3.Session()

    return session


def role_arn(role: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{role}"


def plan_with_role(folder: Path, role: str, *statements: dict[str, Any]) -> Path:
    """A plan JSON (as `terraform show -json` writes it after apply) of one role and its inline policy."""
    policy = json.dumps({"Version": "2012-10-17", "Statement": list(statements)})
    resources = [
        {
            "address": "aws_iam_role.workload",
            "mode": "managed",
            "type": "aws_iam_role",
            "name": "workload",
            "values": {"name": role, "arn": role_arn(role), "id": role},
        },
        {
            "address": "aws_iam_role_policy.workload",
            "mode": "managed",
            "type": "aws_iam_role_policy",
            "name": "workload",
            "values": {"name": "least-privilege", "role": role, "policy": policy},
        },
    ]
    path = folder / f"plan-{role}.json"
    path.write_text(
        json.dumps({"format_version": "1.2", "planned_values": {"root_module": {"resources": resources}}}),
        encoding="utf-8",
    )
    return path


def cg_iam_9() -> ConcreteScenario:
    """The one scenario tagged CG-IAM-9 (features/least_privilege.feature)."""
    (found,) = [s for feature in load_features(FEATURES) for s in expand(feature) if "CG-IAM-9" in s.tags]
    return found
