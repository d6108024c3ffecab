"""Independent linters agree the workflows are valid and safe: actionlint and Checkov's github_actions checks.

actionlint (shipped as a binary in a PyPI wheel) type-checks workflows the way GitHub will run them: job
graph, expressions, action inputs, runner labels, untrusted input in scripts. Checkov's github_actions
framework runs through the gate's own Checkov engine, as `check --workflows` does.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cicd_support import FIXTURES, WORKFLOWS

from citygate.engines.base import GateInput
from citygate.engines.checkov import CheckovEngine
from citygate.findings import Finding
from citygate.paths import ROOT
from citygate.workflows import load_workflows
from tests.cases.objects import ObjectRun

ACTIONLINT = Path(sys.executable).with_name("actionlint")


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run from the repository root, so local composite actions (./.github/actions/...) are checked too."""
    command = [str(ACTIONLINT), "-no-color", "-oneline", *map(str, files)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_actionlint_accepts_the_workflows() -> None:
    result = actionlint(*sorted(WORKFLOWS.glob("*.yml")))
    assert (result.returncode, result.stdout) == (0, "")


def test_actionlint_rejects_a_broken_workflow() -> None:
    result = actionlint(FIXTURES / "broken" / "undefined_needs.yml")
    assert result.returncode == 1
    assert 'needs job "gaet" which does not exist' in result.stdout


def test_actionlint_rejects_a_script_injection(object_run: ObjectRun) -> None:
    """The catalogue's script injection case (CG-CICD-11), which Checkov and the scenario fail too."""
    result = actionlint(object_run.case("CG-CICD-11/script-injection").path / "release.yml")
    assert result.returncode == 1
    assert "potentially untrusted" in result.stdout


@pytest.fixture(scope="module")
def checkov_findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Finding]]:
    """One Checkov run over the repository's workflows, findings by file name (the catalogue's
    CI/CD cases prove Checkov fails what it should: tests/cases)."""
    folder = tmp_path_factory.mktemp("workflows")
    for source in WORKFLOWS.glob("*.yml"):
        shutil.copyfile(source, folder / source.name)
    findings = CheckovEngine().run(GateInput(load_workflows(folder), folder), timeout=300)
    by_file: dict[str, list[Finding]] = {}
    for finding in findings:
        by_file.setdefault(Path(finding.file).name, []).append(finding)
    return by_file


def test_checkov_passes_the_workflows(checkov_findings: dict[str, list[Finding]]) -> None:
    for workflow in WORKFLOWS.glob("*.yml"):
        assert checkov_findings.get(workflow.name, []) == []
