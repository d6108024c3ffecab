"""`load_workflows`: GitHub workflows as the normalized Inventory every engine reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from cicd_support import WORKFLOWS

from citygate.errors import CitygateError
from citygate.workflows import load_workflows

MINIMAL = """\
on:
  push:
    branches: [main]
jobs:
  build:
    runs-on: ubuntu-24.04
    env: {LEGACY: yes, SWITCH: off, FLAG: true}
    steps: [{run: make test}]
  deploy:
    needs: build
    runs-on: ubuntu-24.04
    steps: [{run: make deploy}]
"""


def write(tmp_path: Path, text: str, name: str = "ci.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_resource_per_workflow_and_per_job() -> None:
    inventory = load_workflows(WORKFLOWS)
    assert inventory.kind == "github_workflows"
    assert inventory.source == "workflows"
    addresses = {r.address for r in inventory.resources}
    assert {"Workflow/pr.yml", "Workflow/release.yml", "Workflow/pr.yml/jobs/gate-dev"} <= addresses
    assert {r.type for r in inventory.resources} == {"github_workflow", "github_job"}
    release_jobs = inventory.by_type("github_job")
    assert all(job.file.endswith((".yml", ".yaml")) for job in release_jobs)


def test_needs_become_references_to_job_addresses(tmp_path: Path) -> None:
    inventory = load_workflows(write(tmp_path, MINIMAL))
    deploy = next(r for r in inventory.resources if r.name == "deploy")
    assert deploy.references == {"needs": ("Workflow/ci.yml/jobs/build",)}
    build = next(r for r in inventory.resources if r.name == "build")
    assert build.references == {}


def test_on_is_a_key_and_booleans_are_yaml_1_2(tmp_path: Path) -> None:
    """PyYAML's YAML 1.1 would turn `on:` into True and `yes`/`off` into booleans; GitHub does not."""
    workflow = load_workflows(write(tmp_path, MINIMAL)).by_type("github_workflow")[0]
    assert workflow.values["on"] == {"push": {"branches": ["main"]}}
    assert True not in workflow.values
    env = workflow.values["jobs"]["build"]["env"]
    assert env == {"LEGACY": "yes", "SWITCH": "off", "FLAG": True}


def test_a_single_file_or_yaml_suffix(tmp_path: Path) -> None:
    inventory = load_workflows(write(tmp_path, MINIMAL, "ci.yaml"))
    assert inventory.origin.endswith("ci.yaml")
    assert len(inventory.resources) == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("jobs: [unclosed", "unreadable workflow"),
        ("- just\n- a list\n", "must be a mapping"),
        ("on: push\n", "needs a `jobs` mapping"),
        ("on: push\njobs: {}\n", "needs a `jobs` mapping"),
        ("on: push\njobs: {build: run-me}\n", "needs a `jobs` mapping"),
    ],
)
def test_anything_but_a_workflow_fails_closed(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(CitygateError, match=message) as error:
        load_workflows(path)
    assert error.value.where == str(path)


def test_a_missing_path_or_an_empty_folder_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(CitygateError, match="no such file"):
        load_workflows(tmp_path / "absent")
    with pytest.raises(CitygateError, match="no workflow files"):
        load_workflows(tmp_path)
