"""`loadtest --in-cluster`: run the environment's Locust Jobs inside the cluster and read their verdict.

The inference service has no public route (ClusterIP behind the ALB's `/` and `/api`), so the load must come from
inside the cluster: the overlay's `loadtest-master` Job (`main.py loadtest ... --json -`, whose last log line is the
verdict) and its `loadtest-worker` Job. Jobs are immutable and run once, so each run creates copies named
`<job>-<run id>` instead of deleting and re-creating the deployed ones: nothing races a pending deletion, the deploy
keeps owning its objects, and earlier runs' pods and logs stay readable until their `ttlSecondsAfterFinished`.

Job Complete and a passing verdict: 0. Job Failed and a breach in the verdict: 1. Anything else (no master Job in
the overlay, no finish within the timeout, a verdict missing, unreadable or contradicting the Job): CitygateError.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from citygate.errors import CitygateError
from citygate.loadtest.slo import Measurement, Slo, SloResult
from citygate.model import Resource

MASTER = "loadtest-master"
WORKER = "loadtest-worker"
RUN_LABEL = "citygate.io/loadtest-run"
JOB_NAME_LABEL = "batch.kubernetes.io/job-name"  # set by the Job controller on its pods
WHERE = "loadtest --in-cluster"


class JobCluster(Protocol):
    """The four Job operations a run needs (`DynamicJobs` on a real cluster, a fake in tests)."""

    def create_job(self, namespace: str, body: dict[str, Any]) -> None: ...

    def job_status(self, namespace: str, name: str) -> dict[str, Any]: ...

    def delete_job(self, namespace: str, name: str) -> None: ...

    def job_log(self, namespace: str, name: str) -> str: ...


@contextmanager
def _api(action: str) -> Iterator[None]:
    """A refused or failed API call is one line naming the action, never a traceback."""
    from kubernetes.client.exceptions import ApiException
    from kubernetes.dynamic.exceptions import DynamicApiError
    from urllib3.exceptions import HTTPError

    try:
        yield
    except (ApiException, DynamicApiError) as exc:
        raise CitygateError(f"cannot {action}: {getattr(exc, 'reason', None) or exc}", WHERE) from exc
    except (HTTPError, OSError) as exc:
        raise CitygateError(f"cannot {action}: {type(exc).__name__}", WHERE) from exc


class DynamicJobs:
    """`JobCluster` over a `kubernetes.dynamic.DynamicClient` (what `deploy.connect` returns)."""

    def __init__(self, client: Any) -> None:
        self.client = client
        with _api("discover the Job and Pod APIs"):
            self.jobs = client.resources.get(api_version="batch/v1", kind="Job")
            self.pods = client.resources.get(api_version="v1", kind="Pod")

    def create_job(self, namespace: str, body: dict[str, Any]) -> None:
        with _api(f"create Job {namespace}/{body['metadata']['name']}"):
            self.client.create(self.jobs, body=body, namespace=namespace)

    def job_status(self, namespace: str, name: str) -> dict[str, Any]:
        with _api(f"read Job {namespace}/{name}"):
            status: dict[str, Any] = self.client.get(self.jobs, name=name, namespace=namespace).to_dict()
        return status.get("status") or {}

    def delete_job(self, namespace: str, name: str) -> None:
        with _api(f"delete Job {namespace}/{name}"):
            self.client.delete(self.jobs, name=name, namespace=namespace, propagation_policy="Background")

    def job_log(self, namespace: str, name: str) -> str:
        """The log of the Job's newest pod ("" when it has none)."""
        with _api(f"read the pods of Job {namespace}/{name}"):
            selector = f"{JOB_NAME_LABEL}={name}"
            pods = self.client.get(self.pods, namespace=namespace, label_selector=selector).to_dict()["items"]
            if not pods:
                return ""
            newest = max(pods, key=lambda pod: pod["metadata"].get("creationTimestamp") or "")
            log = self.client.get(
                self.pods.log,
                name=newest["metadata"]["name"],
                namespace=namespace,
                serialize=False,
                header_params={"Accept": "text/plain"},  # logs are text, not the JSON the client asks for
            )
        return str(log.data.decode("utf-8", "replace"))


@dataclass(frozen=True)
class Run:
    """One started run: its namespace, its master Job and every Job it created."""

    namespace: str
    master: str
    jobs: tuple[str, ...]


def run_copies(resources: Iterable[Resource], run_id: str) -> list[dict[str, Any]]:
    """Fresh copies of the overlay's master (first) and worker Jobs for this run; CitygateError without a master."""
    found = {r.values["metadata"]["name"]: r.values for r in resources if r.type == "Job"}
    if MASTER not in found:
        raise CitygateError(f"the overlay has no {MASTER} Job: nothing runs the load test in this environment", WHERE)
    copies = []
    for name in (MASTER, WORKER):
        if name not in found:
            continue
        body = copy.deepcopy(found[name])
        metadata = body["metadata"]
        metadata["name"] = f"{name}-{run_id}"
        metadata["labels"] = {**metadata.get("labels", {}), RUN_LABEL: run_id}
        body.pop("status", None)
        copies.append(body)
    return copies


