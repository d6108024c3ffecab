"""Fixtures for the pipeline tests: the repository's workflows, variants of them, and our CI/CD policies."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from cicd_support import CICD_POLICIES, WORKFLOWS, Judge

from citygate.engines.base import GateInput
from citygate.engines.rego import RegoEngine
from citygate.findings import Finding
from citygate.workflows import load_workflows, parse_workflow


@pytest.fixture(scope="session")
def workflows() -> dict[str, dict[str, Any]]:
    """The repository's workflows as GitHub reads them, by file name."""
    return {path.name: parse_workflow(path) for path in sorted(WORKFLOWS.glob("*.yml"))}


@pytest.fixture(scope="session")
def judge() -> Judge:
    """Our CI/CD Rego policies on a workflows folder or file, as `check --workflows` runs them."""
    engine = RegoEngine(CICD_POLICIES)

    def _judge(path: Path) -> list[Finding]:
        return engine.run(GateInput(load_workflows(path), path), timeout=60)

    return _judge


@pytest.fixture
def write_workflow(tmp_path: Path) -> Callable[[str, dict[str, Any]], Path]:
    """Write a (mutated) workflow document to a fresh workflows folder and return that folder."""
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)

    def _write(name: str, document: dict[str, Any]) -> Path:
        (folder / name).write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
        return folder

    return _write
