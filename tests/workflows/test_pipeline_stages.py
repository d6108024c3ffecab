"""The PR and release workflows implement the promotion path in the right order, with the right gates.

These read the workflows as data (no GitHub needed): stage order through the `needs` graph, what each
stage runs, and how the pipeline authenticates and pins what it runs.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml
from cicd_support import COMPOSITE_ACTIONS, DEPENDABOT, WORKFLOWS

from citygate.paths import ROOT

Jobs = dict[str, dict[str, Any]]

IMAGES = {"api", "web", "inference", "pipeline", "loadtest"}
PINNED_USES = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
ROLE = re.compile(r"^\$\{\{ vars\.AWS_ROLE_ARN_[A-Z_]+ \}\}$")


def ancestors(jobs: Jobs, job_id: str) -> set[str]:
    """Every job that must finish before `job_id` starts (its `needs`, transitively)."""
    needs = jobs[job_id].get("needs", [])
    direct = {needs} if isinstance(needs, str) else set(needs)
    return direct.union(*(ancestors(jobs, n) for n in direct))


def script(job: dict[str, Any]) -> str:
    return "\n".join(step["run"] for step in job.get("steps", []) if "run" in step)


def jobs_running(jobs: Jobs, pattern: str) -> set[str]:
    return {job_id for job_id, job in jobs.items() if re.search(pattern, script(job))}


def only(found: set[str]) -> str:
    assert len(found) == 1, found
    return next(iter(found))


def uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in job.get("steps", []) if step.get("uses", "").startswith(f"{action}@")]


def environment(job: dict[str, Any]) -> str:
    env = job.get("environment", "")
    return env["name"] if isinstance(env, dict) else env


@pytest.fixture(scope="module")
def pr(workflows: dict[str, dict[str, Any]]) -> Jobs:
    return workflows["pr.yml"]["jobs"]


@pytest.fixture(scope="module")
def release(workflows: dict[str, dict[str, Any]]) -> Jobs:
    return workflows["release.yml"]["jobs"]


def test_triggers(workflows: dict[str, dict[str, Any]]) -> None:
    assert set(workflows["pr.yml"]["on"]) == {"pull_request"}
    assert workflows["release.yml"]["on"] == {"push": {"branches": ["release/*"], "tags": ["v*"]}}


def test_pr_runs_every_check_before_deploying_to_dev(pr: Jobs) -> None:
    deploy = only(jobs_running(pr, r"main\.py deploy --env dev"))
    lint, typecheck, tests = (only(jobs_running(pr, rf"make {t}\b")) for t in ("lint", "typecheck", "test"))
    gate = only(jobs_running(pr, r"main\.py plan --env dev") & jobs_running(pr, r"main\.py check"))
    scans = jobs_running(pr, r"trivy (image|config) --exit-code 1 --severity HIGH,CRITICAL")
    policy = only(jobs_running(pr, r"test_rego_policies\.py"))
    assert {lint, typecheck, tests, gate, policy, *scans} <= ancestors(pr, deploy)
    assert len(scans) == 2
    assert environment(pr[deploy]) == "dev"


def test_pr_gate_reports_to_code_scanning_and_the_job_summary(pr: Jobs) -> None:
    gate = only(jobs_running(pr, r"main\.py check --plan \S+ --format sarif --output gate\.sarif"))
    assert re.search(r'--format markdown >> "\$GITHUB_STEP_SUMMARY"', script(pr[gate]))
    (upload,) = uses(pr[gate], "github/codeql-action/upload-sarif")
    assert upload["with"]["sarif_file"] == "gate.sarif"
    assert upload["if"].startswith("always()")
    assert pr[gate]["permissions"]["security-events"] == "write"


def test_pr_builds_and_scans_every_image_without_pushing(pr: Jobs) -> None:
    images = only({job_id for job_id, job in pr.items() if uses(job, "docker/build-push-action")})
    assert set(pr[images]["strategy"]["matrix"]["image"]) == IMAGES
    (build,) = uses(pr[images], "docker/build-push-action")
    assert build["with"]["push"] is False
    assert re.search(r"trivy image --exit-code 1 --severity HIGH,CRITICAL", script(pr[images]))


def step_named(job: dict[str, Any], pattern: str) -> dict[str, Any]:
    (step,) = (step for step in job.get("steps", []) if re.search(pattern, step.get("name", "")))
    return step


def test_pr_runs_sonarqube_beside_lint_and_its_quality_gate_blocks(pr: Jobs) -> None:
    """The design's first PR stage is lint + SonarQube: the analysis waits for the quality gate before dev."""
    sonar = only({job_id for job_id, job in pr.items() if uses(job, "SonarSource/sonarqube-scan-action")})
    (scan,) = uses(pr[sonar], "SonarSource/sonarqube-scan-action")
    assert "-Dsonar.qualitygate.wait=true" in scan["with"]["args"]
    assert scan["env"]["SONAR_TOKEN"] == "${{ secrets.SONAR_TOKEN }}"
    assert sonar in ancestors(pr, only(jobs_running(pr, r"main\.py deploy --env dev")))
    checkout = uses(pr[sonar], "actions/checkout")[0]
    assert checkout["with"]["fetch-depth"] == 0
    assert (ROOT / "sonar-project.properties").is_file()


