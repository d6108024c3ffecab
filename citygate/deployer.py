"""`deploy --in-vpc`: run the deploy on the environment's in-VPC deployer and wait for its verdict.

The EKS endpoint is private, so a GitHub-hosted runner cannot talk to the cluster. The workflow's deploy role may
start one CodeBuild project, `citygate-<env>-deployer` (stacks/runner.py), which runs in the private subnets, checks
out the same commit and runs `deploy` there (gate, dry run, apply) with the release's records. This waits for the
build: its success is the deploy's; a failed build is a failed deploy (1), a stopped, faulted or overdue one an
error (2), each with the build id and its log group.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from citygate.errors import EXIT_CLEAN, EXIT_VIOLATIONS, CitygateError

PROJECT = "citygate"
POLL_SECONDS = 10.0
SUCCEEDED = "SUCCEEDED"
FAILED = "FAILED"  # the deploy inside failed (its gate, dry run or apply); any other end is the build's own fault


def project_name(env: str) -> str:
    """The deployer the stacks create for `env`."""
    return f"{PROJECT}-{env}-deployer"


def release_images(records: dict[str, str]) -> str:
    """The release's digest records as the one variable the deployer's buildspec reads (`RELEASE_IMAGES`)."""
    return " ".join(records[name] for name in sorted(records))


def run_build(
    codebuild: Any,
    env: str,
    variables: dict[str, str],
    source_version: str | None,
    timeout: float,
    poll: float = POLL_SECONDS,
    say: Callable[[str], None] = print,
    stage: str = "deploy",
) -> dict[str, Any]:
    """Start the deployer for `env` with `variables`, wait up to `timeout` seconds; the finished build."""
    request: dict[str, Any] = {"projectName": project_name(env)}
    if source_version:
        request["sourceVersion"] = source_version
    if variables:
        request["environmentVariablesOverride"] = [
            {"name": name, "value": value, "type": "PLAINTEXT"} for name, value in variables.items()
        ]
    build: dict[str, Any] = codebuild.start_build(**request)["build"]
    build_id = build["id"]
    say(f"started the in-VPC deployer: build {build_id}")
    give_up = time.monotonic() + timeout
    while build.get("buildStatus", "IN_PROGRESS") == "IN_PROGRESS":
        if time.monotonic() >= give_up:
            codebuild.stop_build(id=build_id)
            raise CitygateError(f"build {build_id} did not finish within {timeout:g}s; stopped it", stage)
        time.sleep(poll)
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
    return build


def log_group(build: dict[str, Any], env: str) -> str:
    return str(build.get("logs", {}).get("groupName", f"/aws/codebuild/{project_name(env)}"))


def run_in_vpc(
    codebuild: Any,
    env: str,
    records: dict[str, str] | None,
    source_version: str | None,
    timeout: float,
    poll: float = POLL_SECONDS,
    say: Callable[[str], None] = print,
) -> int:
    """Start the deployer for `env` with the release's records, wait up to `timeout` seconds; an exit code."""
    variables = {"RELEASE_IMAGES": release_images(records)} if records else {}
    build = run_build(codebuild, env, variables, source_version, timeout, poll, say)
    build_id, status, logs = build["id"], build["buildStatus"], log_group(build, env)
    if status == FAILED:
        say(f"the deploy failed in build {build_id}; its log: {logs}")
        return EXIT_VIOLATIONS
    if status != SUCCEEDED:
        raise CitygateError(f"build {build_id} ended {status}; its log: {logs}", "deploy")
    say(f"deployed {env} from inside the VPC (build {build_id}, {status})")
    return EXIT_CLEAN
