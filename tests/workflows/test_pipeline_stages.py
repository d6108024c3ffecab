"""The PR and release workflows implement the promotion path in the right order, with the right gates.

These read the workflows as data (no GitHub needed): stage order through the `needs` graph, what each
stage runs, and how the pipeline authenticates and pins what it runs.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

import pytest
import yaml
from cicd_support import COMPOSITE_ACTIONS, DEPENDABOT, WORKFLOWS

from citygate.paths import ROOT

Jobs = dict[str, dict[str, Any]]
Position = tuple[str, int]  # (job id, step index); -1 is the job's start (where an environment's approval waits)
Stage = tuple[str, Callable[[Jobs], set[Position]]]

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
    images = only(
        {
            job_id
            for job_id, job in pr.items()
            if any(s["with"]["push"] is False for s in uses(job, "docker/build-push-action"))
        }
    )
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
    images = only({job_id for job_id, job in pr.items() if uses(job, "snyk/actions/setup")})
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
    e2e = only(jobs_running(release, r"main\.py smoke --base-url \S+"))
    loadtest = only(jobs_running(release, r"main\.py loadtest --in-cluster --env staging --in-vpc"))
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


# ---------------------------------------------------------------- the design's stage order, stage by stage
def step_positions(predicate: Callable[[dict[str, Any]], bool]) -> Callable[[Jobs], set[Position]]:
    """Where a stage happens: every step, in any job, that `predicate` recognises."""

    def find(jobs: Jobs) -> set[Position]:
        return {
            (job_id, index)
            for job_id, job in jobs.items()
            for index, step in enumerate(job.get("steps", []))
            if predicate(step)
        }

    return find


def running(pattern: str) -> Callable[[Jobs], set[Position]]:
    return step_positions(lambda step: bool(re.search(pattern, step.get("run", ""))))


def building(push: bool) -> Callable[[Jobs], set[Position]]:
    return step_positions(
        lambda step: (
            step.get("uses", "").startswith("docker/build-push-action@") and bool(step["with"].get("push")) is push
        )
    )


def using(action: str) -> Callable[[Jobs], set[Position]]:
    return step_positions(lambda step: step.get("uses", "").startswith(f"{action}@"))


def approval(jobs: Jobs) -> set[Position]:
    """Required reviewers approve before the first step of a job in `production`."""
    return {(job_id, -1) for job_id, job in jobs.items() if environment(job) == "production"}


def notifying(jobs: Jobs) -> set[Position]:
    """`main.py notify` in a job that runs whatever happened before it (so a failure is reported too)."""
    always = {job_id for job_id, job in jobs.items() if str(job.get("if", "")).startswith("always()")}
    return {position for position in running(r"main\.py notify ")(jobs) if position[0] in always}


def every(*finders: Callable[[Jobs], set[Position]]) -> Callable[[Jobs], set[Position]]:
    """A stage of several parts (lint + SonarQube): all of them, or nothing when one part is missing."""

    def find(jobs: Jobs) -> set[Position]:
        parts = [find(jobs) for find in finders]
        return set().union(*parts) if all(parts) else set()

    return find


PR_DESIGN: Sequence[Stage] = (
    ("lint + SonarQube", every(running(r"\bmake lint\b"), running(r"\bmake typecheck\b"), using("SonarSource/sonarqube-scan-action"))),
    ("unit/integration tests", running(r"\bmake test\b")),
    ("image build", building(push=False)),
    ("Trivy + Snyk scan", every(running(r"trivy image --exit-code 1"), running(r"snyk container test"))),
    ("deploy dev", running(r"main\.py deploy --env dev\b")),
    ("push ECR dev", building(push=True)),
    ("notify", notifying),
)  # fmt: skip

# The design lists "deploy prod -> push/promote ECR prod"; prod deploys by digest from prod's own registry (its
# deployer checks the registry holds every record), so the promotion must land first: promote, then deploy.
RELEASE_DESIGN: Sequence[Stage] = (
    ("build/tag", every(using("docker/metadata-action"), building(push=False))),
    ("push ECR staging", building(push=True)),
    ("plan/apply staging", running(r"main\.py apply --env staging\b")),
    ("deploy staging", running(r"main\.py deploy --env staging\b")),
    ("E2E smoke", running(r"main\.py smoke --base-url")),
    ("Locust gate", running(r"main\.py loadtest --in-cluster --env staging")),
    ("manual approval", approval),
    ("apply prod", running(r"main\.py apply --env prod\b")),
    ("promote ECR prod", running(r"main\.py promote-images --from staging --to prod")),
    ("deploy prod", running(r"main\.py deploy --env prod\b")),
    ("notify", notifying),
)


def precedes(jobs: Jobs, first: Position, then: Position) -> bool:
    """`first` is done before `then` starts: an earlier step of the same job, or a job `then` needs."""
    return first[0] in ancestors(jobs, then[0]) or (first[0] == then[0] and first[1] < then[1])


def design_violations(jobs: Jobs, design: Sequence[Stage]) -> list[str]:
    """Every stage is somewhere, and all of it is done before any of the next stage starts."""
    found = [(name, find(jobs)) for name, find in design]
    problems = [f"{name}: no step does it" for name, positions in found if not positions]
    for (name, earlier), (next_name, later) in itertools.pairwise(found):
        problems += [
            f"{name} ({a[0]}) is not done before {next_name} ({b[0]}) starts"
            for a, b in sorted(itertools.product(earlier, later))
            if not precedes(jobs, a, b)
        ]
    return problems


@pytest.mark.parametrize(("workflow", "design"), [("pr.yml", PR_DESIGN), ("release.yml", RELEASE_DESIGN)])
def test_the_stages_run_in_the_designs_order(
    workflows: dict[str, dict[str, Any]], workflow: str, design: Sequence[Stage]
) -> None:
    assert design_violations(workflows[workflow]["jobs"], design) == []


def test_smoke_before_the_staging_deploy_breaks_the_order(release: Jobs) -> None:
    mutated = copy.deepcopy(release)
    mutated["e2e"]["needs"] = ["staging-gate", "images"]  # no longer waits for the deploy
    assert "deploy staging (staging-release) is not done before E2E smoke (e2e) starts" in design_violations(
        mutated, RELEASE_DESIGN
    )


@pytest.mark.parametrize("workflow", ["pr.yml", "release.yml"])
def test_a_missing_or_conditional_notify_breaks_the_order(workflows: dict[str, dict[str, Any]], workflow: str) -> None:
    design = PR_DESIGN if workflow == "pr.yml" else RELEASE_DESIGN
    without = {k: v for k, v in workflows[workflow]["jobs"].items() if k != "notify"}
    assert design_violations(without, design) == ["notify: no step does it"]
    only_on_success = copy.deepcopy(workflows[workflow]["jobs"])
    del only_on_success["notify"]["if"]  # a failed release would then tell no one
    assert design_violations(only_on_success, design) == ["notify: no step does it"]


def test_approval_before_the_load_test_breaks_the_order(release: Jobs) -> None:
    mutated = copy.deepcopy(release)
    mutated["prod-gate"]["needs"] = "e2e"
    assert "Locust gate (loadtest) is not done before manual approval (prod-release) starts" in design_violations(
        mutated, RELEASE_DESIGN
    )


def test_tests_that_do_not_wait_for_sonarqube_break_the_order(pr: Jobs) -> None:
    mutated = copy.deepcopy(pr)
    mutated["test"]["needs"] = ["lint", "typecheck"]  # SonarQube's quality gate no longer blocks the tests
    assert design_violations(mutated, PR_DESIGN) == [
        "lint + SonarQube (sonarqube) is not done before unit/integration tests (test) starts"
    ]


@pytest.mark.parametrize("scanner", ["SonarSource/sonarqube-scan-action", "snyk/actions/setup"])
def test_a_missing_scanner_breaks_the_order(pr: Jobs, scanner: str) -> None:
    mutated = copy.deepcopy(pr)
    for job in mutated.values():
        job["steps"] = [s for s in job.get("steps", []) if not s.get("uses", "").startswith(scanner)]
        if scanner.startswith("snyk"):
            job["steps"] = [s for s in job["steps"] if "snyk container test" not in s.get("run", "")]
    stage = "lint + SonarQube" if scanner.startswith("Sonar") else "Trivy + Snyk scan"
    assert f"{stage}: no step does it" in design_violations(mutated, PR_DESIGN)


@pytest.mark.parametrize("workflow", ["pr.yml", "release.yml"])
def test_notify_waits_for_every_job_and_posts_to_slack_and_jira(
    workflows: dict[str, dict[str, Any]], workflow: str
) -> None:
    """Secrets only through env; when absent each step says so with a notice and passes, never pretends it posted."""
    jobs = workflows[workflow]["jobs"]
    assert ancestors(jobs, "notify") == set(jobs) - {"notify"}
    assert jobs["notify"]["if"] == "always()"
    (download,) = uses(jobs["notify"], "actions/download-artifact")
    assert download["with"]["pattern"] == "report-*"
    slack, jira = step_named(jobs["notify"], r"^Slack$"), step_named(jobs["notify"], r"^Jira$")
    assert slack["env"]["SLACK_WEBHOOK_URL"] == "${{ secrets.SLACK_WEBHOOK_URL }}"
    assert "--slack-webhook-env SLACK_WEBHOOK_URL" in slack["run"]
    assert {jira["env"][name] for name in ("JIRA_USER", "JIRA_API_TOKEN")} == {
        "${{ secrets.JIRA_USER }}",
        "${{ secrets.JIRA_API_TOKEN }}",
    }
    assert '--jira-url "$JIRA_URL" --project "$JIRA_PROJECT"' in jira["run"]
    for step, service in ((slack, "Slack"), (jira, "Jira")):
        assert "secrets." not in step["run"]
        assert re.search(
            rf'if \[ -z "\$\w+" \].*\n\s+echo "::notice title={service} skipped::.*\n\s+exit 0', step["run"]
        )
    reports = {
        upload["with"]["name"]
        for job in jobs.values()
        for upload in uses(job, "actions/upload-artifact")
        if upload["with"]["name"].startswith("report-")
    }
    assert reports == (
        {"report-dev-gate"}
        if workflow == "pr.yml"
        else {"report-staging-gate", "report-staging-loadtest", "report-prod-gate"}
    )


def test_release_smoke_and_load_test_leave_their_evidence(release: Jobs) -> None:
    """The smoke suite expects the staging WAF and uploads its JUnit; Locust runs in the cluster, via the deployer.

    The inference service has no public route: the runner cannot load it, the in-VPC deployer starts the Jobs.
    """
    (smoke,) = [step for step in release["e2e"]["steps"] if "main.py smoke" in step.get("run", "")]
    assert "--no-waf" not in smoke["run"] and "--junit reports/smoke-junit.xml" in smoke["run"]
    assert smoke["env"]["STAGING_URL"] == "${{ vars.STAGING_URL }}"
    (upload,) = uses(release["e2e"], "actions/upload-artifact")
    assert "reports/smoke-junit.xml" in upload["with"]["path"] and upload["if"].startswith("always()")
    loadtest = release["loadtest"]
    assert re.search(r"main\.py loadtest --in-cluster --env staging --in-vpc .*--json reports/", script(loadtest))
    assert "--host" not in script(loadtest) and environment(loadtest) == "staging"
    (credentials,) = uses(loadtest, "aws-actions/configure-aws-credentials")
    assert credentials["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN_STAGING_DEPLOY }}"