def test_pr_scans_every_image_with_snyk_after_trivy_or_says_it_did_not(pr: Jobs) -> None:
    """Trivy + Snyk, in the design's order; without a token the Snyk step is skipped with a notice, never passed."""
    images = only({job_id for job_id, job in pr.items() if uses(job, "docker/build-push-action")})
    steps = pr[images]["steps"]
    trivy = steps.index(step_named(pr[images], r"^Trivy image scan"))
    snyk = steps.index(step_named(pr[images], r"^Snyk open-source"))
    assert trivy < snyk
    assert re.search(r"snyk container test .*--severity-threshold=high", steps[snyk]["run"])
    assert steps[snyk]["if"] == "steps.snyk.outputs.enabled == 'true'"
    assert "::notice title=Snyk skipped::" in step_named(pr[images], r"Snyk configured")["run"]
    assert uses(pr[images], "snyk/actions/setup")


def test_release_promotes_in_order(release: Jobs) -> None:
    """gate(staging) -> apply(staging) -> e2e -> load test -> gate(prod) -> approval -> apply(prod)."""
    staging_apply = only(jobs_running(release, r"main\.py apply --env staging"))
    staging_gate = only(
        jobs_running(release, r"main\.py plan --env staging") & jobs_running(release, r"main\.py check")
    )
    e2e = only(jobs_running(release, r"pytest .*-m e2e"))
    loadtest = only(jobs_running(release, r"main\.py loadtest --host \S+ --profile staging"))
    prod_gate = only(jobs_running(release, r"main\.py plan --env prod") & jobs_running(release, r"main\.py check"))
    prod_apply = only(jobs_running(release, r"main\.py apply --env prod"))
    images = only({job_id for job_id, job in release.items() if uses(job, "docker/build-push-action")})

    assert staging_gate in ancestors(release, staging_apply)
    assert staging_apply in ancestors(release, e2e)
    assert e2e in ancestors(release, loadtest)
    assert loadtest in ancestors(release, prod_gate)
    assert prod_gate in ancestors(release, prod_apply)
    assert images in ancestors(release, staging_apply) & ancestors(release, prod_apply)
    assert jobs_running(release, r"main\.py deploy --env staging") == {staging_apply}
    assert jobs_running(release, r"main\.py deploy --env prod") == {prod_apply}


def test_production_needs_the_load_test_and_the_approval(release: Jobs) -> None:
    """The only job in `production` (required reviewers) is the one that changes prod, after the load test."""
    production = {job_id for job_id, job in release.items() if environment(job) == "production"}
    loadtest = only(jobs_running(release, r"main\.py loadtest"))
    changes_prod = jobs_running(release, r"main\.py (apply|deploy|destroy) --env prod")
    assert production == changes_prod
    assert all(loadtest in ancestors(release, job_id) for job_id in production)
    assert all(environment(job) == "staging" for job in release.values() if "--env staging" in script(job))


