"""Our CI/CD Rego policies: their unit tests, the repository's workflows and mutated workflows.

A policy that cannot fail enforces nothing: every rule belongs to a control whose catalogue cases make
it fail (tests/cases), and the repository's own workflows, mutated the ways a pipeline regresses, must
be caught.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cicd_support import CICD_POLICIES, WORKFLOWS, Judge

from citygate.controls import load_catalogue
from citygate.engines.policyset import load_policy_set
from citygate.engines.rego import run_tests
from tests.cases.objects import ObjectRun

Mutation = Callable[[dict[str, Any]], None]


def failing_ids(judge: Judge, path: Path) -> set[str]:
    return {f.id for f in judge(path) if f.status == "fail"}


def test_rego_unit_tests_pass_with_full_coverage() -> None:
    result = run_tests(CICD_POLICIES)
    assert result.failed == []
    assert len(result.passed) >= 30
    assert result.coverage and min(result.coverage.values()) >= 0.95, result.coverage


def test_the_repository_workflows_pass_every_policy(judge: Judge) -> None:
    assert judge(WORKFLOWS) == []


def test_every_rule_belongs_to_a_control_with_cases() -> None:
    """tests/cases then proves each rule fails on a noncompliant case of its control."""
    rules = set(load_policy_set(CICD_POLICIES).metadata)
    with_cases = {rule for control in load_catalogue() if control.cases for rule in control.own_rules()}
    assert rules - with_cases == set()


def job(workflow: dict[str, Any], job_id: str) -> dict[str, Any]:
    jobs: dict[str, dict[str, Any]] = workflow["jobs"]
    return jobs[job_id]


def apply_before_gate(release: dict[str, Any]) -> None:
    job(release, "staging-release")["needs"] = ["checks", "images"]
    job(release, "staging-gate")["needs"] = ["staging-release"]


def unpinned_action(pr: dict[str, Any]) -> None:
    job(pr, "lint")["steps"][0]["uses"] = "actions/checkout@v6"


def long_lived_keys(release: dict[str, Any]) -> None:
    step = next(s for s in job(release, "staging-release")["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    step["with"] = {
        "aws-access-key-id": "${{ secrets.AWS_ACCESS_KEY_ID }}",
        "aws-secret-access-key": "${{ secrets.AWS_SECRET_ACCESS_KEY }}",
        "aws-region": "eu-west-1",
    }


def load_test_skipped(release: dict[str, Any]) -> None:
    job(release, "prod-gate")["needs"] = "e2e"


def production_unapproved(release: dict[str, Any]) -> None:
    del job(release, "prod-release")["environment"]


def workflow_write_token(pr: dict[str, Any]) -> None:
    pr["permissions"] = "write-all"


def workflow_wide_oidc(pr: dict[str, Any]) -> None:
    pr["permissions"] = {"contents": "read", "id-token": "write"}


def no_concurrency(release: dict[str, Any]) -> None:
    del release["concurrency"]


def cancellable_deploy(pr: dict[str, Any]) -> None:
    job(pr, "deploy-dev")["concurrency"]["cancel-in-progress"] = True


def pull_request_target_head(pr: dict[str, Any]) -> None:
    pr["on"] = {"pull_request_target": {"branches": ["main"]}}
    job(pr, "test")["steps"][0]["with"]["ref"] = "${{ github.event.pull_request.head.sha }}"


def unsigned_images(release: dict[str, Any]) -> None:
    images = job(release, "images")
    images["steps"] = [step for step in images["steps"] if "cosign" not in step.get("run", "")]


def secret_echoed(pr: dict[str, Any]) -> None:
    job(pr, "deploy-dev")["steps"].append({"run": "echo ${{ secrets.KUBECONFIG }}"})


MUTATIONS: list[tuple[str, Mutation, set[str]]] = [
    ("release.yml", apply_before_gate, {"CG_CICD_008"}),
    ("pr.yml", unpinned_action, {"CG_CICD_001"}),
    ("release.yml", long_lived_keys, {"CG_CICD_004", "CG_CICD_005"}),
    ("release.yml", load_test_skipped, {"CG_CICD_009"}),
    ("release.yml", production_unapproved, {"CG_CICD_010"}),
    ("pr.yml", workflow_write_token, {"CG_CICD_002"}),
    ("pr.yml", workflow_wide_oidc, {"CG_CICD_002", "CG_CICD_003"}),
    ("release.yml", no_concurrency, {"CG_CICD_006"}),
    ("pr.yml", cancellable_deploy, {"CG_CICD_007"}),
    ("pr.yml", pull_request_target_head, {"CG_CICD_011"}),
    ("pr.yml", secret_echoed, {"CG_CICD_012"}),
    ("release.yml", unsigned_images, {"CG_CICD_014"}),
]


@pytest.mark.parametrize(("name", "mutate", "expected"), MUTATIONS, ids=[m[1].__name__ for m in MUTATIONS])
def test_a_regressed_pipeline_is_caught(
    judge: Judge,
    workflows: dict[str, dict[str, Any]],
    write_workflow: Callable[[str, dict[str, Any]], Path],
    name: str,
    mutate: Mutation,
    expected: set[str],
) -> None:
    document = copy.deepcopy(workflows[name])
    mutate(document)
    assert failing_ids(judge, write_workflow(name, document)) == expected


def test_check_command_gates_the_workflows(object_run: ObjectRun) -> None:
    """`python main.py check --workflows DIR` runs these policies: exit 0 on ours, 1 on a noncompliant case."""
    from citygate.cli import main

    assert main(["check", "--workflows", str(WORKFLOWS), "--engines", "rego", "--format", "json"]) == 0
    bad = object_run.case("CG-CICD-6/apply-before-gate").path
    assert main(["check", "--workflows", str(bad), "--engines", "rego", "--format", "json"]) == 1