def start(cluster: JobCluster, copies: list[dict[str, Any]]) -> Run:
    """Create the run's Jobs, master first (its Service must have an endpoint before the workers give up)."""
    namespace = copies[0]["metadata"]["namespace"]
    for body in copies:
        cluster.create_job(namespace, body)
    return Run(namespace, copies[0]["metadata"]["name"], tuple(body["metadata"]["name"] for body in copies))


def _finished(status: dict[str, Any]) -> bool | None:
    """True: Complete; False: Failed; None: still running."""
    for condition in status.get("conditions") or []:
        if condition.get("status") == "True" and condition.get("type") in ("Complete", "Failed"):
            return bool(condition["type"] == "Complete")
    return None


def wait(cluster: JobCluster, run: Run, timeout: float, poll: float, say: Callable[[str], None]) -> bool:
    """Whether the master Job completed; past `timeout` the run's Jobs are deleted and it is a CitygateError."""
    give_up = time.monotonic() + timeout
    while (done := _finished(cluster.job_status(run.namespace, run.master))) is None:
        if time.monotonic() >= give_up:
            for name in run.jobs:
                cluster.delete_job(run.namespace, name)
            raise CitygateError(f"Job {run.namespace}/{run.master} did not finish within {timeout:g}s; deleted", WHERE)
        time.sleep(poll)
    say(f"Job {run.namespace}/{run.master} {'completed' if done else 'failed'}")
    return done


@dataclass(frozen=True)
class Verdict:
    """The verdict document `loadtest --json` writes, parsed back."""

    profile: str
    slo: Slo
    results: list[SloResult]
    measured: Measurement

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)


def _parse(line: str) -> Verdict | None:
    try:
        document = json.loads(line)
        measured = {field: document["measured"][field] for field in Measurement.__dataclass_fields__}
        return Verdict(
            profile=str(document["profile"]),
            slo=Slo.model_validate(document["slo"]),
            results=[SloResult(**result) for result in document["results"]],
            measured=Measurement(**measured),
        )
    except (ValueError, TypeError, KeyError, ValidationError):
        return None


def last_verdict(log: str) -> Verdict | None:
    """The last line of `log` that is a verdict document (later lines may be the runner's own)."""
    for line in reversed(log.splitlines()):
        if line.lstrip().startswith("{") and (verdict := _parse(line.strip())) is not None:
            return verdict
    return None


def judge(succeeded: bool, log: str, where: str) -> Verdict:
    """The run's verdict, which must agree with how the run ended; CitygateError when absent or contradicting."""
    verdict = last_verdict(log)
    if verdict is None:
        tail = next((line.strip() for line in reversed(log.splitlines()) if line.strip()), "an empty log")
        raise CitygateError(f"{'succeeded' if succeeded else 'failed'} without a verdict; its log ends: {tail}", where)
    if verdict.passed != succeeded:
        raise CitygateError(f"the verdict (passed={verdict.passed}) contradicts how the run ended", where)
    return verdict


def run_in_cluster(
    cluster: JobCluster,
    resources: Iterable[Resource],
    run_id: str,
    timeout: float,
    poll: float,
    say: Callable[[str], None],
) -> Verdict:
    """Start a fresh run of the overlay's load-test Jobs, wait for the master, read its verdict."""
    run = start(cluster, run_copies(resources, run_id))
    say(f"started {', '.join(run.jobs)} in {run.namespace}")
    succeeded = wait(cluster, run, timeout, poll, say)
    return judge(succeeded, cluster.job_log(run.namespace, run.master), f"Job {run.namespace}/{run.master}")


def build_log(logs: Any, build: dict[str, Any]) -> str:
    """The whole CloudWatch log of a finished CodeBuild build (`logs`: a boto3 CloudWatch Logs client)."""
    group, stream = build.get("logs", {}).get("groupName"), build.get("logs", {}).get("streamName")
    if not group or not stream:
        raise CitygateError("the build names no log stream: its verdict cannot be read", f"build {build['id']}")
    lines: list[str] = []
    token = None
    while True:
        page = logs.get_log_events(
            logGroupName=group, logStreamName=stream, startFromHead=True, **({"nextToken": token} if token else {})
        )
        lines += [event["message"].rstrip("\n") for event in page["events"]]
        if not page["events"] or page.get("nextForwardToken") in (None, token):
            return "\n".join(lines)
        token = page["nextForwardToken"]


def verdict_in_vpc(
    codebuild: Any,
    logs: Any,
    env: str,
    records: dict[str, str] | None,
    source_version: str | None,
    timeout: float,
    poll: float,
    say: Callable[[str], None],
) -> Verdict:
    """Run `loadtest --in-cluster` on the environment's in-VPC deployer (the endpoint is private) and read its log."""
    from citygate.deployer import FAILED, SUCCEEDED, log_group, release_images, run_build

    variables = {"CITYGATE_TASK": "loadtest", **({"RELEASE_IMAGES": release_images(records)} if records else {})}
    build = run_build(codebuild, env, variables, source_version, timeout, poll, say, stage="loadtest")
    where = f"build {build['id']} (log {log_group(build, env)})"
    if build["buildStatus"] not in (SUCCEEDED, FAILED):
        raise CitygateError(f"ended {build['buildStatus']}: no verdict", where)
    return judge(build["buildStatus"] == SUCCEEDED, build_log(logs, build), where)