def test_images_are_semver_tagged_pushed_by_digest_and_signed(release: Jobs) -> None:
    images = only({job_id for job_id, job in release.items() if uses(job, "docker/build-push-action")})
    job = release[images]
    assert set(job["strategy"]["matrix"]["image"]) == IMAGES
    (meta,) = uses(job, "docker/metadata-action")
    assert "type=semver,pattern={{version}}" in meta["with"]["tags"]
    # pushed into the staging repository the stacks create, whose tags are immutable: no tag may move
    assert meta["with"]["images"].endswith("/citygate/staging/${{ matrix.image }}")
    assert not re.search(r"\{\{major\}\}\.\{\{minor\}\}|type=ref|latest", meta["with"]["tags"])
    push = next(step for step in uses(job, "docker/build-push-action") if step["with"].get("push") is True)
    digest_ref = "@${{ steps." + push["id"] + ".outputs.digest }}"
    signing = [step for step in job["steps"] if "cosign sign" in step.get("run", "")]
    assert signing and signing[0]["env"]["IMAGE"].endswith(digest_ref)
    assert "cosign attest" in signing[0]["run"]
    for deploy in jobs_running(release, r"main\.py deploy"):
        (download,) = uses(release[deploy], "actions/download-artifact")
        assert download["with"]["pattern"] == "digest-*"
        (step,) = [step for step in release[deploy]["steps"] if "main.py deploy" in step.get("run", "")]
        assert step["env"]["CITYGATE_IMAGE_DIGESTS"] == download["with"]["path"]  # deploy pins exactly these


def test_aws_only_by_oidc_role_per_environment(workflows: dict[str, dict[str, Any]]) -> None:
    for workflow in workflows.values():
        assert workflow["permissions"] == {}
        assert workflow["concurrency"]["group"]
        for job in workflow["jobs"].values():
            assume = uses(job, "aws-actions/configure-aws-credentials")
            assert (job["permissions"].get("id-token") == "write") == bool(assume)
            for step in assume:
                assert ROLE.match(step["with"]["role-to-assume"])
                assert not {"aws-access-key-id", "aws-secret-access-key"} & set(step["with"])


def test_every_action_is_pinned_to_a_commit_with_its_version() -> None:
    files = [*WORKFLOWS.glob("*.yml"), *COMPOSITE_ACTIONS.rglob("action.yml")]
    references = [
        line.split("uses:", 1)[1].strip()
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(("uses:", "- uses:"))
    ]
    assert len(references) > 20
    unpinned = [ref for ref in references if not ref.startswith("./") and not PINNED_USES.match(ref)]
    assert unpinned == []


def test_dependabot_watches_every_ecosystem() -> None:
    config = yaml.safe_load(DEPENDABOT.read_text(encoding="utf-8"))
    assert config["version"] == 2
    assert {update["package-ecosystem"] for update in config["updates"]} == {"pip", "npm", "github-actions", "docker"}


def test_what_the_pipeline_calls_exists(workflows: dict[str, dict[str, Any]]) -> None:
    """Make targets and test files named in the workflows are real, so the pipeline cannot drift from the repo."""
    scripts = "\n".join(script(job) for workflow in workflows.values() for job in workflow["jobs"].values())
    action = (COMPOSITE_ACTIONS / "setup" / "action.yml").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([\w-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE))
    called = {t for line in re.findall(r"\bmake ((?:[\w-]+ ?)+)", scripts + action) for t in line.split()}
    assert called and called <= targets
    test_files = set(re.findall(r"\btests/\S+\.py\b", scripts))
    assert test_files and all((ROOT / path).is_file() for path in test_files)


def test_pr_config_scan_covers_every_dockerfile(pr: Jobs) -> None:
    """A Dockerfile added outside the scanned folders would ship unreviewed by Trivy's config checks."""
    scanned = re.findall(r"trivy config .* (\S+)$", script(pr["trivy-config"]), re.MULTILINE)
    found = (path.relative_to(ROOT) for path in ROOT.glob("*/**/Dockerfile"))
    dockerfiles = [path for path in found if not path.parts[0].startswith(".")]  # not .venv, .tools
    assert dockerfiles
    assert [path for path in dockerfiles if path.parts[0] not in scanned] == []
