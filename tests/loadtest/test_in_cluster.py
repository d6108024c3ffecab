"""`loadtest --in-cluster`: the overlay's Locust Jobs run afresh in the (recorded) cluster and their verdict is read.

The master's log ends with the verdict line `loadtest --json -` prints; the Job's end must agree with it. A pass is
0 with the verdict file, a breach 1 naming the SLO, a run that never ends or an overlay without a master 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from citygate import cli
from citygate.commands import loadtest as command
from citygate.loadtest.in_cluster import verdict_in_vpc
from citygate.loadtest.report import verdict_document
from citygate.loadtest.slo import Measurement, Slo, evaluate
from tests.fake_kubernetes import FakeCluster

SLO = Slo(p95_ms=300, p99_ms=800, error_rate=0.01, min_rps=20)
FAST = Measurement(requests=3000, failures=3, p95_ms=120.0, p99_ms=310.0, rps=50.0, duration_s=60.0)
SLOW = Measurement(requests=3000, failures=3, p95_ms=450.0, p99_ms=700.0, rps=50.0, duration_s=60.0)


def master_log(measured: Measurement) -> str:
    """What the master pod prints: progress, the table, then the verdict line."""
    verdict = json.dumps(verdict_document("staging", SLO, evaluate(SLO, measured), measured))
    return f"4 workers connected\n 3000 requests, 3 failed\nSLO gate: profile staging\n{verdict}\n"


def in_cluster(fake: FakeCluster, monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(command, "cluster_jobs", lambda kubeconfig, context: fake)
    return cli.main(["loadtest", "--in-cluster", "--run-id", "run-7", "--poll", "0", *args])


def test_a_run_that_holds_its_slos_passes_and_writes_the_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeCluster(job_end="Complete", log=master_log(FAST))
    assert in_cluster(fake, monkeypatch, "--env", "staging", "--json", str(tmp_path / "v.json")) == 0
    assert set(fake.jobs) == {"production/loadtest-master-run-7", "production/loadtest-worker-run-7"}
    master = fake.jobs["production/loadtest-master-run-7"]
    assert master["metadata"]["labels"]["citygate.io/loadtest-run"] == "run-7"
    assert master["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"] == "loadtest-master"
    assert master["spec"]["template"]["spec"]["containers"][0]["command"][-2:] == ["--json", "-"]
    verdict = json.loads((tmp_path / "v.json").read_text())
    assert verdict["passed"] is True and verdict["profile"] == "staging"
    assert set(verdict) == {"profile", "passed", "slo", "measured", "results"}
    assert "PASS: every SLO holds" in capsys.readouterr().out


def test_a_breach_in_the_masters_log_fails_naming_the_slo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeCluster(job_end="Failed", log=master_log(SLOW))
    assert in_cluster(fake, monkeypatch, "--env", "staging", "--json", str(tmp_path / "v.json")) == 1
    assert "FAIL: SLO breached (p95 latency)" in capsys.readouterr().out
    verdict = json.loads((tmp_path / "v.json").read_text())
    assert [r["name"] for r in verdict["results"] if not r["passed"]] == ["p95 latency"]


def one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    return err[0]


def test_a_run_that_never_finishes_is_stopped_after_the_timeout(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeCluster(job_end=None)
    assert in_cluster(fake, monkeypatch, "--env", "staging", "--timeout", "1") == 2
    assert "did not finish within 1s; deleted" in one_error_line(capsys)
    assert fake.jobs == {} and fake.deleted == ["loadtest-master-run-7", "loadtest-worker-run-7"]


def test_an_overlay_without_a_master_job_is_an_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = FakeCluster()
    assert in_cluster(fake, monkeypatch, "--env", "prod") == 2
    assert "the overlay has no loadtest-master Job" in one_error_line(capsys)
    assert fake.jobs == {}


@pytest.mark.parametrize(
    ("job_end", "log", "message"),
    [
        ("Failed", "citygate: error: loadtest: 1 of 2 workers connected\n", "failed without a verdict"),
        ("Complete", master_log(SLOW), "contradicts how the run ended"),
    ],
)
def test_a_missing_or_contradicting_verdict_is_an_error(
    job_end: str, log: str, message: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert in_cluster(FakeCluster(job_end=job_end, log=log), monkeypatch, "--env", "staging") == 2
    assert message in one_error_line(capsys)


def test_in_cluster_refuses_load_options(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert in_cluster(FakeCluster(), monkeypatch, "--env", "staging", "--users", "5") == 2
    assert "drop the load and SLO options" in one_error_line(capsys)


class FakeCodeBuild:
    """A deployer whose build ends at once with `status`; records the variables it was started with."""

    def __init__(self, status: str) -> None:
        self.status = status
        self.started: dict[str, Any] = {}

    def start_build(self, **request: Any) -> dict[str, Any]:
        self.started = request
        logs = {"groupName": "/aws/codebuild/citygate-staging-deployer", "streamName": "b1"}
        return {"build": {"id": "citygate-staging-deployer:b1", "buildStatus": self.status, "logs": logs}}


class FakeLogs:
    """CloudWatch Logs paging a build log two events at a time."""

    def __init__(self, text: str) -> None:
        self.events = [{"message": f"{line}\n"} for line in text.splitlines()]

    def get_log_events(self, nextToken: str = "0", **_: Any) -> dict[str, Any]:
        start = int(nextToken)
        page = self.events[start : start + 2]
        return {"events": page, "nextForwardToken": str(start + len(page))}


@pytest.mark.parametrize(("status", "measured", "passed"), [("SUCCEEDED", FAST, True), ("FAILED", SLOW, False)])
def test_the_in_vpc_deployer_runs_it_and_its_log_carries_the_verdict(
    status: str, measured: Measurement, passed: bool
) -> None:
    codebuild = FakeCodeBuild(status)
    log = master_log(measured) + "[Container] Phase complete: BUILD State: " + status
    verdict = verdict_in_vpc(
        codebuild, FakeLogs(log), "staging", {"loadtest": "r/loadtest@sha256:1"}, "abc", 5, 0, print
    )
    assert verdict.passed is passed
    assert codebuild.started["projectName"] == "citygate-staging-deployer"
    variables = {v["name"]: v["value"] for v in codebuild.started["environmentVariablesOverride"]}
    assert variables == {"CITYGATE_TASK": "loadtest", "RELEASE_IMAGES": "r/loadtest@sha256:1"}
