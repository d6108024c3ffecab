"""Every image the workflows build has a Dockerfile in its context that passes our Dockerfile policies
(policies/rego/docker) and Trivy's Dockerfile checks (what CI's `trivy config` runs); and both block the
ways a Dockerfile regresses."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from citygate.engines.external import find_tool, venv_bin
from citygate.engines.policyset import load_policy_set
from citygate.engines.rego import compile_policies, evaluate
from citygate.engines.trivy import BIN_ENV
from citygate.paths import REGO_DIR, ROOT
from tests.api.dockerfiles import rego_input

WORKFLOWS = ("pr.yml", "release.yml")
API_DOCKERFILE = ROOT / "workloads" / "api" / "Dockerfile"


def matrix_dockerfiles() -> dict[str, Path]:
    """`<workflow>:<image>` -> the Dockerfile its build step uses (`file`, else `<context>/Dockerfile`)."""
    found: dict[str, Path] = {}
    for workflow in WORKFLOWS:
        document = yaml.safe_load((ROOT / ".github" / "workflows" / workflow).read_text())
        for job in document["jobs"].values():
            matrix: dict[str, Any] = (job.get("strategy") or {}).get("matrix") or {}
            includes = {entry["image"]: entry for entry in matrix.get("include", []) if "image" in entry}
            for image in matrix.get("image", []):
                entry = includes.get(image, {})
                context = ROOT / entry.get("context", f"workloads/{image}")
                found[f"{workflow}:{image}"] = ROOT / entry["file"] if "file" in entry else context / "Dockerfile"
    return found


def denied(dockerfiles: dict[str, Path]) -> list[tuple[str, str, str]]:
    policy_set = load_policy_set(REGO_DIR / "docker")
    results = evaluate(policy_set, compile_policies(policy_set), rego_input(dockerfiles))
    return sorted((f.id, f.resource, f.message) for f in policy_set.findings(results, "rego") if f.status == "fail")


def trivy_failures(folder: Path) -> set[tuple[str, str]]:
    """(file, check id) of each failed Trivy Dockerfile check under `folder` (offline, embedded checks)."""
    trivy = find_tool("trivy", BIN_ENV, (venv_bin("trivy"),))
    command = [str(trivy), "config", "--skip-check-update", "--skip-version-check",
               "--misconfig-scanners", "dockerfile", "--format", "json", "--quiet", str(folder)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    results = json.loads(done.stdout).get("Results") or []
    assert results, "Trivy judged no Dockerfile"
    return {
        (result["Target"], misconfig["ID"])
        for result in results
        for misconfig in result.get("Misconfigurations") or []
        if misconfig["Status"] == "FAIL"
    }


def test_every_matrix_image_has_a_dockerfile() -> None:
    dockerfiles = matrix_dockerfiles()
    images = {name.split(":", 1)[1] for name in dockerfiles}
    assert {"api", "web", "inference", "pipeline", "loadtest"} <= images
    assert [name for name, path in dockerfiles.items() if not path.is_file()] == []


def test_every_matrix_dockerfile_passes_our_policies() -> None:
    dockerfiles = {str(path.relative_to(ROOT)): path for path in set(matrix_dockerfiles().values())}
    assert denied(dockerfiles) == []


def test_every_matrix_dockerfile_passes_trivy(tmp_path: Path) -> None:
    for name, path in matrix_dockerfiles().items():
        target = tmp_path / name.replace(":", "_")
        target.mkdir()
        (target / "Dockerfile").write_bytes(path.read_bytes())
    assert trivy_failures(tmp_path) == set()


# rule -> (pattern, replacement) turning the API's Dockerfile into one that breaks only that rule
REGRESSIONS = {
    "CG_DOCKER_001": (r"@sha256:[0-9a-f]{64}", ""),
    "CG_DOCKER_002": (r"python:3\.11-slim-bookworm@", "python:latest@"),
    "CG_DOCKER_003": (r"USER 10001:10001", "USER citysense"),
    "CG_DOCKER_004": (r"WORKDIR /app", "ADD https://example.com/tool.tar.gz /opt/\nWORKDIR /app"),
    "CG_DOCKER_005": (r"HEALTHCHECK [^\n]*\\\n[^\n]*\n", ""),
}


@pytest.mark.parametrize("rule", sorted(REGRESSIONS))
def test_a_regressed_dockerfile_is_denied_by_its_rule(rule: str, tmp_path: Path) -> None:
    pattern, replacement = REGRESSIONS[rule]
    text, replaced = re.subn(pattern, replacement, API_DOCKERFILE.read_text())
    assert replaced
    broken = tmp_path / "Dockerfile"
    broken.write_text(text)
    assert {finding[0] for finding in denied({"api": broken})} == {rule}


def test_policies_cover_every_rule_with_a_regression() -> None:
    assert set(load_policy_set(REGO_DIR / "docker").metadata) == set(REGRESSIONS)


def test_trivy_blocks_an_image_running_as_root(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(API_DOCKERFILE.read_text().replace("USER 10001:10001", "USER root"))
    assert ("Dockerfile", "DS-0002") in trivy_failures(tmp_path)  # "Image user should not be 'root'"
