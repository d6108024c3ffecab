"""The secret rotation function walks the four Secrets Manager steps and refuses what it must not do."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

HANDLER = Path(__file__).resolve().parents[2] / "stacks" / "rotation_function" / "handler.py"


class NotFound(Exception):
    """Stands in for Secrets Manager's ResourceNotFoundException."""


class FakeSecretsManager:
    """Just enough of the Secrets Manager API, in memory: versions and their stages."""

    def __init__(self, rotation_enabled: bool = True) -> None:
        self.rotation_enabled = rotation_enabled
        self.values = {"v1": "old"}
        self.stages = {"v1": ["AWSCURRENT"], "v2": ["AWSPENDING"]}  # RotateSecret staged v2
        self.exceptions = type("Exceptions", (), {"ResourceNotFoundException": NotFound})

    def describe_secret(self, SecretId: str) -> dict[str, Any]:
        return {"RotationEnabled": self.rotation_enabled, "VersionIdsToStages": self.stages}

    def get_secret_value(self, SecretId: str, VersionId: str, VersionStage: str) -> dict[str, Any]:
        if VersionId not in self.values or VersionStage not in self.stages[VersionId]:
            raise NotFound(VersionId)
        return {"SecretString": self.values[VersionId]}

    def get_random_password(self, PasswordLength: int, ExcludePunctuation: bool) -> dict[str, Any]:
        return {"RandomPassword": "n" * PasswordLength}

    def put_secret_value(
        self, SecretId: str, ClientRequestToken: str, SecretString: str, VersionStages: list[str]
    ) -> None:
        self.values[ClientRequestToken] = SecretString
        self.stages[ClientRequestToken] = VersionStages

    def update_secret_version_stage(
        self, SecretId: str, VersionStage: str, MoveToVersionId: str, RemoveFromVersionId: str | None
    ) -> None:
        if RemoveFromVersionId:
            self.stages[RemoveFromVersionId].remove(VersionStage)
        self.stages[MoveToVersionId] = [VersionStage]


@pytest.fixture
def handler(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    spec = importlib.util.spec_from_file_location("rotation_handler", HANDLER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _rotate(handler: ModuleType, fake: FakeSecretsManager, *steps: str) -> None:
    handler._client = fake
    for step in steps:
        handler.handler({"SecretId": "s", "ClientRequestToken": "v2", "Step": step}, None)


def test_full_rotation_promotes_a_new_random_value(handler: ModuleType) -> None:
    fake = FakeSecretsManager()
    _rotate(handler, fake, "createSecret", "setSecret", "testSecret", "finishSecret")
    assert fake.stages["v2"] == ["AWSCURRENT"] and fake.stages["v1"] == []
    assert fake.values["v2"] == "n" * handler.PASSWORD_LENGTH


def test_a_retried_create_keeps_the_pending_value(handler: ModuleType) -> None:
    fake = FakeSecretsManager()
    _rotate(handler, fake, "createSecret")
    fake.values["v2"] = "first attempt"
    _rotate(handler, fake, "createSecret")
    assert fake.values["v2"] == "first attempt"


def test_refuses_a_secret_without_rotation_enabled(handler: ModuleType) -> None:
    with pytest.raises(ValueError, match="rotation is not enabled"):
        _rotate(handler, FakeSecretsManager(rotation_enabled=False), "createSecret")


def test_refuses_an_unknown_step(handler: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown rotation step"):
        _rotate(handler, FakeSecretsManager(), "dropSecret")
