"""Secrets Manager rotation function for the platform's generated secrets (API and signing keys).

Implements the four rotation steps of the Secrets Manager contract: create a new random value as
AWSPENDING, (nothing to set: consumers read the secret), test that it is readable, then promote it
to AWSCURRENT. Runs on the Lambda Python runtime, which provides boto3.
"""

from __future__ import annotations

from typing import Any

import boto3

PASSWORD_LENGTH = 64
_client = boto3.client("secretsmanager")


def handler(event: dict[str, Any], _context: object) -> None:
    secret_id, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    metadata = _client.describe_secret(SecretId=secret_id)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"rotation is not enabled for {secret_id}")
    stages = metadata.get("VersionIdsToStages", {})
    if token not in stages:
        raise ValueError(f"version {token} is not staged for {secret_id}")
    if "AWSCURRENT" in stages[token]:
        return  # already promoted: a retried finish step
    if step == "createSecret":
        _create(secret_id, token)
    elif step == "testSecret":
        _client.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage="AWSPENDING")
    elif step == "finishSecret":
        _finish(secret_id, token, stages)
    elif step != "setSecret":
        raise ValueError(f"unknown rotation step {step}")


def _create(secret_id: str, token: str) -> None:
    try:
        _client.get_secret_value(SecretId=secret_id, VersionId=token, VersionStage="AWSPENDING")
    except _client.exceptions.ResourceNotFoundException:
        value = _client.get_random_password(PasswordLength=PASSWORD_LENGTH, ExcludePunctuation=True)["RandomPassword"]
        _client.put_secret_value(
            SecretId=secret_id, ClientRequestToken=token, SecretString=value, VersionStages=["AWSPENDING"]
        )


def _finish(secret_id: str, token: str, stages: dict[str, list[str]]) -> None:
    current = next((version for version, names in stages.items() if "AWSCURRENT" in names), None)
    _client.update_secret_version_stage(
        SecretId=secret_id, VersionStage="AWSCURRENT", MoveToVersionId=token, RemoveFromVersionId=current
    )
