"""Fixtures for the gate-core tests: the CLI runner and the fixture plans."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from citygate.cli import main

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "plans"


@pytest.fixture(autouse=True)
def no_project_waivers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Judge fixtures as they are: the project's waivers belong to the project's own stacks."""
    monkeypatch.setattr("citygate.commands.check.WAIVERS_FILE", tmp_path / "no-waivers.yaml")


@pytest.fixture(scope="session")
def expected_fixtures() -> dict[str, dict[str, str]]:
    """noncompliant fixture file -> {control, rule, resource} the gate must name."""
    loaded: dict[str, dict[str, str]] = yaml.safe_load((FIXTURES / "expected.yaml").read_text())
    return loaded


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """citygate.cli.main(argv) -> (exit code, stdout, stderr)."""

    def _run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


@pytest.fixture
def check_json(run_cli: Callable[..., tuple[int, str, str]]) -> Callable[..., tuple[int, dict[str, Any]]]:
    """`check --format json` with the embedded Rego engine only: (exit code, report)."""

    def _check(*argv: str) -> tuple[int, dict[str, Any]]:
        code, out, err = run_cli("check", "--engines", "rego", "--format", "json", *argv)
        assert code in (0, 1), err
        return code, json.loads(out)

    return _check
