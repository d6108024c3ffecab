"""Fixtures for the gate-core tests: the CLI runner, the generated fixture plans and the real ones."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from citygate.cli import main
from tests.corpus import CORPUS
from tests.fixtures.plans.generate import COMPLIANT

CONFIGURATION_PLAN = Path(__file__).resolve().parents[2] / "fixtures" / "plans" / "configuration" / "plan.json"
MISCONFIGURED = CORPUS / "misconfigured"
# Terraform waits on the embedded AWS as well as on the CPU: two plans per core keep both busy.
PLAN_WORKERS = 2 * (os.cpu_count() or 1)


@pytest.fixture(autouse=True)
def no_project_exceptions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Judge fixtures as they are: the project's exceptions belong to the project's own stacks."""
    monkeypatch.setattr("citygate.exceptions.EXCEPTIONS_FILE", tmp_path / "no-exceptions.yaml")


@pytest.fixture(scope="session")
def compliant_plan(fixture_plans: Path) -> Path:
    return fixture_plans / COMPLIANT


@pytest.fixture(scope="session")
def misconfigured_plans(moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """case -> its plan JSON: every configuration of tests/corpus/misconfigured planned for real
    (`terraform plan` + `show -json`) against the session's embedded AWS, concurrently, one
    working folder each."""
    from citygate.deployment import plan_env

    cases = sorted(folder for folder in MISCONFIGURED.iterdir() if folder.is_dir())
    if not cases:
        raise RuntimeError(f"no misconfigured case in {MISCONFIGURED}: they are part of the repository")
    root = tmp_path_factory.mktemp("misconfigured")
    with ThreadPoolExecutor(max_workers=PLAN_WORKERS, thread_name_prefix="plan") as pool:
        plans = pool.map(lambda case: plan_env("local", case / "main.tf.json", root / case.name, moto_endpoint), cases)
        return dict(zip((case.name for case in cases), plans, strict=True))


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
